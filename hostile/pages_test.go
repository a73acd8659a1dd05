package hostile

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Full-text behaviours: a good feed whose items link to hostile pages.
// Whatever the pages do, the feed's three items are stored with the feed's
// own text, within the feed's timeout and one round of page timeouts (the
// pages of a host that times out are not tried again in the same poll).

// pageAt serves h for the pages base/1…3 and returns base.
func pageAt(h handler) func(*bench) string {
	return func(b *bench) string {
		s := b.http()
		s.handle("/p/", func(w http.ResponseWriter, r *http.Request) { h(b, w, r) })
		return s.URL + "/p"
	}
}

// pageText: every stored article has text from its page containing want
// (the page was usable and its text decoded right).
func pageText(want string) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		if len(o.articles) != o.b.want.items || len(o.articles) == 0 {
			t.Errorf("%d articles stored, want %d", len(o.articles), o.b.want.items)
		}
		for _, a := range o.articles {
			if !strings.Contains(a.Text, want) {
				t.Errorf("article %s: text %q does not have the page's %q", a.URL, clip(a.Text), want)
			}
		}
	}
}

// latinPage is an article page whose paragraphs say "café" and "naïve".
func latinPage() string {
	return strings.Replace(string(articleHTML("Café report")), "<p>In the report",
		"<p>At the café the naïve reviewers said the report", 1)
}

func pageBehaviours() []*behaviour {
	kept := want{ok: true, items: pageItems}
	latin1, _ := latin1Encode(latinPage())
	page := bytes.Repeat([]byte("<p>page</p>"), 6000)
	more := bytes.Repeat([]byte("<div>more</div>"), 1000)
	deep := []byte("<html><body>" + strings.Repeat("<div>", 100000) + string(articleHTML("deep")) + strings.Repeat("</div>", 100000))
	return []*behaviour{
		{name: "page-11mib", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(11*mib))
			repeat(w, page, 11*mib)
		}), want: kept},
		{name: "page-endless", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			endless(w, r, b.q, more)
		}), want: kept},
		{name: "page-drip", family: "full-text", kind: pageKind, waits: 1, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			drip(w, r, b.q, articleHTML("drip"), 100*time.Millisecond, true)
		}), want: kept},
		{name: "page-stall-before-headers", family: "full-text", kind: pageKind, waits: 1, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			stall(r, b.q)
		}), want: kept},
		{name: "page-tls-stalled-handshake", family: "full-text", kind: pageKind, waits: 1, setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) { wait(c, quit) })
			return "https://" + rs.addr + "/p"
		}, want: kept},
		{name: "page-gzip-bomb", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb())
		}), want: kept},
		{name: "page-redirect-to-metadata", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}), want: kept},
		{name: "page-redirect-to-undeclared-loopback", family: "full-text", kind: pageKind, setup: func(b *bench) string {
			inner := newUndeclared(b)
			return pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, inner.URL+"/admin", http.StatusFound)
			})(b)
		}, want: want{ok: true, items: pageItems, check: both(keepsFeedText, innerUntouched)}},
		{name: "page-redirect-loop", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}), want: kept},
		{name: "page-links-to-metadata-ip", family: "full-text", kind: pageKind, setup: func(b *bench) string {
			return "http://169.254.169.254/latest/meta-data"
		}, want: kept},
		{name: "page-reset-mid-body", family: "full-text", kind: pageKind, setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
				if _, err := readRequest(c); err != nil {
					return
				}
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 90000\r\n\r\n<html><body><p>"))
				time.Sleep(20 * time.Millisecond)
				c.(*net.TCPConn).SetLinger(0)
			})
			return "http://" + rs.addr + "/p"
		}, want: kept},
		{name: "page-garbage-status-line", family: "full-text", kind: pageKind, setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
				if _, err := readRequest(c); err == nil {
					c.Write([]byte("HTTP/1.1 OK 200\r\n\r\n"))
				}
			})
			return "http://" + rs.addr + "/p"
		}, want: kept},
		{name: "page-html-nested-100k", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(deep)
		}), want: kept},
		{name: "page-png", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64<<10)...))
		}), want: kept},
		{name: "page-429-with-retry-after", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
		}), want: kept},
		{name: "page-empty-200", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
		}), want: kept},
		{name: "page-latin1-declared", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			w.Write([]byte(strings.Replace(latin1, `<meta charset="utf-8">`, "", 1)))
		}), want: want{ok: true, items: pageItems, check: pageText("café the naïve")}},
		{name: "page-charset-header-lies", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			w.Write([]byte(strings.Replace(latinPage(), `<meta charset="utf-8">`, "", 1)))
		}), want: want{ok: true, items: pageItems, check: pageText("café the naïve")}},
		{name: "page-meta-charset-lies", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(strings.Replace(latinPage(), `<meta charset="utf-8">`, `<meta charset="windows-1252">`, 1)))
		}), want: want{ok: true, items: pageItems, check: pageText("café the naïve")}},
		{name: "page-invalid-utf8", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(strings.Replace(latinPage(), "reviewers", "reviewers \xff\xfe\xc0", 1)))
		}), want: want{ok: true, items: pageItems, check: pageText("research engineering tasks")}},
		{name: "page-utf16-with-bom", family: "full-text", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(utf16Bytes(strings.Replace(latinPage(), `<meta charset="utf-8">`, "", 1), false, true))
		}), want: want{ok: true, items: pageItems, check: pageText("café the naïve")}},
	}
}

func latin1Encode(s string) (string, error) { return charmap.ISO8859_1.NewEncoder().String(s) }
