package crawler_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/crawler"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// Regression tests for what the hostile-server suite (package hostile)
// found in the crawler.

// smallSite serves robots.txt (robots), a seed /news linking to
// /news/post-1 and /news/post-2, and the articles; extra handlers replace
// or add paths.
func smallSite(t *testing.T, robots string, extra map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	handlers := map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, robots) },
		"/news": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/news/post-1">1</a> <a href="/news/post-2">2</a></body></html>`)
		},
		"/news/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><article><p>Article %s.</p></article></body></html>`, r.URL.Path)
		},
	}
	for p, h := range extra {
		handlers[p] = h
	}
	mux := http.NewServeMux()
	for p, h := range handlers {
		mux.HandleFunc(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func smallSource(t *testing.T, srv *httptest.Server) (frontierwatch.Source, storeFrontier) {
	t.Helper()
	st := testStore(t, "")
	src, err := st.UpsertSource(context.Background(), frontierwatch.Source{Name: "small", Kind: frontierwatch.KindSite,
		URL: srv.URL + "/news", Follow: []string{"^" + regexp.QuoteMeta(srv.URL) + `/news/post-\d+$`}, MaxDepth: 1, MaxPages: 10, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return src, storeFrontier{st, src.ID}
}

// TestCrawlRobotsDripTimesOut: a robots.txt that dribbles a byte at a time
// fails the run within the client's timeout. Its body used to be read
// without any timeout, holding the source for the whole job.
func TestCrawlRobotsDripTimesOut(t *testing.T) {
	stop := make(chan struct{})
	srv := smallSite(t, "", map[string]http.HandlerFunc{"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte("#")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}})
	t.Cleanup(func() { close(stop) }) // before srv.Close
	src, fr := smallSource(t, srv)
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	res, err := crawler.New(client, crawler.Options{NoSitemaps: true}).Crawl(ctx, src, fr, newPageLog())
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), "robots.txt") || !strings.Contains(res.Err.Error(), "no complete response within 1s") {
		t.Errorf("Result.Err = %v, want robots.txt's timeout", res.Err)
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("the run took %v with a 1s timeout", el)
	}
}

// TestCrawlDelayLongerThanTimeout: a robots.txt Crawl-delay longer than
// the request timeout slows the crawl down but fails nothing. The wait for
// the host's turn used to count against the request's timeout, so every
// request after robots.txt timed out and the source failed.
func TestCrawlDelayLongerThanTimeout(t *testing.T) {
	srv := smallSite(t, "User-agent: *\nCrawl-delay: 2\n", nil)
	src, fr := smallSource(t, srv)
	src.MaxPages = 2 // the seed and one article: two waits of 2s
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: time.Second})
	h := newPageLog()
	res, err := crawler.New(client, crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, fr, h)
	if err != nil || res.Err != nil {
		t.Fatalf("crawl: %v, %v", err, res.Err)
	}
	if res.Articles != 1 || res.Failed != 0 {
		t.Errorf("result %+v: want one article and no failure", res)
	}
}

// TestCrawlGzipSitemapBomb: a .xml.gz sitemap is decompressed under the
// body cap. colly used to decompress it itself, with no cap on what came
// out.
func TestCrawlGzipSitemapBomb(t *testing.T) {
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zero := make([]byte, 1<<20)
	for range 256 { // 256 MiB of zeros
		zw.Write(zero)
	}
	zw.Close()
	bomb := zbuf.Bytes()
	var robots string
	srv := smallSite(t, "", map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, robots) },
		"/sitemap.xml.gz": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(bomb)
		},
	})
	robots = "User-agent: *\nSitemap: " + srv.URL + "/sitemap.xml.gz\n"
	src, fr := smallSource(t, srv)
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second, MaxBody: 1 << 20})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := crawler.New(client, crawler.Options{MaxBody: 1 << 20}).Crawl(context.Background(), src, fr, newPageLog())
	runtime.ReadMemStats(&after)
	if err != nil || res.Err != nil {
		t.Fatalf("crawl: %v, %v", err, res.Err)
	}
	if res.Articles != 2 {
		t.Errorf("%d articles, want 2", res.Articles)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("the crawl allocated %d MiB for a sitemap over a 1 MiB cap", alloc>>20)
	}
}

// TestCrawlGzipSitemapPlain: a plain sitemap under a .xml.gz name is read
// as it is.
func TestCrawlGzipSitemapPlain(t *testing.T) {
	var robots, base string
	srv := smallSite(t, "", map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, robots) },
		"/sitemap.xml.gz": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<urlset><url><loc>%s/news/post-7</loc></url></urlset>`, base)
		},
	})
	base = srv.URL
	robots = "User-agent: *\nSitemap: " + srv.URL + "/sitemap.xml.gz\n"
	src, fr := smallSource(t, srv)
	res, err := crawler.New(testClient(0), crawler.Options{}).Crawl(context.Background(), src, fr, newPageLog())
	if err != nil || res.Err != nil {
		t.Fatalf("crawl: %v, %v", err, res.Err)
	}
	if res.Sitemaps != 1 || res.Articles != 3 {
		t.Errorf("result %+v: want the sitemap read and its article fetched", res)
	}
}

// TestCrawlSeedRetryAfter: a seed answering 429 or 503 with Retry-After
// fails the run with an error that carries the delay, as a feed's does.
func TestCrawlSeedRetryAfter(t *testing.T) {
	srv := smallSite(t, "", map[string]http.HandlerFunc{"/news": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}})
	src, fr := smallSource(t, srv)
	res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, fr, newPageLog())
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), "429 Too Many Requests") {
		t.Fatalf("Result.Err = %v, want the 429", res.Err)
	}
	if d, ok := fetch.RetryAfter(res.Err); !ok || d != time.Hour {
		t.Errorf("Retry-After %v, %v; want 1h", d, ok)
	}
	var se *fetch.StatusError
	if !errors.As(res.Err, &se) || se.Code != http.StatusTooManyRequests {
		t.Errorf("Result.Err is not a 429 *fetch.StatusError: %#v", res.Err)
	}
}

// TestCrawlSeedNotHTML: a seed that is not an HTML page fails the source,
// saying what it is, instead of a crawl that finds nothing and succeeds.
func TestCrawlSeedNotHTML(t *testing.T) {
	srv := smallSite(t, "", map[string]http.HandlerFunc{"/news": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
	}})
	src, fr := smallSource(t, srv)
	res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, fr, newPageLog())
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), "not an HTML page but image/png") {
		t.Errorf("Result.Err = %v, want the seed called out as image/png", res.Err)
	}
}

// TestCrawlPageBytesAsSent: article pages reach the Handler as the server
// sent them, with their Content-Type, so that article.Extract decides the
// encoding. colly used to convert them by the declared charset first, and a
// UTF-8 page that says ISO-8859-1 was stored as "cafÃ©".
func TestCrawlPageBytesAsSent(t *testing.T) {
	const text = "At the café the naïve reviewers found that the agents completed research engineering tasks lasting more than eight hours without intervention."
	utf8Page := []byte(`<html><head><title>Café</title></head><body><article><p>` + text + `</p></article></body></html>`)
	latin1Page := []byte(strings.NewReplacer("é", "\xe9", "ï", "\xef").Replace(string(utf8Page)))
	srv := smallSite(t, "", map[string]http.HandlerFunc{"/news/": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		if r.URL.Path == "/news/post-1" {
			w.Write(utf8Page) // says ISO-8859-1, is UTF-8
			return
		}
		w.Write(latin1Page)
	}})
	src, fr := smallSource(t, srv)
	h := newPageLog()
	res, err := crawler.New(testClient(0), crawler.Options{NoSitemaps: true}).Crawl(context.Background(), src, fr, h)
	if err != nil || res.Err != nil || len(h.pages) != 2 {
		t.Fatalf("crawl: %v, %v, %d pages", err, res.Err, len(h.pages))
	}
	for _, p := range h.pages {
		want := latin1Page
		if strings.HasSuffix(p.FinalURL, "/post-1") {
			want = utf8Page
		}
		if !bytes.Equal(p.Body, want) || p.ContentType != "text/html; charset=ISO-8859-1" {
			t.Errorf("%s: body %q, Content-Type %q: want them as sent", p.FinalURL, p.Body, p.ContentType)
		}
		a, err := article.Extract(p.Body, article.Options{URL: p.FinalURL, ContentType: p.ContentType})
		if err != nil || !strings.Contains(a.Text, "café the naïve") {
			t.Errorf("%s: extracted %v, %v", p.FinalURL, a, err)
		}
		if p.Header.Get("X-Frontierwatch-Declared-Content-Type") != "" {
			t.Errorf("%s: the crawler's own header leaked into the page's", p.FinalURL)
		}
	}
}
