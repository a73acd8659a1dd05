package dedup

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSign fingerprints the labelled pairs' articles (real news text
// with its site furniture), as every stored article is:
//
//	go test ./dedup -run '^$' -bench Sign -cpu 1
func BenchmarkSign(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join("testdata", "pairs", "*.txt"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no articles under testdata/pairs: %v", err)
	}
	var texts []string
	size := 0
	for _, p := range paths {
		t, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(t))
		size += len(t)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			Sign(t)
		}
	}
}
