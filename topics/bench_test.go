package topics

import (
	"strings"
	"testing"
)

// BenchmarkMatch measures article text through the default topic, in MB/s
// (run with -cpu 1 for one core):
//
//	go test -run '^$' -bench BenchmarkMatch -cpu 1 ./topics/
func BenchmarkMatch(b *testing.B) {
	all := append(loadArticles(b, "positive"), loadArticles(b, "negative")...)
	var long strings.Builder
	for long.Len() < 256<<10 {
		for _, a := range all {
			long.WriteString(a.doc.Title + "\n\n" + a.doc.Text + "\n\n")
		}
	}
	docs := map[string]Doc{
		"long": {Title: all[0].doc.Title, Text: long.String()}, // 256 KiB, on and off topic
		"one":  all[0].doc,                                     // one news article, about 1 KiB
	}
	m := mustMatcher(b, Default())
	for _, name := range []string{"long", "one"} {
		d := docs[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(d.Title) + len(d.Text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Match(d, 1)
			}
		})
	}
}

// BenchmarkNewMatcher measures compiling the default topic.
func BenchmarkNewMatcher(b *testing.B) {
	d := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMatcher([]Topic{d}); err != nil {
			b.Fatal(err)
		}
	}
}
