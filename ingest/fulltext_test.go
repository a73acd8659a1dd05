package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// storyServer serves article pages at /story/N (and a PDF, a 404) and
// counts requests and requests in flight.
type storyServer struct {
	mu      sync.Mutex
	gets    map[string]int
	in, max int
	latency time.Duration
}

func (s *storyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.gets[r.URL.Path]++
	s.in++
	s.max = max(s.max, s.in)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.in--; s.mu.Unlock() }()
	time.Sleep(s.latency)
	switch {
	case r.URL.Path == "/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF"))
	case strings.HasPrefix(r.URL.Path, "/story/"):
		n := strings.TrimPrefix(r.URL.Path, "/story/")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html lang="en"><head><title>Page title %[1]s</title><meta name="author" content="Page Author">
<meta property="article:published_time" content="2026-04-0%[2]dT10:00:00Z"></head><body><nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article><h1>Page title %[1]s</h1><p>Story %[1]s: the agent ran for thirty hours on the migration and finished it, according to the team that ran the trial on its own code.</p>
<p>The team said the agent asked for help twice, both times about credentials, and that the rest of the work needed no review beyond the usual tests.</p>
<p>Independent researchers said the result fits the trend of the past two years but cautioned that one trial is not a measurement of reliability.</p></article>
<aside><h2>Related articles</h2><a href="/story/99">Something else</a></aside></body></html>`, n, len(n)%9+1)
	default:
		http.NotFound(w, r)
	}
}

func (s *storyServer) count(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[p]
}

func newFullTextTest(t *testing.T) (*storyServer, *httptest.Server, *archive.Store, *FullText) {
	t.Helper()
	ss := &storyServer{gets: map[string]int{}}
	srv := httptest.NewServer(ss)
	t.Cleanup(srv.Close)
	st, err := archive.Open(context.Background(), filepath.Join(t.TempDir(), "fw.db"), archive.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	return ss, srv, st, NewFullText(client, st, FullTextOptions{MinWords: 20, PerHost: 2})
}

func TestFullText(t *testing.T) {
	ss, srv, st, ft := newFullTextTest(t)
	ctx := context.Background()
	long := strings.Repeat("word ", 30)
	src, err := st.UpsertSource(ctx, frontierwatch.Source{Name: "feed", Kind: frontierwatch.KindFeed, URL: srv.URL + "/feed", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	// One item is archived already.
	if _, err := st.CommitPoll(ctx, archive.PollUpdate{SourceID: src.ID, At: time.Now()},
		[]frontierwatch.Article{{URL: srv.URL + "/story/known", Title: "Known"}}); err != nil {
		t.Fatal(err)
	}
	docs := []frontierwatch.Document{
		{URL: srv.URL + "/story/1", Title: "Feed title 1", Summary: "One line."},
		{URL: srv.URL + "/story/2?utm_source=rss", HTML: "<p>" + long + "</p>"}, // long enough
		{URL: srv.URL + "/story/known?utm_medium=feed", Summary: "Known item."},
		{URL: srv.URL + "/story/3", Summary: "No title, author or date in the feed."},
		{URL: srv.URL + "/gone", Summary: "The page is gone."},
		{URL: srv.URL + "/report.pdf", Summary: "A PDF."},
		{URL: "not a url", Summary: "Bad link."},
	}
	for _, tt := range []struct {
		policy  string
		fetched []string
	}{
		{frontierwatch.FullTextNever, nil},
		{frontierwatch.FullTextAuto, []string{"/story/1", "/story/3", "/gone", "/report.pdf"}},
		{frontierwatch.FullTextAlways, []string{"/story/1", "/story/2", "/story/3", "/gone", "/report.pdf"}},
	} {
		t.Run(tt.policy, func(t *testing.T) {
			ss.mu.Lock()
			ss.gets = map[string]int{}
			ss.mu.Unlock()
			src.FullText = tt.policy
			out, stats := ft.Apply(ctx, src, docs)
			if len(out) != len(docs) {
				t.Fatalf("%d documents out of %d", len(out), len(docs))
			}
			for _, p := range []string{"/story/1", "/story/2", "/story/3", "/gone", "/report.pdf", "/story/known"} {
				want := 0
				for _, f := range tt.fetched {
					if f == p {
						want = 1
					}
				}
				if n := ss.count(p); n != want {
					t.Errorf("%s fetched %d times, want %d", p, n, want)
				}
			}
			if tt.policy == frontierwatch.FullTextNever {
				return
			}
			if stats.Known != 1 {
				t.Errorf("stats %+v", stats)
			}
			d1 := out[0]
			if !strings.Contains(d1.Text, "Story 1: the agent ran for thirty hours") || strings.Contains(d1.Text, "About us") || strings.Contains(d1.Text, "Related") {
				t.Errorf("item 1 text %q", d1.Text)
			}
			if d1.Title != "Feed title 1" || d1.Language != "en" {
				t.Errorf("item 1 title %q language %q: the feed's title must stay", d1.Title, d1.Language)
			}
			d3 := out[3]
			if d3.Title != "Page title 3" || d3.Author != "Page Author" || d3.Published.Format(time.DateOnly) != "2026-04-02" {
				t.Errorf("item 3 metadata from the page: %q %q %v", d3.Title, d3.Author, d3.Published)
			}
			for _, i := range []int{4, 5, 6} {
				if out[i].Text != "" || out[i].Summary != docs[i].Summary {
					t.Errorf("item %d changed though its page failed: %+v", i, out[i])
				}
			}
			if docs[0].Text != "" {
				t.Error("Apply changed its input")
			}
		})
	}
}

func TestFullTextPerHostLimit(t *testing.T) {
	ss, srv, st, ft := newFullTextTest(t)
	ss.latency = 20 * time.Millisecond
	var docs []frontierwatch.Document
	for i := range 10 {
		docs = append(docs, frontierwatch.Document{URL: fmt.Sprintf("%s/story/%d", srv.URL, i), Summary: "short"})
	}
	src := frontierwatch.Source{Name: "feed", FullText: frontierwatch.FullTextAuto}
	_, stats := ft.Apply(context.Background(), src, docs)
	if stats.Fetched != 10 {
		t.Errorf("stats %+v", stats)
	}
	if ss.max != 2 {
		t.Errorf("%d requests in flight to one host at most, want 2 (PerHost)", ss.max)
	}
	_ = st
}

func TestFullTextUnreachableHost(t *testing.T) {
	_, srv, _, ft := newFullTextTest(t)
	srv.Close() // connections refused from now on
	var docs []frontierwatch.Document
	for i := range 6 {
		docs = append(docs, frontierwatch.Document{URL: fmt.Sprintf("%s/story/%d", srv.URL, i), Summary: "short"})
	}
	start := time.Now()
	out, stats := ft.Apply(context.Background(), frontierwatch.Source{FullText: frontierwatch.FullTextAuto}, docs)
	if stats.Failed != 6 || stats.Fetched != 0 {
		t.Errorf("stats %+v", stats)
	}
	for i, d := range out {
		if d.Summary != "short" || d.Text != "" {
			t.Errorf("item %d changed: %+v", i, d)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
