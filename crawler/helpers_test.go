package crawler_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/crawler"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// storeFrontier is the crawler's Frontier over the archive, as the daemon
// builds it.
type storeFrontier struct {
	s   *archive.Store
	src int64
}

func (f storeFrontier) Add(ctx context.Context, links []crawler.Link) ([]crawler.Link, error) {
	in := make([]archive.CrawlURL, len(links))
	for i, l := range links {
		in[i] = archive.CrawlURL{Key: l.Key, URL: l.URL, Depth: l.Depth, Title: l.Title, Published: l.Published}
	}
	added, err := f.s.AddCrawlURLs(ctx, f.src, in, time.Now())
	out := make([]crawler.Link, len(added))
	for i, a := range added {
		out[i] = crawler.Link{Key: a.Key, URL: a.URL, Depth: a.Depth, Title: a.Title, Published: a.Published}
	}
	return out, err
}

func (f storeFrontier) Pending(ctx context.Context, limit int) ([]crawler.Link, error) {
	p, err := f.s.PendingCrawlURLs(ctx, f.src, limit)
	out := make([]crawler.Link, len(p))
	for i, a := range p {
		out[i] = crawler.Link{Key: a.Key, URL: a.URL, Depth: a.Depth, Title: a.Title, Published: a.Published}
	}
	return out, err
}

func (f storeFrontier) Finish(ctx context.Context, outs []crawler.Outcome) error {
	rs := make([]archive.CrawlResult, len(outs))
	for i, o := range outs {
		rs[i] = archive.CrawlResult{Key: o.Key, Permanent: o.Permanent}
		if o.Err != nil {
			rs[i].Err = o.Err.Error()
		}
	}
	return f.s.FinishCrawlURLs(ctx, f.src, rs, 3, time.Now())
}

func (f storeFrontier) Archived(ctx context.Context, keys []string) (map[string]bool, error) {
	return f.s.KnownURLs(ctx, keys)
}

func (f storeFrontier) Validators(ctx context.Context, u string) (string, string, error) {
	return f.s.CrawlValidators(ctx, f.src, u)
}

func (f storeFrontier) SetValidators(ctx context.Context, u, etag, lm string) error {
	return f.s.SetCrawlValidators(ctx, f.src, u, etag, lm, time.Now())
}

// pageLog is a Handler that remembers what it was given and flushed.
type pageLog struct {
	mu      sync.Mutex
	pages   []*crawler.Page
	pending []string
	flushed map[string]int // key → flushes it was part of
	flushes int
	// onHandle runs after each Handle (tests cancel the crawl from it).
	onHandle func(n int)
}

func newPageLog() *pageLog { return &pageLog{flushed: map[string]int{}} }

func (h *pageLog) Handle(_ context.Context, p *crawler.Page) error {
	h.mu.Lock()
	h.pages = append(h.pages, p)
	h.pending = append(h.pending, p.Key)
	n := len(h.pages)
	h.mu.Unlock()
	if h.onHandle != nil {
		h.onHandle(n)
	}
	return nil
}

func (h *pageLog) Flush(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range h.pending {
		h.flushed[k]++
	}
	h.pending = nil
	h.flushes++
	return nil
}

// slugs returns the sorted slugs (last path segment) of the pages handled.
func (h *pageLog) slugs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.pages {
		out = append(out, slugOf(p.FinalURL))
	}
	sort.Strings(out)
	return out
}

// slugOf is the article slug of a URL or request path.
func slugOf(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, ";")
	return u[strings.LastIndex(u, "/")+1:]
}

// testStore opens an archive in a temporary directory; path lets a test
// reopen it.
func testStore(t testing.TB, path string) *archive.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "fw.db")
	}
	s, err := archive.Open(context.Background(), path, archive.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// siteSource stores a site source for site and returns it.
func siteSource(t testing.TB, st *archive.Store, site *testSite, maxDepth, maxPages int, delay time.Duration) frontierwatch.Source {
	t.Helper()
	src, err := st.UpsertSource(context.Background(), frontierwatch.Source{
		Name: "test-site", Kind: frontierwatch.KindSite, URL: site.srv.URL + "/news", Enabled: true,
		Follow: []string{site.follow()}, MaxDepth: maxDepth, MaxPages: maxPages, Delay: delay,
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// testClient is the shared fetch client of the tests: private networks
// allowed (the sites are on 127.0.0.1), a short timeout.
func testClient(maxBody int64) *fetch.Client {
	return fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second, MaxBody: maxBody, UserAgent: "frontierwatch-test/1 (+https://example.org/bot)"})
}
