package crawler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/crawler"
)

// wantArticles are the slugs of every article the test site has: 200 in
// its index, 10 in its news sitemap, 30 in its archive sitemap, and one
// behind a list of permuted query strings.
func wantArticles(s *testSite) []string {
	var out []string
	for p := range s.pages {
		for i := range s.perPage {
			out = append(out, fmt.Sprintf("s-%d-%d", p, i))
		}
	}
	for i := range 10 {
		out = append(out, fmt.Sprintf("fresh-%d", i))
	}
	for i := range 30 {
		out = append(out, fmt.Sprintf("archive-%d", i))
	}
	out = append(out, "query-1")
	return sortedCopy(out)
}

func TestCrawlSite(t *testing.T) {
	site := newTestSite(t)
	st := testStore(t, "")
	const maxDepth, maxPages = 11, 400
	src := siteSource(t, st, site, maxDepth, maxPages, 0)
	client := testClient(0)
	c := crawler.New(client, crawler.Options{})
	h := newPageLog()
	res, err := c.Crawl(context.Background(), src, storeFrontier{st, src.ID}, h)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("site failed: %v", res.Err)
	}
	t.Logf("result %+v", res)

	// Every article, once.
	if got, want := h.slugs(), wantArticles(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("handled %d articles, want %d\n got %v\nwant %v", len(got), len(want), got, want)
	}
	counts := site.count()
	perSlug := map[string]int{}
	for path, n := range counts {
		if strings.HasPrefix(path, "/news/") {
			perSlug[slugOf(path)] += n
		}
	}
	for slug, n := range perSlug {
		if n > 1 && slug != "loop-a" && slug != "loop-b" {
			t.Errorf("article %s fetched %d times", slug, n)
		}
	}
	// robots.txt: read once, obeyed.
	if n := counts["/robots.txt"]; n != 1 {
		t.Errorf("robots.txt fetched %d times, want once", n)
	}
	for path := range counts {
		if strings.HasPrefix(path, "/private/") {
			t.Errorf("fetched %s, which robots.txt disallows", path)
		}
	}
	if res.Disallowed == 0 {
		t.Error("no URL counted as disallowed")
	}
	// Bounds and traps.
	if res.Requests > maxPages {
		t.Errorf("%d page requests, max_pages %d", res.Requests, maxPages)
	}
	trap := func(prefix string) (n int) {
		for path, c := range counts {
			if strings.HasPrefix(path, prefix) {
				n += c
			}
		}
		return n
	}
	// The calendar grows two pages (previous and next month) per level.
	if n := trap("/events"); n == 0 || n > 2*maxDepth {
		t.Errorf("calendar fetched %d times, want 1..%d (two per level of max_depth)", n, 2*maxDepth)
	}
	if n := trap("/r/"); n == 0 || n > 6 {
		t.Errorf("redirect chain followed %d hops, want at most 6", n)
	}
	if n := trap("/news/loop-"); n == 0 || n > 2 {
		t.Errorf("redirect loop fetched %d times", n)
	}
	if n := trap("/list"); n != 1 {
		t.Errorf("the permuted list fetched %d times, want once", n)
	}
	if n := counts["/news/report.pdf"]; n != 1 || res.Skipped == 0 {
		t.Errorf("PDF fetched %d times, %d skipped", n, res.Skipped)
	}
	if res.Failed == 0 {
		t.Error("the redirect loop did not count as a failure")
	}
	if res.Sitemaps != 3 || res.SitemapURLs != 40 {
		t.Errorf("read %d sitemaps with %d article URLs, want 3 and 40", res.Sitemaps, res.SitemapURLs)
	}
	// Every request carried the client's User-Agent.
	for _, hh := range site.hits() {
		if hh.UA != client.UserAgent() {
			t.Fatalf("request %s with User-Agent %q", hh.Path, hh.UA)
		}
	}
	// Pages carry what the news sitemap said, and their main text
	// extracts without the furniture.
	for _, p := range h.pages {
		switch slug := slugOf(p.FinalURL); slug {
		case "fresh-3":
			if p.Title != "Fresh story 3 from the news sitemap" || p.Published.Format(time.DateOnly) != "2026-06-04" {
				t.Errorf("news sitemap data: %q %v", p.Title, p.Published)
			}
		case "s-0-1", "archive-7":
			res, err := article.Extract(p.Body, article.Options{URL: p.FinalURL, ContentType: p.ContentType})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Text, articleSentence(slug)) {
				t.Errorf("%s: main text lacks the article: %q", slug, res.Text)
			}
			for _, f := range []string{"We use cookies", "Related story", "Reader comment", "Frontier Test Times"} {
				if strings.Contains(res.Text, f) {
					t.Errorf("%s: main text has furniture %q", slug, f)
				}
			}
		}
	}
}

// TestCrawlRestart crawls with a small budget, restarting the process
// (a new Crawler on the reopened archive) between runs, and once cancels a
// run in the middle: no article stored by an earlier run is fetched again,
// and the runs together get every article.
func TestCrawlRestart(t *testing.T) {
	site := newTestSite(t)
	path := t.TempDir() + "/fw.db"
	const maxPages = 60
	var (
		seen     = map[string]bool{} // slugs flushed by earlier runs
		total    []string
		runs     int
		notModOK bool
	)
	for runs = 1; runs <= 12; runs++ {
		st := testStore(t, path)
		src := siteSource(t, st, site, 11, maxPages, 0)
		before := len(site.hits())
		h := newPageLog()
		ctx, cancel := context.WithCancel(context.Background())
		if runs == 2 {
			// Stop the second run after 10 pages, mid-flight.
			h.onHandle = func(n int) {
				if n == 10 {
					cancel()
				}
			}
		}
		res, err := crawler.New(testClient(0), crawler.Options{FlushEvery: 7}).Crawl(ctx, src, storeFrontier{st, src.ID}, h)
		cancel()
		if runs == 2 {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run: %v", err)
			}
		} else if err != nil || res.Err != nil {
			t.Fatalf("run %d: %v %v", runs, err, res.Err)
		}
		t.Logf("run %d: %+v", runs, res)
		if res.Requests > maxPages {
			t.Errorf("run %d: %d requests, max_pages %d", runs, res.Requests, maxPages)
		}
		if runs > 2 && res.SeedsNotModified == 1 {
			notModOK = true
		}
		for _, hh := range site.hits()[before:] {
			if slug := slugOf(hh.Path); strings.HasPrefix(hh.Path, "/news/") && seen[slug] {
				t.Errorf("run %d fetched %s, stored by an earlier run", runs, hh.Path)
			}
		}
		h.mu.Lock()
		for _, p := range h.pages {
			if h.flushed[p.Key] > 0 {
				seen[slugOf(p.FinalURL)] = true
				total = append(total, slugOf(p.FinalURL))
			}
		}
		h.mu.Unlock()
		st.Close()
		if runs > 2 && res.Articles == 0 && res.Pending == 0 {
			break
		}
	}
	if got, want := sortedCopy(total), wantArticles(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after %d runs stored %d articles, want %d", runs, len(got), len(want))
	}
	if !notModOK {
		t.Error("the seed never answered 304 to a conditional GET")
	}
}

func TestCrawlDelay(t *testing.T) {
	tests := []struct {
		name       string
		delay      time.Duration
		crawlDelay string
		want       time.Duration
	}{
		{"source delay", 40 * time.Millisecond, "", 40 * time.Millisecond},
		{"robots crawl-delay", 0, "0.06", 60 * time.Millisecond},
		{"the larger of both", 20 * time.Millisecond, "0.05", 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newTestSite(t)
			site.crawlDelay = tt.crawlDelay
			st := testStore(t, "")
			src := siteSource(t, st, site, 2, 6, tt.delay)
			res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, newPageLog())
			if err != nil || res.Err != nil {
				t.Fatal(err, res.Err)
			}
			hits := site.hits()
			if len(hits) < 5 {
				t.Fatalf("only %d requests", len(hits))
			}
			for i := 1; i < len(hits); i++ {
				if gap := hits[i].At.Sub(hits[i-1].At); gap < tt.want {
					t.Errorf("request %d (%s) came %v after the previous one, want at least %v", i, hits[i].Path, gap, tt.want)
				}
			}
		})
	}
}

// TestCrawlOneRequestPerHost crawls a site whose articles are on two hosts
// (two ports of 127.0.0.1) that answer slowly: each host sees one request
// at a time, and the two hosts are crawled side by side.
func TestCrawlOneRequestPerHost(t *testing.T) {
	var inFlight, most atomic.Int32
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			defer inFlight.Add(-1)
			h.ServeHTTP(w, r)
		})
	}
	a, b := newTestSite(t), newTestSite(t)
	a.latency, b.latency = 15*time.Millisecond, 15*time.Millisecond
	a.srv.Config.Handler, b.srv.Config.Handler = slow(a), slow(b)
	// A's index links to B's articles too.
	seed := httptest.NewServer(slow(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		for i := range 8 {
			fmt.Fprintf(w, `<a href="%s/news/a-%d">a</a> <a href="%s/news/b-%d">b</a>`, a.srv.URL, i, b.srv.URL, i)
		}
	})))
	defer seed.Close()
	st := testStore(t, "")
	src, err := st.UpsertSource(context.Background(), frontierwatch.Source{
		Name: "two-hosts", Kind: frontierwatch.KindSite, URL: seed.URL + "/news", Enabled: true,
		Follow: []string{`^http://127\.0\.0\.1:\d+/news/[ab]-\d+$`}, AllowedDomains: []string{"127.0.0.1"},
		MaxDepth: 1, MaxPages: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newPageLog()
	res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, h)
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	if res.Articles != 16 {
		t.Errorf("%d articles, want 16", res.Articles)
	}
	if a.maxInFlight() != 1 || b.maxInFlight() != 1 {
		t.Errorf("requests in flight at once: host A %d, host B %d; want 1 each", a.maxInFlight(), b.maxInFlight())
	}
	if most.Load() < 2 {
		t.Errorf("the two hosts were never crawled at the same time (max %d in flight overall)", most.Load())
	}
}

func TestCrawlBodyCap(t *testing.T) {
	site := newTestSite(t)
	site.pages = 1
	site.bigArticle = 300 << 10
	st := testStore(t, "")
	src := siteSource(t, st, site, 1, 100, 0)
	h := newPageLog()
	res, err := crawler.New(testClient(200<<10), crawler.Options{MaxBody: 200 << 10, NoSitemaps: true}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, h)
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	for _, p := range h.pages {
		if slugOf(p.FinalURL) == "big" {
			t.Fatalf("a body over the cap reached the handler (%d bytes)", len(p.Body))
		}
	}
	if site.count()["/news/big"] != 1 || res.Failed == 0 {
		t.Errorf("big page fetched %d times, %d failures", site.count()["/news/big"], res.Failed)
	}
	pending, err := st.PendingCrawlURLs(context.Background(), src.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if slugOf(p.URL) == "big" && p.Attempts == 1 {
			return
		}
	}
	t.Errorf("the too-large page is not pending with one failed attempt: %+v", pending)
}

func TestCrawlSourceFailures(t *testing.T) {
	site := newTestSite(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	forbid := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: frontierwatch-test\nDisallow: /\n")
			return
		}
		t.Errorf("fetched %s despite robots.txt", r.URL.Path)
	}))
	defer forbid.Close()
	tests := []struct {
		name, url, follow string
		want              *regexp.Regexp
	}{
		{"seed 404", site.srv.URL + "/nothing-here", site.follow(), regexp.MustCompile(`404 Not Found`)},
		{"server down", down.URL + "/news", `.`, regexp.MustCompile(`robots\.txt: .*refused`)},
		{"robots forbids the seed", forbid.URL + "/news", `.`, regexp.MustCompile(`robots\.txt forbids`)},
		{"bad follow pattern", site.srv.URL + "/news", `(`, regexp.MustCompile(`follow`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testStore(t, "")
			src, err := st.UpsertSource(context.Background(), frontierwatch.Source{Name: "x", Kind: frontierwatch.KindSite,
				URL: tt.url, Follow: []string{tt.follow}, MaxDepth: 1, MaxPages: 10, Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, newPageLog())
			if err != nil {
				t.Fatalf("daemon-level error for a failing site: %v", err)
			}
			if res.Err == nil || !tt.want.MatchString(res.Err.Error()) {
				t.Errorf("Result.Err = %v, want one matching %s", res.Err, tt.want)
			}
		})
	}
}

// TestCrawlStopsBeforeDeadline: a run whose context has a deadline (the
// daemon's job timeout) stops taking requests while there is still time to
// wrap up, and ends cleanly; what is left stays pending.
func TestCrawlStopsBeforeDeadline(t *testing.T) {
	site := newTestSite(t)
	st := testStore(t, "")
	src := siteSource(t, st, site, 3, 500, 50*time.Millisecond)
	client := testClient(0) // 5s timeout: the crawler keeps 15s in reserve
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(client.HTTPClient().Timeout+10*time.Second+400*time.Millisecond))
	defer cancel()
	res, err := crawler.New(client, crawler.Options{NoSitemaps: true}).Crawl(ctx, src, storeFrontier{st, src.ID}, newPageLog())
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	if res.Requests == 0 || res.Requests > 20 || res.Pending == 0 {
		t.Errorf("result %+v: want a few requests, then the rest left pending", res)
	}
	pending, _ := st.PendingCrawlURLs(context.Background(), src.ID, 1000)
	if len(pending) < res.Pending {
		t.Errorf("%d pending in the frontier, %d reported", len(pending), res.Pending)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
