package ingest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontierwatch/frontierwatch"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three", 9, "one two"},
		{"ééééé", 5, "éé"}, // never inside a two-byte rune
		{strings.Repeat("x", 20), 10, strings.Repeat("x", 10)},
	} {
		if got := clip(c.in, c.n); got != c.want {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestHugeItemClipped: an item of megabytes becomes an article of its
// first MaxTextBytes of text, valid UTF-8, and a title of MaxTitleBytes.
func TestHugeItemClipped(t *testing.T) {
	body := strings.Repeat("Agents now finish 12-hour tasks in the lab’s tests. ", 100_000) // ~5 MB
	arts, _ := New(nil).Articles([]frontierwatch.Document{
		{Source: "s", URL: "https://example.org/huge", Title: strings.Repeat("Títle ", 1000), Summary: body},
		{Source: "s", URL: "https://example.org/huge-html", HTML: "<p>" + body + "</p>"},
		{Source: "s", URL: "https://example.org/huge-page", Text: body},
	}, time.Now())
	if len(arts) != 3 {
		t.Fatalf("%d articles", len(arts))
	}
	for _, a := range arts {
		if len(a.Text) > MaxTextBytes || len(a.Text) < MaxTextBytes-256 || !utf8.ValidString(a.Text) {
			t.Errorf("%s: text of %d bytes (valid UTF-8: %v), want at most %d", a.URL, len(a.Text), utf8.ValidString(a.Text), MaxTextBytes)
		}
		if len(a.Title) > MaxTitleBytes || !utf8.ValidString(a.Title) {
			t.Errorf("%s: title of %d bytes", a.URL, len(a.Title))
		}
	}
}
