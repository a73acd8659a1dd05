package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// labSite is a lab's news site without a feed: an index page (with an
// ETag) linking to its articles and to a folder robots.txt disallows.
type labSite struct {
	mu       sync.Mutex
	articles int
	gets     map[string]int
	srv      *httptest.Server
}

func newLabSite(t *testing.T, articles int) *labSite {
	s := &labSite{articles: articles, gets: map[string]int{}}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *labSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[path]
}

func (s *labSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.gets[r.URL.Path]++
	n := s.articles
	s.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /news/internal/\n")
	case p == "/news":
		etag := fmt.Sprintf(`"news-%d"`, n)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>News</title></head><body><nav><a href="/">Home</a> <a href="/news/internal/draft">Draft</a></nav><ul>`)
		for i := range n {
			fmt.Fprintf(w, `<li><a href="/news/post-%d?utm_source=index">Post %d</a></li>`, i, i)
		}
		fmt.Fprint(w, `</ul></body></html>`)
	case p == "/research": // a second section, reached only as a seed
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Research</title></head><body><ul>`)
		for i := 100; i < 105; i++ {
			fmt.Fprintf(w, `<li><a href="/news/post-%d">Paper %d</a></li>`, i, i)
		}
		fmt.Fprint(w, `</ul></body></html>`)
	case strings.HasPrefix(p, "/news/"):
		slug := strings.TrimPrefix(p, "/news/")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>Lab update %[1]s</title>
<meta property="og:title" content="Lab update %[1]s"><meta name="author" content="Research Team">
<meta property="article:published_time" content="2026-05-20T12:00:00Z"></head><body>
<div class="cookie-consent"><p>This site uses cookies.</p><button>Accept all cookies</button></div>
<nav><a href="/news">News</a> <a href="/about">About the lab</a></nav>
<article><h1>Lab update %[1]s</h1>
<p>In update %[1]s the lab reports that its agents now complete research engineering tasks lasting more than eight hours without intervention.</p>
<p>The measurements cover several hundred tasks drawn from the lab's own internal backlog, graded by engineers who did not know which system produced each result.</p>
<p>The team cautions that the tasks are easier to verify than most real work, and that reliability drops sharply on tasks that need long-range planning.</p>
</article>
<aside><h2>More from the lab</h2><a href="/news/post-0">An older update</a></aside>
<section id="comments"><p>Commenter: fascinating numbers, thanks for sharing.</p></section>
<footer>© 2026 The Lab</footer></body></html>`, slug)
	default:
		http.NotFound(w, r)
	}
}

func siteConfigYAML(s *labSite) string {
	// testConfig keeps unmatched articles: this is not about topics.
	return fmt.Sprintf(`sources:
  - name: lab
    kind: site
    url: %s/news
    follow: ['^%s/news/post-\d+(\?.*)?$']
    max_depth: 1
    max_pages: 50
    delay: 5ms
`, s.srv.URL, regexp.QuoteMeta(s.srv.URL))
}

// TestSiteSource points a site source at a local site: its articles'
// main text is archived, robots.txt is obeyed, and a restarted daemon
// fetches no article again.
func TestSiteSource(t *testing.T) {
	site := newLabSite(t, 12)
	cfg := testConfig(t, siteConfigYAML(site))
	ctx := context.Background()
	poll := func(want Status) Report {
		t.Helper()
		d := newDaemon(t, cfg) // a new daemon each time: a restart
		src, err := d.Store().Source(ctx, "lab")
		if err != nil {
			t.Fatal(err)
		}
		r, err := d.PollSource(ctx, src, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Fatalf("status %s (%v), want %s", r.Status, r.Err, want)
		}
		return r
	}
	if r := poll(StatusOK); r.New != 12 || r.Known != 0 {
		t.Fatalf("first crawl: %d new, %d known; want 12 new", r.New, r.Known)
	}

	d := newDaemon(t, cfg)
	hits, err := d.Store().Search(ctx, archiveQueryFor("lab"))
	if err != nil || len(hits) != 12 {
		t.Fatalf("%d articles archived, %v", len(hits), err)
	}
	for _, h := range hits {
		a, err := d.Store().Article(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		slug := a.URL[strings.LastIndex(a.URL, "/")+1:]
		if strings.Contains(a.URL, "utm_source") {
			t.Errorf("stored URL not canonical: %s", a.URL)
		}
		if !strings.Contains(a.Text, "In update "+slug+" the lab reports") {
			t.Errorf("%s: main text missing: %q", a.URL, a.Text)
		}
		for _, f := range []string{"cookies", "About the lab", "More from the lab", "Commenter", "© 2026"} {
			if strings.Contains(a.Text, f) {
				t.Errorf("%s: text has furniture %q", a.URL, f)
			}
		}
		if a.Title != "Lab update "+slug || a.Author != "Research Team" || a.Language != "en" ||
			a.Published.Format(time.DateOnly) != "2026-05-20" {
			t.Errorf("%s: metadata title %q author %q language %q published %v", a.URL, a.Title, a.Author, a.Language, a.Published)
		}
	}
	if n := site.count("/news/internal/draft"); n != 0 {
		t.Errorf("fetched a page robots.txt disallows %d times", n)
	}

	// A restart: the seed answers 304, nothing is fetched again.
	if r := poll(StatusNotModified); r.New != 0 {
		t.Errorf("second crawl stored %d", r.New)
	}
	// Two new posts: only they are fetched.
	site.mu.Lock()
	site.articles = 14
	site.mu.Unlock()
	if r := poll(StatusOK); r.New != 2 {
		t.Errorf("third crawl: %d new, want 2", r.New)
	}
	for i := range 14 {
		if n := site.count(fmt.Sprintf("/news/post-%d", i)); n != 1 {
			t.Errorf("post-%d fetched %d times, want once", i, n)
		}
	}
	src, _ := d.Store().Source(ctx, "lab")
	if src.State.Failures != 0 || src.State.LastOKAt.IsZero() {
		t.Errorf("source state %+v", src.State)
	}
}

// TestSiteSourceSeeds: a site's extra seed pages are crawled too, within
// the source's max_pages.
func TestSiteSourceSeeds(t *testing.T) {
	site := newLabSite(t, 6)
	y := siteConfigYAML(site) + fmt.Sprintf("    seeds: [%s/research]\n", site.srv.URL)
	d := newDaemon(t, testConfig(t, y))
	ctx := context.Background()
	src, _ := d.Store().Source(ctx, "lab")
	r, err := d.PollSource(ctx, src, false)
	if err != nil || r.Status != StatusOK || r.New != 11 {
		t.Fatalf("crawl with two seeds: %+v, %v; want 6 + 5 new", r, err)
	}
	if site.count("/research") != 1 || site.count("/news/post-104") != 1 {
		t.Errorf("the second seed was not crawled: %v", site.gets)
	}

	// A budget smaller than both sections: the seeds share it.
	site2 := newLabSite(t, 6)
	y2 := strings.Replace(siteConfigYAML(site2), "max_pages: 50", "max_pages: 5", 1) + fmt.Sprintf("    seeds: [%s/research]\n", site2.srv.URL)
	d2 := newDaemon(t, testConfig(t, y2))
	src2, _ := d2.Store().Source(ctx, "lab")
	if _, err := d2.PollSource(ctx, src2, false); err != nil {
		t.Fatal(err)
	}
	total := 0
	site2.mu.Lock()
	for path, n := range site2.gets {
		if path != "/robots.txt" && !strings.HasPrefix(path, "/sitemap") {
			total += n
		}
	}
	site2.mu.Unlock()
	if total > 5 {
		t.Errorf("%d page requests with max_pages 5: %v", total, site2.gets)
	}
}

func TestSiteSourceFailureBacksOff(t *testing.T) {
	site := newLabSite(t, 1)
	cfg := testConfig(t, siteConfigYAML(site))
	site.srv.Close() // the site is down
	d := newDaemon(t, cfg)
	ctx := context.Background()
	src, _ := d.Store().Source(ctx, "lab")
	r, err := d.PollSource(ctx, src, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusError || r.Err == nil || r.Retry.IsZero() {
		t.Fatalf("report %+v", r)
	}
	src, _ = d.Store().Source(ctx, "lab")
	if src.State.Failures != 1 || src.State.LastError == "" {
		t.Errorf("failure not recorded: %+v", src.State)
	}
}

// TestFeedFullText: a feed whose items carry one line links to pages with
// the whole story. New items get the page's main text; an item whose page
// fails keeps the feed's text; known items are never fetched again.
func TestFeedFullText(t *testing.T) {
	site := newLabSite(t, 0)
	var mu sync.Mutex
	items := 3
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := items
		mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Lab</title><link>`+site.srv.URL+`</link>`)
		for i := range n {
			link := fmt.Sprintf("%s/news/post-%d", site.srv.URL, i)
			if i == 1 {
				link = site.srv.URL + "/gone/post-1" // 404
			}
			fmt.Fprintf(w, `<item><title>Post %d</title><link>%s</link><description>Short summary %d.</description></item>`, i, link, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	defer feed.Close()
	cfg := testConfig(t, fmt.Sprintf("sources:\n  - {name: labfeed, url: %q}\n", feed.URL))
	d := newDaemon(t, cfg)
	ctx := context.Background()
	pollOnce := func() Report {
		t.Helper()
		src, _ := d.Store().Source(ctx, "labfeed")
		r, err := d.PollSource(ctx, src, true)
		if err != nil || r.Status != StatusOK {
			t.Fatalf("%+v %v", r, err)
		}
		return r
	}
	if r := pollOnce(); r.New != 3 {
		t.Fatalf("%d new", r.New)
	}
	hits, _ := d.Store().Search(ctx, archiveQueryFor("labfeed"))
	texts := map[string]string{}
	for _, h := range hits {
		a, _ := d.Store().Article(ctx, h.ID)
		texts[a.Title] = a.Text
	}
	if !strings.Contains(texts["Post 0"], "In update post-0 the lab reports") || strings.Contains(texts["Post 0"], "Commenter") {
		t.Errorf("post 0 text %q", texts["Post 0"])
	}
	if texts["Post 1"] != "Short summary 1." {
		t.Errorf("post 1 (page gone) text %q, want the feed's", texts["Post 1"])
	}
	mu.Lock()
	items = 4
	mu.Unlock()
	if r := pollOnce(); r.New != 1 {
		t.Errorf("second poll %d new", r.New)
	}
	for _, p := range []string{"/news/post-0", "/news/post-2", "/news/post-3", "/gone/post-1"} {
		if n := site.count(p); n != 1 {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}
}
