package figures

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchText is the corpus article repeated plus every labelled sentence:
// news text through sentence splitting and extraction.
func benchText(tb testing.TB) string {
	tb.Helper()
	article, err := os.ReadFile(filepath.Join("testdata", "corpus", "when-ai-builds-itself.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for range 20 {
		b.Write(article)
		b.WriteString("\n\n")
	}
	for _, name := range []string{"labelled.jsonl", filepath.Join("corpus", "sentences.jsonl")} {
		for _, l := range readLines(tb, filepath.Join("testdata", name)) {
			b.WriteString(l.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// BenchmarkExtract measures MB/s of article text through Extract on one
// core: go test -run '^$' -bench Extract -cpu 1 ./figures
func BenchmarkExtract(b *testing.B) {
	text := benchText(b)
	e := New()
	pub := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = e.Extract(text, pub)
	}
}

// BenchmarkSentences measures the splitter alone.
func BenchmarkSentences(b *testing.B) {
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		forEachSentence(text, func(string) { n++ })
	}
}
