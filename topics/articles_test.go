package topics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// article is one test article: testdata/{positive,negative}/NAME.txt holds
// its title on the first line and its text after a blank line.
type article struct {
	name string
	doc  Doc
}

func loadArticles(t testing.TB, dir string) []article {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []article
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		title, text, ok := strings.Cut(string(b), "\n")
		if !ok || strings.TrimSpace(text) == "" {
			t.Fatalf("%s: want a title line and a text", p)
		}
		out = append(out, article{name: filepath.Base(p), doc: Doc{Title: title, Text: strings.TrimSpace(text)}})
	}
	return out
}
