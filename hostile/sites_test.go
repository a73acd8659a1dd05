package hostile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// Site behaviours: a site source whose seed, robots.txt, sitemaps or
// article pages are hostile. A failing seed or robots.txt fails the source
// (recorded on it); a failing article page is one failed attempt recorded
// in the source's frontier, and the others are stored all the same.

// siteWith starts a site whose paths in override are hostile and returns
// its seed.
func siteWith(override map[string]handler) func(*bench) string {
	return func(b *bench) string {
		hs := map[string]http.HandlerFunc{}
		for p, h := range override {
			hs[p] = func(w http.ResponseWriter, r *http.Request) { h(b, w, r) }
		}
		return b.site(hs).URL + "/news"
	}
}

// seedIs makes the seed hostile.
func seedIs(h handler) func(*bench) string { return siteWith(map[string]handler{"/news": h}) }

// robotsIs makes robots.txt hostile.
func robotsIs(h handler) func(*bench) string { return siteWith(map[string]handler{"/robots.txt": h}) }

// articleIs makes a site whose seed links to two articles, /news/post-1
// (good) and /news/post-2 (hostile).
func articleIs(h handler) func(*bench) string {
	return siteWith(map[string]handler{"/news": func(b *bench, w http.ResponseWriter, r *http.Request) {
		htmlPage(b, w, seedHTML(2))
	}, "/news/": func(b *bench, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/news/post-2" {
			h(b, w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(articleHTML("Lab update " + r.URL.Path))
	}})
}

// sitemapIs serves a robots.txt that names /sm/sitemap.xml.gz and
// /sitemap.xml as sitemaps and h for both.
func sitemapIs(h handler) func(*bench) string {
	return siteWith(map[string]handler{
		"/robots.txt": func(b *bench, w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sm/sitemap.xml.gz\n", b.srv.URL)
		},
		"/sitemap.xml": h,
		"/sm/":         h,
	})
}

// frontierFailed: n article URLs of the source have one failed attempt
// recorded in its frontier.
func frontierFailed(n int) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		pend, err := o.store.PendingCrawlURLs(context.Background(), o.src.ID, 100000)
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, p := range pend {
			if p.Attempts > 0 {
				failed++
			}
		}
		if failed != n {
			t.Errorf("%d article URLs with a failed attempt in the frontier, want %d", failed, n)
		}
	}
}

// fetchedAtMost: the site's server was asked path at most n times.
func fetchedAtMost(path string, n int) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		if got := o.bench.srv.count(path); got > n {
			t.Errorf("%s fetched %d times, want at most %d", path, got, n)
		}
	}
}

func htmlPage(b *bench, w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(body)
}

func siteBehaviours() []*behaviour {
	var out []*behaviour
	out = append(out, seedBehaviours()...)
	out = append(out, robotsBehaviours()...)
	out = append(out, sitemapBehaviours()...)
	out = append(out, articleBehaviours()...)
	return out
}

func seedBehaviours() []*behaviour {
	s := func(name string, waits int, setup func(*bench) string, w want) *behaviour {
		return &behaviour{name: name, family: "site-seed", kind: siteKind, waits: waits, setup: setup, want: w}
	}
	links := bytes.Repeat([]byte(`<a href="/x">x</a>`), 1000)
	para := bytes.Repeat([]byte("<p>seed</p>"), 6000)
	bigHeader := strings.Repeat("h", 2*mib)
	deep := []byte(strings.Repeat("<div>", 100000) + string(seedHTML(siteArticles)) + strings.Repeat("</div>", 100000))
	cookies := make([]string, 1000)
	for i := range cookies {
		cookies[i] = fmt.Sprintf("s%d=%s; Path=/", i, strings.Repeat("v", 60))
	}
	return []*behaviour{
		s("site-seed-endless", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			endless(w, r, b.q, links)
		}), want{msg: "too large | no complete response within"}),
		s("site-seed-11mib-length", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(11*mib))
			repeat(w, para, 11*mib)
		}), want{msg: "too large"}),
		s("site-seed-drip", 1, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			drip(w, r, b.q, seedHTML(siteArticles), 100*time.Millisecond, true)
		}), want{msg: "no complete response within"}),
		s("site-seed-stall-before-headers", 1, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			stall(r, b.q)
		}), want{msg: "timeout"}),
		s("site-seed-tls-stalled-handshake", 1, func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) { wait(c, quit) })
			return "https://" + rs.addr + "/news"
		}, want{msg: "TLS handshake timeout"}),
		s("site-seed-untrusted-certificate", 0, func(b *bench) string {
			srv := b.https()
			srv.handle("/", func(w http.ResponseWriter, r *http.Request) { htmlPage(b, w, seedHTML(siteArticles)) })
			return srv.URL + "/news"
		}, want{msg: "certificate"}),
		s("site-seed-redirect-loop", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/news", http.StatusFound)
		}), want{msg: "redirect"}),
		s("site-seed-redirect-to-undeclared-loopback", 0, func(b *bench) string {
			inner := newUndeclared(b)
			return seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, inner.URL+"/news", http.StatusFound)
			})(b)
		}, want{err: fetch.ErrBlockedAddress, msg: "private or local address", check: innerUntouched}),
		s("site-seed-redirect-to-metadata", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}), want{msg: "not an allowed domain"}),
		s("site-seed-gzip-bomb", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb())
		}), want{msg: "too large | no complete response within"}),
		s("site-seed-reset-mid-body", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			c, _ := hijack(w)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 90000\r\n\r\n<html><body><a href=\"/news/post-1\">"))
			time.Sleep(20 * time.Millisecond)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}), want{msg: "reset"}),
		s("site-seed-garbage-status-line", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			writeRaw(w, "HTTP/1.1 OK OK\r\n\r\n")
		}), want{msg: "malformed HTTP"}),
		s("site-seed-429-retry-after", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		}), want{msg: "429", check: retryIn(time.Hour, time.Second)}),
		s("site-seed-500", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}), want{msg: "500"}),
		s("site-seed-header-flood", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", bigHeader)
			htmlPage(b, w, seedHTML(siteArticles))
		}), want{msg: "server response headers exceeded | timeout awaiting response headers"}),
		s("site-seed-png", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("\x89PNG\r\n\x1a\n"))
		}), want{msg: "image/png"}),
		s("site-seed-html-nested-100k", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			htmlPage(b, w, deep)
		}), want{ok: true, items: siteArticles}),
		s("site-seed-cookie-flood", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header()["Set-Cookie"] = cookies
			htmlPage(b, w, seedHTML(siteArticles))
		}), want{ok: true, items: siteArticles}),
		s("site-seed-links-to-private", 0, seedIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			htmlPage(b, w, []byte(`<html><body><a href="http://169.254.169.254/news/post-1">a</a> <a href="http://10.0.0.1/news/post-2">b</a>`+
				`<a href="http://[::1]/news/post-3">c</a> <a href="file:///etc/passwd">d</a> <a href="/news/post-1">e</a></body></html>`))
		}), want{ok: true, items: 1}),
	}
}

func robotsBehaviours() []*behaviour {
	s := func(name string, waits int, setup func(*bench) string, w want) *behaviour {
		return &behaviour{name: name, family: "robots", kind: siteKind, waits: waits, setup: setup, want: w}
	}
	fine := want{ok: true, items: siteArticles}
	var huge strings.Builder
	huge.WriteString("User-agent: *\nAllow: /news\n")
	for i := 0; i < mib/24; i++ {
		fmt.Fprintf(&huge, "Disallow: /private/%07d\n", i)
	}
	traps := bytes.Repeat([]byte("Disallow: /trap/\n"), 4096)
	noise := bytes.Repeat([]byte{0, 0xff, '\n', 0x80, ':'}, 20000)
	return []*behaviour{
		s("robots-huge", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, huge.String())
		}), fine),
		s("robots-endless", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nAllow: /news\n")
			endless(w, r, b.q, traps)
		}), fine),
		s("robots-drip", 1, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			drip(w, r, b.q, []byte("User-agent: *\nAllow: /\n"), 100*time.Millisecond, true)
		}), want{msg: "robots.txt"}),
		s("robots-stall-before-headers", 1, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			stall(r, b.q)
		}), want{msg: "robots.txt"}),
		s("robots-redirect-loop", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/robots.txt", http.StatusMovedPermanently)
		}), fine),
		s("robots-redirect-to-metadata", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/robots.txt", http.StatusFound)
		}), fine),
		s("robots-500", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}), want{msg: "robots.txt answered 500"}),
		s("robots-gzip-bomb", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb())
		}), fine),
		s("robots-binary-noise", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(noise)
		}), fine),
		s("robots-disallow-all", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		}), want{msg: "robots.txt forbids"}),
		s("robots-reset", 0, robotsIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			c, _ := hijack(w)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nUser-agent: *\n"))
			time.Sleep(20 * time.Millisecond)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}), want{msg: "robots.txt"}),
	}
}

func sitemapBehaviours() []*behaviour {
	s := func(name string, waits int, setup func(*bench) string, w want) *behaviour {
		return &behaviour{name: name, family: "sitemap", kind: siteKind, waits: waits, setup: setup, want: w}
	}
	xml := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, body)
	}
	fine := want{ok: true, items: siteArticles}
	nested := `<urlset>` + strings.Repeat("<url>", 100000) + strings.Repeat("</url>", 100000) + `</urlset>`
	urls := bytes.Repeat([]byte("<url><loc>http://example.org/x</loc></url>"), 1000)
	nines := strings.Repeat("9", mib)
	return []*behaviour{
		s("sitemap-index-points-at-itself", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			xml(w, fmt.Sprintf(`<sitemapindex><sitemap><loc>%s%s</loc></sitemap></sitemapindex>`, b.srv.URL, r.URL.Path))
		}), want{ok: true, items: siteArticles, check: both(fetchedAtMost("/sitemap.xml", 1), fetchedAtMost("/sm/sitemap.xml.gz", 1))}),
		s("sitemap-index-cycle", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			other := "/sm/sitemap.xml.gz"
			if r.URL.Path == other {
				other = "/sitemap.xml"
			}
			xml(w, fmt.Sprintf(`<sitemapindex><sitemap><loc>%s%s</loc></sitemap></sitemapindex>`, b.srv.URL, other))
		}), want{ok: true, items: siteArticles, check: both(fetchedAtMost("/sitemap.xml", 1), fetchedAtMost("/sm/sitemap.xml.gz", 1))}),
		s("sitemap-50k-urls", 0, func(b *bench) string {
			// The plain-text form: 50,000 URLs fit under the body cap.
			seed := siteWith(nil)(b)
			var sb strings.Builder
			for i := 1; i <= 50000; i++ {
				fmt.Fprintf(&sb, "%s/news/post-%d\n", b.srv.URL, i)
			}
			list := sb.String()
			b.srv.handle("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, list)
			})
			return seed
		}, want{ok: true, items: 9, check: sitemapCapped}),
		s("sitemap-index-50k-children", 0, func(b *bench) string {
			seed := siteWith(nil)(b)
			var sb strings.Builder
			sb.WriteString(`<sitemapindex>`)
			for i := range 50000 {
				fmt.Fprintf(&sb, "<sitemap><loc>%s/sm/%d.xml</loc></sitemap>", b.srv.URL, i)
			}
			sb.WriteString(`</sitemapindex>`)
			index := sb.String()
			b.srv.handle("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) { xml(w, index) })
			return seed
		}, want{ok: true, items: siteArticles, check: sitemapFilesAtMost(20)}),
		s("sitemap-gzip-bomb-file", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			// A .xml.gz sitemap is a gzip file, not a gzip encoding.
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(gzipBomb())
		}), fine),
		s("sitemap-gzip-bomb-nested", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(nestedGzipBomb())
		}), fine),
		s("sitemap-endless", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<urlset>`)
			endless(w, r, b.q, urls)
		}), fine),
		s("sitemap-drip", 2, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			drip(w, r, b.q, []byte("<urlset><url><loc>"), 100*time.Millisecond, true)
		}), fine),
		s("sitemap-billion-laughs", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			xml(w, `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">`+
				`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><urlset><url><loc>&d;</loc></url></urlset>`)
		}), fine),
		s("sitemap-private-urls", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			xml(w, `<urlset><url><loc>http://169.254.169.254/news/post-1</loc></url><url><loc>http://10.0.0.1/news/post-2</loc></url>`+
				`<url><loc>http://[::1]/news/post-3</loc></url><url><loc>file:///etc/passwd</loc></url></urlset>`)
		}), fine),
		s("sitemap-huge-loc", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			xml(w, `<urlset><url><loc>`+b.srv.URL+"/news/post-"+nines+`</loc></url></urlset>`)
		}), fine),
		s("sitemap-nested-100k", 0, sitemapIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			xml(w, nested)
		}), fine),
	}
}

// sitemapCapped: a sitemap of 50,000 URLs puts at most MaxSitemapURLs
// (10,000) in the frontier, beside the seed's three links, and the run
// fetched what max_pages allowed.
func sitemapCapped(t *testing.T, o *outcome) {
	stats, err := o.store.CrawlStats(context.Background(), o.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	total := stats[archive.CrawlPending] + stats[archive.CrawlDone] + stats[archive.CrawlFailed]
	if total > 10003 || stats[archive.CrawlPending] == 0 {
		t.Errorf("frontier %v: want at most 10003 URLs, the rest left pending", stats)
	}
}

// sitemapFilesAtMost: the crawl read at most n sitemap files.
func sitemapFilesAtMost(n int) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		got := 0
		o.bench.srv.mu.Lock()
		for p, c := range o.bench.srv.hits {
			if p == "/sitemap.xml" || strings.HasPrefix(p, "/sm/") {
				got += c
			}
		}
		o.bench.srv.mu.Unlock()
		if got > n {
			t.Errorf("%d sitemap files fetched, want at most %d", got, n)
		}
	}
}

func articleBehaviours() []*behaviour {
	s := func(name string, waits int, setup func(*bench) string, w want) *behaviour {
		return &behaviour{name: name, family: "site-article", kind: siteKind, waits: waits, setup: setup, want: w}
	}
	oneFailed := want{ok: true, items: 1, check: frontierFailed(1)}
	more := bytes.Repeat([]byte("<p>more words</p>"), 1000)
	deep := []byte("<html><body>" + strings.Repeat("<div>", 100000) + string(articleHTML("deep")) + strings.Repeat("</div>", 100000))
	return []*behaviour{
		s("article-endless", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			endless(w, r, b.q, more)
		}), oneFailed),
		s("article-drip", 1, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			drip(w, r, b.q, articleHTML("drip"), 100*time.Millisecond, true)
		}), oneFailed),
		s("article-gzip-bomb", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb())
		}), oneFailed),
		s("article-gzip-file-bomb", 0, siteWith(map[string]handler{
			"/news": func(b *bench, w http.ResponseWriter, r *http.Request) {
				htmlPage(b, w, []byte(`<a href="/news/post-1">1</a><a href="/news/post-2.xml.gz">2</a>`))
			},
			"/news/post-2.xml.gz": func(b *bench, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(gzipBomb())
			},
		}), want{ok: true, items: 1}),
		s("article-redirect-to-metadata", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}), oneFailed),
		s("article-redirect-loop", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"?again", http.StatusFound)
		}), oneFailed),
		s("article-429-storm", 0, siteWith(map[string]handler{"/news/": func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
		}}), want{ok: true, items: 0, check: frontierFailed(siteArticles)}),
		s("article-html-nested-100k", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			htmlPage(b, w, deep)
		}), want{ok: true, items: 1}),
		s("article-png", 0, articleIs(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000))
		}), want{ok: true, items: 1}),
		s("article-charset-header-lies", 0, siteWith(map[string]handler{"/news/": func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			w.Write([]byte(strings.Replace(latinPage(), `<meta charset="utf-8">`, "", 1)))
		}}), want{ok: true, items: siteArticles, check: pageText("café the naïve")}),
		s("article-latin1-declared", 0, siteWith(map[string]handler{"/news/": func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			latin1, _ := latin1Encode(strings.Replace(latinPage(), `<meta charset="utf-8">`, "", 1))
			w.Write([]byte(latin1))
		}}), want{ok: true, items: siteArticles, check: pageText("café the naïve")}),
	}
}
