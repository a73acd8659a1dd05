package crawler_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSite is a news site on 127.0.0.1 with everything a crawler meets:
// a seed index with pagination, article pages with realistic furniture
// (navigation, cookie banner, related links, comments), non-article pages,
// a robots.txt that disallows /private/, a sitemap index with a Google News
// sitemap and an archive sitemap, a PDF where an article should be, and
// the traps: an endless calendar, pages whose links permute their query
// strings, session IDs in every link, a redirect loop and an endless
// redirect chain. It logs every request.
type testSite struct {
	srv *httptest.Server
	// pages is the number of index pages; each lists perPage articles.
	pages, perPage int
	// crawlDelay is robots.txt's Crawl-delay ("" for none).
	crawlDelay string
	// latency delays every answer.
	latency time.Duration
	// bigArticle is served with a body of this many bytes (0: none).
	bigArticle int

	mu   sync.Mutex
	log  []hit
	in   int
	maxN int
}

// hit is one logged request.
type hit struct {
	Path string // path and query
	At   time.Time
	UA   string
}

func newTestSite(t testing.TB) *testSite {
	s := &testSite{pages: 10, perPage: 20}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

// follow is the follow pattern of the site's articles.
func (s *testSite) follow() string {
	return "^" + regexp.QuoteMeta(s.srv.URL) + `/news/[a-z0-9.-]+(\?.*)?$`
}

func (s *testSite) hits() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.log...)
}

// count returns how often each path (query included) was requested.
func (s *testSite) count() map[string]int {
	m := map[string]int{}
	for _, h := range s.hits() {
		m[h.Path]++
	}
	return m
}

func (s *testSite) maxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxN
}

func (s *testSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, hit{Path: r.URL.RequestURI(), At: time.Now(), UA: r.UserAgent()})
	s.in++
	s.maxN = max(s.maxN, s.in)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.in--
		s.mu.Unlock()
	}()
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n")
		if s.crawlDelay != "" {
			fmt.Fprintf(w, "Crawl-delay: %s\n", s.crawlDelay)
		}
		fmt.Fprintf(w, "\nUser-agent: badbot\nDisallow: /\n\nSitemap: %s/sitemap_index.xml\n", s.srv.URL)
	case p == "/sitemap_index.xml":
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%[1]s/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>%[1]s/sitemap-archive.xml</loc><lastmod>2026-06-01</lastmod></sitemap>
  <sitemap><loc>https://elsewhere.invalid/sitemap.xml</loc></sitemap>
</sitemapindex>`, s.srv.URL)
	case p == "/sitemap-news.xml":
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
		for i := range 10 {
			fmt.Fprintf(w, `<url><loc>%s/news/fresh-%d</loc><news:news><news:publication><news:name>Test News</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-06-0%dT08:00:00Z</news:publication_date><news:title>Fresh story %d from the news sitemap</news:title></news:news></url>`, s.srv.URL, i, i%9+1, i)
		}
		fmt.Fprint(w, `</urlset>`)
	case p == "/sitemap-archive.xml":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := range 30 {
			fmt.Fprintf(w, `<url><loc>%s/news/archive-%d</loc><lastmod>2025-12-%02d</lastmod></url>`, s.srv.URL, i, i%28+1)
		}
		fmt.Fprintf(w, `<url><loc>%s/about</loc></url><url><loc>%s/private/secret-sitemap</loc></url></urlset>`, s.srv.URL, s.srv.URL)
	case p == "/sitemap.xml":
		http.NotFound(w, r)
	case p == "/news" || p == "/news/":
		s.index(w, r)
	case p == "/news/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4 not a page"))
	case p == "/news/loop-a":
		http.Redirect(w, r, "/news/loop-b", http.StatusFound)
	case p == "/news/loop-b":
		http.Redirect(w, r, "/news/loop-a", http.StatusFound)
	case strings.HasPrefix(p, "/r/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(p, "/r/"))
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n+1), http.StatusMovedPermanently)
	case p == "/news/big" && s.bigArticle > 0:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(articleHTML(s.srv.URL, "big", s.pages, s.perPage)))
		w.Write([]byte("<!-- " + strings.Repeat("x", s.bigArticle) + " -->"))
	case strings.HasPrefix(p, "/news/"):
		slug := strings.TrimPrefix(p, "/news/")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML(s.srv.URL, slug, s.pages, s.perPage))
	case strings.HasPrefix(p, "/private/"):
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, articleHTML(s.srv.URL, "private", s.pages, s.perPage))
	case p == "/events":
		s.calendar(w, r)
	case p == "/list":
		// The same page under many query orders.
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><a href="/list?a=1&b=2">ab</a><a href="/list?b=2&a=1">ba</a><a href="/list?b=2&a=1&utm_source=x">ba+utm</a>
<a href="/news/query-1?x=1&y=2">q</a><a href="/news/query-1?y=2&x=1">q2</a><a href="/news/query-1?y=2&x=1&utm_campaign=z">q3</a></body></html>`)
	case p == "/about" || p == "/contact" || p == "/tag/ai":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><title>%s</title></head><body>%s<p>About the Frontier Test Times.</p>
<a href="/news/s-0-0">first story</a></body></html>`, p, nav())
	default:
		http.NotFound(w, r)
	}
}

// index serves /news?page=N with an ETag per page.
func (s *testSite) index(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	if page > s.pages {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"index-%d-%d"`, page, s.pages)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head><title>News, page %d</title></head><body>%s<h1>Latest news</h1><ul>", page, nav())
	sid := newSession()
	for i := range s.perPage {
		slug := fmt.Sprintf("s-%d-%d", page-1, i)
		// Every link carries this visit's session ID, in two styles.
		if i%2 == 0 {
			fmt.Fprintf(&b, `<li><a href="/news/%s?sid=%s">Story %s</a></li>`, slug, sid, slug)
		} else {
			fmt.Fprintf(&b, `<li><a href="/news/%s;jsessionid=%s">Story %s</a></li>`, slug, sid, slug)
		}
	}
	b.WriteString("</ul>")
	if page == 1 {
		b.WriteString(`<p><a href="/news/report.pdf">Annual report (PDF)</a> <a href="/news/loop-a">Looping story</a>
<a href="/private/leaked-story">Leaked</a> <a href="/r/1">Redirects forever</a> <a href="/list?a=1&b=2">List</a>
<a href="mailto:tips@example.org">Tips</a> <a href="javascript:void(0)">Menu</a> <a href="https://elsewhere.invalid/x">Elsewhere</a>
<a href="/news/s-0-1#comments">Comments of story 1</a></p>`)
		if s.bigArticle > 0 {
			b.WriteString(`<a href="/news/big">Big story</a>`)
		}
	}
	if page < s.pages {
		fmt.Fprintf(&b, `<a rel="next" href="/news?page=%d&sid=%s">Older</a>`, page+1, sid)
	}
	b.WriteString("</body></html>")
	fmt.Fprint(w, b.String())
}

// calendar serves an endless calendar: every month links to the next.
func (s *testSite) calendar(w http.ResponseWriter, r *http.Request) {
	m, err := time.Parse("2006-01", r.URL.Query().Get("month"))
	if err != nil {
		m = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, `<html><body>%s<h1>Events in %s</h1><a href="/events?month=%s">previous</a> <a href="/events?month=%s">next</a></body></html>`,
		nav(), m.Format("January 2006"), m.AddDate(0, -1, 0).Format("2006-01"), m.AddDate(0, 1, 0).Format("2006-01"))
}

func newSession() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func nav() string {
	return `<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your visit.</p><button>Accept all cookies</button></div>
<header><nav><a href="/news">News</a> <a href="/events">Events</a> <a href="/about">About</a> <a href="/contact">Contact</a> <a href="/tag/ai">AI</a></nav></header>`
}

// articleSentence is the sentence unique to an article's text.
func articleSentence(slug string) string {
	return fmt.Sprintf("The evaluators confirmed that system %s completed the agentic task suite without human help.", slug)
}

// articleHTML is an article page with furniture: navigation, cookie
// banner, related links (to other articles), comments.
func articleHTML(base, slug string, pages, perPage int) string {
	rel := func(k int) string { return fmt.Sprintf("s-%d-%d", k%pages, (k*7)%perPage) }
	h := len(slug)
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story %[1]s | Frontier Test Times</title>
<meta property="og:title" content="Story %[1]s"><meta name="author" content="Sam Writer">
<meta property="article:published_time" content="2026-05-%02[2]dT10:00:00Z">
<link rel="canonical" href="%[3]s/news/%[1]s"></head>
<body>%[4]s
<main><article><h1>Story %[1]s</h1><p class="byline">By Sam Writer</p>
<p>%[5]s It reported the figures in a long technical note that the lab published on its own site, with the data behind every chart.</p>
<p>Researchers who were not involved said the results were consistent with the trend of the last two years, in which the length of tasks that agents finish on their own has kept growing.</p>
<p>The note also describes the failures: tasks where the system stopped early, misread the instructions, or needed a person to restart an environment that had crashed.</p>
</article>
<aside class="related"><h2>Related articles</h2><ul><li><a href="/news/%[6]s">Related story %[6]s</a></li><li><a href="/news/%[7]s">Related story %[7]s</a></li></ul></aside>
<section id="comments"><h2>Comments</h2><div class="comment"><p>Reader comment: this is the best summary I have read.</p></div></section>
</main><footer>© 2026 Frontier Test Times</footer></body></html>`,
		html.EscapeString(slug), h%28+1, base, nav(), html.EscapeString(articleSentence(slug)), rel(h), rel(h+3))
}
