package ingest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

func TestArticles(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	pub := time.Date(2026, 5, 30, 8, 0, 0, 0, time.UTC)
	docs := []frontierwatch.Document{
		{Source: "s", URL: "https://Lab.example/a?utm_source=rss#top", Title: "A &amp; B", HTML: "<p>Short</p>", Summary: "<p>A longer summary text</p>", Published: pub},
		{Source: "s", URL: "https://lab.example/a"}, // the same article again: skipped
		{Source: "s", URL: "/relative"},             // no usable URL: skipped
		{Source: "s", URL: "https://lab.example/b", HTML: "<p>Content <b>wins</b> when longer</p>", Summary: "short"},
		{Source: "s", URL: "https://amp.example/x", Canonical: "https://origin.example/x?fbclid=1", Text: "Main text from the page.", Language: "en", HTML: "<p>ignored</p>"},
	}
	arts, skipped := New(nil).Articles(docs, now)
	if skipped != 2 || len(arts) != 3 {
		t.Fatalf("%d articles, %d skipped: %+v", len(arts), skipped, arts)
	}
	want := []frontierwatch.Article{
		{URL: "https://lab.example/a", Source: "s", Title: "A & B", Published: pub, Fetched: now, Text: "A longer summary text"},
		{URL: "https://lab.example/b", Source: "s", Fetched: now, Text: "Content wins when longer"},
		{URL: "https://origin.example/x", Source: "s", Fetched: now, Text: "Main text from the page.", Language: "en"},
	}
	for i, w := range want {
		g := arts[i]
		if g.URL != w.URL || g.Source != w.Source || g.Title != w.Title || !g.Published.Equal(w.Published) || !g.Fetched.Equal(w.Fetched) || g.Text != w.Text || g.Language != w.Language {
			t.Errorf("article %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestIngestIdempotent(t *testing.T) {
	ctx := context.Background()
	st, err := archive.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src, err := st.UpsertSource(ctx, frontierwatch.Source{Name: "s", Kind: frontierwatch.KindFeed, URL: "https://s.example/feed", Enabled: true, Origin: frontierwatch.OriginUser})
	if err != nil {
		t.Fatal(err)
	}
	p := New(st)
	b := Batch{Source: src, ETag: `"1"`, Documents: []frontierwatch.Document{
		{Source: "s", URL: "https://s.example/1", Title: "one"},
		{Source: "s", URL: "https://s.example/2?utm_medium=x", Title: "two"},
	}}
	out, err := p.Ingest(ctx, b)
	if err != nil || out.New != 2 || out.Known != 0 || len(out.Inserted) != 2 || out.Inserted[0].ID == 0 {
		t.Fatalf("first ingest %+v, %v", out, err)
	}
	b.Documents = append(b.Documents, frontierwatch.Document{Source: "s", URL: "https://s.example/3"})
	out, err = p.Ingest(ctx, b)
	if err != nil || out.New != 1 || out.Known != 2 {
		t.Fatalf("second ingest %+v, %v", out, err)
	}
	got, _ := st.Source(ctx, "s")
	if got.State.ETag != `"1"` {
		t.Errorf("etag not stored with the articles: %+v", got.State)
	}
	if n, _ := st.CountArticles(ctx); n != 3 {
		t.Errorf("%d articles, want 3", n)
	}
}
