package crawler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/crawler"
)

// benchSite is a 5,000-page site: a home page, 50 section pages and 4,949
// articles (99 per section, one section has 98), every page with
// navigation to the sections and five related articles.
const (
	benchSections = 50
	benchPerSect  = 99
)

func benchServer(latency time.Duration) *httptest.Server {
	nav := func(b *strings.Builder) {
		b.WriteString(`<header><nav>`)
		for s := range 10 {
			fmt.Fprintf(b, `<a href="/section/%d">Section %d</a> `, s, s)
		}
		b.WriteString(`</nav></header>`)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if latency > 0 {
			time.Sleep(latency)
		}
		var b strings.Builder
		p := r.URL.Path
		switch {
		case p == "/robots.txt":
			b.WriteString("User-agent: *\nDisallow: /private/\n")
			w.Write([]byte(b.String()))
			return
		case p == "/":
			b.WriteString(`<html><head><title>Home</title></head><body>`)
			nav(&b)
			for s := range benchSections {
				fmt.Fprintf(&b, `<a href="/section/%d">Section %d</a>`, s, s)
			}
		case strings.HasPrefix(p, "/section/"):
			var s int
			fmt.Sscanf(p, "/section/%d", &s)
			b.WriteString(`<html><head><title>Section</title></head><body>`)
			nav(&b)
			n := benchPerSect
			if s == benchSections-1 {
				n--
			}
			for i := range n {
				fmt.Fprintf(&b, `<h2><a href="/news/a-%d-%d">Article %d-%d</a></h2><p>Teaser text for the article, a sentence or two long.</p>`, s, i, s, i)
			}
		case strings.HasPrefix(p, "/news/"):
			var s, i int
			fmt.Sscanf(p, "/news/a-%d-%d", &s, &i)
			b.WriteString(`<html><head><title>Article</title><meta property="article:published_time" content="2026-05-01T10:00:00Z"></head><body>`)
			nav(&b)
			b.WriteString(`<article><h1>An article</h1>`)
			for range 6 {
				b.WriteString(`<p>The lab reported that its agents completed long software tasks without help, and evaluators confirmed the results on a held-out set of problems.</p>`)
			}
			b.WriteString(`</article><aside><h2>Related</h2>`)
			for k := 1; k <= 5; k++ {
				fmt.Fprintf(&b, `<a href="/news/a-%d-%d">Related %d</a> `, s, (i+k)%98, k)
			}
			b.WriteString(`</aside><footer>© Bench News</footer>`)
		default:
			http.NotFound(w, r)
			return
		}
		b.WriteString(`</body></html>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}))
}

type nopHandler struct{ n atomic.Int64 }

func (h *nopHandler) Handle(context.Context, *crawler.Page) error { h.n.Add(1); return nil }
func (h *nopHandler) Flush(context.Context) error                 { return nil }

// BenchmarkCrawl crawls the 5,000-page site through the project's crawler
// (durable frontier in a real SQLite archive, a no-op Handler: extraction
// is benchmarked in package article) and through a bare colly collector
// with the same settings (robots.txt obeyed, the same Transport and
// User-Agent, the same per-host parallelism, no delay), in the same run,
// with the server answering at once and after 10 ms. Each operation is a
// whole crawl:
//
//	go test -run '^$' -bench BenchmarkCrawl -benchtime 2x ./crawler
func BenchmarkCrawl(b *testing.B) {
	for _, tc := range []struct {
		latency     time.Duration
		parallelism int
	}{{0, 1}, {10 * time.Millisecond, 4}} {
		srv := benchServer(tc.latency)
		name := fmt.Sprintf("latency=%v/parallelism=%d", tc.latency, tc.parallelism)
		b.Run(name+"/crawler", func(b *testing.B) {
			var pages int64
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				st, err := archive.Open(context.Background(), filepath.Join(b.TempDir(), "fw.db"), archive.WithLogger(slog.New(slog.DiscardHandler)))
				if err != nil {
					b.Fatal(err)
				}
				src, err := st.UpsertSource(context.Background(), frontierwatch.Source{Name: "bench", Kind: frontierwatch.KindSite,
					URL: srv.URL + "/", Follow: []string{"^" + regexp.QuoteMeta(srv.URL) + `/news/a-\d+-\d+$`}, MaxDepth: 2, MaxPages: 10000, Enabled: true})
				if err != nil {
					b.Fatal(err)
				}
				c := crawler.New(testClient(0), crawler.Options{Parallelism: tc.parallelism, FlushEvery: 100})
				h := &nopHandler{}
				b.StartTimer()
				start := time.Now()
				res, err := c.Crawl(context.Background(), src, storeFrontier{st, src.ID}, h)
				elapsed += time.Since(start)
				b.StopTimer()
				if err != nil || res.Err != nil {
					b.Fatal(err, res.Err)
				}
				pages += int64(res.Requests)
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
			b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
		})
		b.Run(name+"/colly", func(b *testing.B) {
			var pages int64
			var elapsed time.Duration
			host, _ := url.Parse(srv.URL)
			for range b.N {
				client := testClient(0)
				c := colly.NewCollector(colly.UserAgent(client.UserAgent()), colly.Async(true), colly.MaxDepth(3),
					colly.AllowedDomains(host.Hostname()))
				c.IgnoreRobotsTxt = false
				c.WithTransport(client.Transport())
				c.SetRequestTimeout(client.HTTPClient().Timeout)
				if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: tc.parallelism}); err != nil {
					b.Fatal(err)
				}
				var n atomic.Int64
				c.OnResponse(func(*colly.Response) { n.Add(1) })
				c.OnHTML("a[href]", func(e *colly.HTMLElement) { _ = e.Request.Visit(e.Attr("href")) })
				start := time.Now()
				if err := c.Visit(srv.URL + "/"); err != nil {
					b.Fatal(err)
				}
				c.Wait()
				elapsed += time.Since(start)
				pages += n.Load()
			}
			b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
			b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
		})
		srv.Close()
	}
}
