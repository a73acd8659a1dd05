package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFullTextBudget: a feed whose linked pages all stall, each on its own
// host, must not lose its batch. Fetching them, 8 at a time and a 2 s
// timeout each, would outlast the poll job's deadline; the full-text
// stage stops at its budget and the items are stored with their feed text.
func TestFullTextBudget(t *testing.T) {
	const items = 40 // 5 rounds of 8 pages, 2 s each: 10 s, past the 8 s deadline below
	stall := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // stalls until the client gives up
	})
	pages := make([]string, items)
	for i := range pages {
		p := httptest.NewServer(stall)
		defer p.Close()
		pages[i] = p.URL
	}
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>slow pages</title><link>` + base + `/</link>`)
		for i := range items {
			fmt.Fprintf(&b, `<item><title>Lab report %d</title><link>%s/report/%d</link><guid>g%d</guid>`+
				`<pubDate>Mon, 01 Jun 2026 10:%02d:00 GMT</pubDate><description>Agents now finish 12-hour tasks, report %d says.</description></item>`,
				i, pages[i], i, i, i, i)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base = srv.URL
	d := newDaemon(t, testConfig(t, fmt.Sprintf("sources:\n  - {name: slow, url: %q, full_text: auto}\n", srv.URL+"/feed")))
	src, err := d.store.Source(context.Background(), "slow")
	if err != nil {
		t.Fatal(err)
	}
	// The poll job's deadline, shortened: the HTTP timeout is 2 s here.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	r, err := d.PollSource(ctx, src, false)
	if err != nil {
		t.Fatalf("poll: %v (report %+v)", err, r)
	}
	if r.New != items {
		t.Fatalf("stored %d of %d items", r.New, items)
	}
	hits, err := d.store.Search(context.Background(), archiveQueryFor("slow"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if !strings.Contains(h.Snippet, "12-hour tasks") {
			t.Errorf("article %q lost its feed text: %q", h.URL, h.Snippet)
		}
	}
}
