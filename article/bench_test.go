package article

import (
	"bytes"
	"net/url"
	"testing"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
)

// BenchmarkExtract runs Extract and go-trafilatura called directly (its
// Extract, with the options Extract uses) over the same 100 pages of the
// module's comparison set, one page per operation, and reports pages and
// MB of HTML per second:
//
//	go test -run '^$' -bench BenchmarkExtract -benchtime 300x ./article
func BenchmarkExtract(b *testing.B) {
	dir := trafilaturaDir(b)
	entries := loadComparison(b, dir)
	type pg struct {
		body []byte
		url  string
	}
	var pages []pg
	for i := 0; i < len(entries) && len(pages) < 100; i += len(entries) / 100 {
		body, err := comparisonFile(dir, entries[i].File)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, pg{body, entries[i].URL})
	}
	run := func(b *testing.B, extract func(body []byte, u string)) {
		var n int64
		start := time.Now()
		for i := range b.N {
			p := pages[i%len(pages)]
			extract(p.body, p.url)
			n += int64(len(p.body))
		}
		secs := time.Since(start).Seconds()
		b.ReportMetric(float64(b.N)/secs, "pages/s")
		b.ReportMetric(float64(n)/secs/1e6, "MB/s")
	}
	b.Run("article", func(b *testing.B) {
		run(b, func(body []byte, u string) { _, _ = Extract(body, Options{URL: u}) })
	})
	b.Run("trafilatura", func(b *testing.B) {
		run(b, func(body []byte, u string) {
			pu, _ := url.ParseRequestURI(u)
			_, _ = trafilatura.Extract(bytes.NewReader(body), trafilatura.Options{EnableFallback: true, ExcludeComments: true, OriginalURL: pu})
		})
	})
}
