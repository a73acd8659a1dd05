package hostile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/feeds"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// Feed behaviours: the hostile server is the feed itself. This file has
// the bodies, slow answers, TLS, redirects and compression.

// handler is a behaviour's handler, with its bench for the suite's quit
// channel and other servers.
type handler func(b *bench, w http.ResponseWriter, r *http.Request)

// feedAt serves h as the feed at /feed of the behaviour's server (and at
// every other path, where its redirects lead).
func feedAt(h handler) func(*bench) string {
	return func(b *bench) string {
		s := b.http()
		s.handle("/", func(w http.ResponseWriter, r *http.Request) { h(b, w, r) })
		return s.URL + "/feed"
	}
}

// rawAt serves the feed from a raw TCP server that reads the request and
// calls serve.
func rawAt(serve func(c net.Conn, quit <-chan struct{})) func(*bench) string {
	return func(b *bench) string {
		rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
			if _, err := readRequest(c); err != nil {
				return
			}
			serve(c, quit)
		})
		return "http://" + rs.addr + "/feed"
	}
}

// validFeed serves a good three-item feed.
func validFeed(b *bench, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(rss(b.srv.URL, "valid", 3))
}

func feedBehaviours() []*behaviour {
	var out []*behaviour
	out = append(out, bodyBehaviours()...)
	out = append(out, slowBehaviours()...)
	out = append(out, tlsBehaviours()...)
	out = append(out, redirectBehaviours()...)
	out = append(out, compressionBehaviours()...)
	out = append(out, encodingBehaviours()...)
	out = append(out, nestingBehaviours()...)
	out = append(out, contentTypeBehaviours()...)
	out = append(out, brokenHTTPBehaviours()...)
	out = append(out, statusBehaviours()...)
	out = append(out, headerBehaviours()...)
	return out
}

// tooLarge is the error of a body over the cap.
var tooLarge = want{err: fetch.ErrBodyTooLarge, msg: fmt.Sprintf("larger than %d MiB", maxBody/mib)}

// tooLargeOrSlow is the error of a body over the cap that the server sends
// as fast as it can: the cap or, on a slow machine, the timeout.
var tooLargeOrSlow = want{msg: fmt.Sprintf("larger than %d MiB | no complete response within %s", maxBody/mib, httpTimeout)}

// deadline is the error of an answer not complete within the timeout.
var deadline = want{err: context.DeadlineExceeded, msg: fmt.Sprintf("no complete response within %s", httpTimeout)}

func bodyBehaviours() []*behaviour {
	junk := bytes.Repeat([]byte("<item><title>junk</title></item>\n"), 8192)
	more := bytes.Repeat([]byte(`<item><title>more</title><link>http://example.org/x</link></item>`), 4096)
	return []*behaviour{
		{name: "body-11mib-length", family: "body", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(11*mib))
			repeat(w, junk, 11*mib)
		}), want: tooLarge},
		{name: "body-11mib-chunked", family: "body", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			repeat(w, junk, 11*mib)
		}), want: tooLargeOrSlow},
		{name: "body-endless", family: "body", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			endless(w, r, b.q, junk)
		}), want: tooLargeOrSlow},
		{name: "body-endless-after-valid-start", family: "body", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`))
			endless(w, r, b.q, more)
		}), want: tooLargeOrSlow},
		{name: "body-endless-huge-length", family: "body", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.FormatInt(1<<40, 10))
			endless(w, r, b.q, junk)
		}), want: tooLarge},
		{name: "body-endless-until-close", family: "body", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
			for {
				select {
				case <-quit:
					return
				default:
				}
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		}), want: tooLargeOrSlow},
		{name: "body-huge-item", family: "body", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			// Under the cap: one item whose text is half a mebibyte of words.
			return fmt.Appendf(nil, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Huge</title><link>%s/post/1</link><description>%s</description></item></channel></rss>`,
				b.srv.URL, bytes.Repeat([]byte("the lab wrote a very long post about its work. "), mib/2/47))
		}), want: want{ok: true, items: 1}},
	}
}

func slowBehaviours() []*behaviour {
	headers := want{msg: "timeout awaiting response headers"}
	return []*behaviour{
		{name: "drip-body-with-length", waits: 1, family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			body := rss(b.srv.URL, "drip", 3)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			drip(w, r, b.q, body, 100*time.Millisecond, false)
		}), want: deadline},
		{name: "drip-body-chunked-forever", waits: 1, family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			drip(w, r, b.q, rss(b.srv.URL, "drip", 3), 100*time.Millisecond, true)
		}), want: deadline},
		{name: "stall-after-headers", waits: 1, family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.WriteHeader(http.StatusOK)
			http.NewResponseController(w).Flush()
			stall(r, b.q)
		}), want: deadline},
		{name: "stall-mid-body", waits: 1, family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			body := rss(b.srv.URL, "half", 3)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:len(body)/2])
			http.NewResponseController(w).Flush()
			stall(r, b.q)
		}), want: deadline},
		{name: "stall-before-headers", waits: 1, family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			stall(r, b.q)
		}), want: headers},
		{name: "slowloris-status-line", waits: 1, family: "slow", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			rawDrip(c, quit, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n", true)
		}), want: headers},
		{name: "slowloris-headers", waits: 1, family: "slow", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			rawDrip(c, quit, "X-Padding: ", true)
		}), want: headers},
		{name: "accept-never-answer", waits: 1, family: "slow", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			wait(c, quit)
		}), want: headers},
		{name: "slow-but-in-time", family: "slow", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			// A slow server that finishes well within the timeout is fine.
			body := rss(b.srv.URL, "slow", 3)
			for i := 0; i < len(body); i += len(body)/8 + 1 {
				w.Write(body[i:min(len(body), i+len(body)/8+1)])
				http.NewResponseController(w).Flush()
				time.Sleep(50 * time.Millisecond)
			}
		}), want: want{ok: true, items: 3}},
	}
}

// rawDrip writes s one byte every 100 ms (then, with forever, 'a's) until
// the peer hangs up or the suite ends.
func rawDrip(c net.Conn, quit <-chan struct{}, s string, forever bool) {
	for i := 0; forever || i < len(s); i++ {
		b := byte('a')
		if i < len(s) {
			b = s[i]
		}
		if _, err := c.Write([]byte{b}); err != nil {
			return
		}
		select {
		case <-quit:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tlsBehaviours() []*behaviour {
	return []*behaviour{
		{name: "tls-stalled-handshake", waits: 1, family: "tls", setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) { wait(c, quit) })
			return "https://" + rs.addr + "/feed"
		}, want: want{msg: "TLS handshake timeout"}},
		{name: "tls-untrusted-certificate", family: "tls", setup: func(b *bench) string {
			s := b.https()
			s.handle("/feed", func(w http.ResponseWriter, r *http.Request) { validFeed(b, w, r) })
			return s.URL + "/feed"
		}, want: want{msg: "certificate"}},
		{name: "tls-plain-http-server", family: "tls", setup: func(b *bench) string {
			s := b.http()
			s.handle("/feed", func(w http.ResponseWriter, r *http.Request) { validFeed(b, w, r) })
			return "https://" + strings.TrimPrefix(s.URL, "http://") + "/feed"
		}, want: want{msg: "HTTP response to HTTPS client"}},
		{name: "tls-close-in-handshake", family: "tls", setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
				buf := make([]byte, 64<<10)
				c.Read(buf) // the ClientHello, then hang up
			})
			return "https://" + rs.addr + "/feed"
		}, want: want{msg: "EOF"}},
		{name: "tls-garbage-handshake", family: "tls", setup: func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
				buf := make([]byte, 512)
				c.Read(buf)
				c.Write(bytes.Repeat([]byte{0x16, 0x03, 0x03, 0xff, 0xff}, 200))
				wait(c, quit)
			})
			return "https://" + rs.addr + "/feed"
		}, want: want{msg: "tls"}},
		{name: "http-to-tls-server", family: "tls", setup: func(b *bench) string {
			s := b.https()
			s.handle("/feed", func(w http.ResponseWriter, r *http.Request) { validFeed(b, w, r) })
			return "http://" + strings.TrimPrefix(s.URL, "https://") + "/feed"
		}, want: want{msg: "400"}},
	}
}

func redirectBehaviours() []*behaviour {
	blocked := want{err: fetch.ErrBlockedAddress, msg: "private or local address"}
	to := func(name, target string) *behaviour {
		return &behaviour{name: name, family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusFound)
		}), want: blocked}
	}
	out := []*behaviour{
		{name: "redirect-loop", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			next := "/a"
			if r.URL.Path == "/a" {
				next = "/feed"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}), want: want{err: fetch.ErrTooManyRedirects, msg: "redirect loop"}},
		{name: "redirect-self", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusMovedPermanently)
		}), want: want{err: fetch.ErrTooManyRedirects, msg: "redirect loop"}},
		{name: "redirect-chain-20", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("hop"))
			if n >= 20 {
				validFeed(b, w, r)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/feed?hop=%d", n+1), http.StatusFound)
		}), want: want{err: fetch.ErrTooManyRedirects, msg: "stopped after 5 redirects"}},
		{name: "redirect-endless-distinct", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"/x", http.StatusTemporaryRedirect)
		}), want: want{err: fetch.ErrTooManyRedirects, msg: "stopped after 5 redirects"}},
		{name: "redirect-permanent-loop", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			next := "/b"
			if r.URL.Path == "/b" {
				next = "/feed"
			}
			http.Redirect(w, r, next, http.StatusPermanentRedirect)
		}), want: want{err: fetch.ErrTooManyRedirects, msg: "redirect loop"}},
		{name: "redirect-to-undeclared-loopback", family: "redirect", setup: func(b *bench) string {
			// A server on 127.0.0.1 that is not declared public: what a
			// service on the daemon's own machine looks like.
			inner := newUndeclared(b)
			s := b.http()
			s.handle("/feed", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, inner.URL+"/secret", http.StatusFound)
			})
			return s.URL + "/feed"
		}, want: want{err: fetch.ErrBlockedAddress, msg: "private or local address", check: innerUntouched}},
		{name: "redirect-to-localhost-name", family: "redirect", setup: func(b *bench) string {
			inner := newUndeclared(b)
			s := b.http()
			s.handle("/feed", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, strings.Replace(inner.URL, "127.0.0.1", "localhost", 1)+"/secret", http.StatusFound)
			})
			return s.URL + "/feed"
		}, want: want{err: fetch.ErrBlockedAddress, msg: "refusing to connect to localhost", check: innerUntouched}},
		{name: "redirect-chain-into-private", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/feed":
				http.Redirect(w, r, "/hop1", http.StatusMovedPermanently)
			case "/hop1":
				http.Redirect(w, r, "/hop2", http.StatusFound)
			default:
				http.Redirect(w, r, "http://10.0.0.1/feed", http.StatusFound)
			}
		}), want: blocked},
		to("redirect-to-10-net", "http://10.1.2.3/feed"),
		to("redirect-to-cloud-metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
		to("redirect-to-ipv6-loopback", "http://[::1]/feed"),
		to("redirect-to-unspecified", "http://0.0.0.0/feed"),
		to("redirect-to-192-168", "http://192.168.1.1/feed"),
		to("redirect-to-172-16", "http://172.16.0.1/feed"),
		to("redirect-to-cgnat", "http://100.64.0.1/feed"),
		to("redirect-to-ipv6-ula", "http://[fd00::1]/feed"),
		to("redirect-to-ipv4-mapped", "http://[::ffff:169.254.169.254]/feed"),
		to("redirect-to-ipv6-link-local", "http://[fe80::1]/feed"),
		to("redirect-to-broadcast", "http://255.255.255.255/feed"),
		to("redirect-to-multicast", "http://224.0.0.1/feed"),
		{name: "redirect-to-file-url", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}), want: want{err: fetch.ErrBadURL, msg: `unsupported URL scheme "file"`}},
		{name: "redirect-to-gopher", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "gopher://127.0.0.1:70/1", http.StatusFound)
		}), want: want{err: fetch.ErrBadURL, msg: `unsupported URL scheme "gopher"`}},
		{name: "redirect-without-location", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusFound)
		}), want: want{msg: "302 Found"}},
		{name: "redirect-invalid-location", family: "redirect", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header()["Location"] = []string{"http://[::1"}
			w.WriteHeader(http.StatusFound)
		}), want: want{msg: "invalid Location"}},
	}
	return out
}

// newUndeclared starts a server on 127.0.0.1 that is not declared public,
// kept on b.srv's side as b.inner.
func newUndeclared(b *bench) *server {
	s := &server{mux: http.NewServeMux(), hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.total.Add(1)
		fmt.Fprint(w, "internal secret")
	}))
	b.t.Cleanup(s.Close)
	b.inner = s
	return s
}

// innerUntouched: the server behind the refused redirect heard nothing.
func innerUntouched(t *testing.T, o *outcome) {
	if n := o.bench.inner.total.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}

func compressionBehaviours() []*behaviour {
	gz := func(h func(b *bench) []byte, ce string) func(*bench) string {
		return feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			if ce != "" {
				w.Header().Set("Content-Encoding", ce)
			}
			w.Write(h(b))
		})
	}
	notFeed := want{err: feeds.ErrNotFeed}
	return []*behaviour{
		{name: "gzip-bomb", family: "compression", setup: gz(func(*bench) []byte { return gzipBomb() }, "gzip"), want: tooLarge},
		{name: "gzip-bomb-nested", family: "compression", setup: gz(func(*bench) []byte { return nestedGzipBomb() }, "gzip"), want: notFeed},
		{name: "deflate-bomb", family: "compression", setup: gz(func(*bench) []byte { return deflateBomb() }, "deflate"), want: notFeed},
		{name: "gzip-without-content-encoding", family: "compression", setup: gz(func(b *bench) []byte {
			return gzipBytes(rss(b.srv.URL, "gz", 3))
		}, ""), want: notFeed},
		{name: "gzip-claimed-plain-body", family: "compression", setup: gz(func(b *bench) []byte {
			return rss(b.srv.URL, "plain", 3)
		}, "gzip"), want: want{msg: "gzip: invalid header"}},
		{name: "brotli-claimed", family: "compression", setup: gz(func(b *bench) []byte {
			return bytes.Repeat([]byte{0x1b, 0xff, 0x3f, 0x00}, 4096)
		}, "br"), want: notFeed},
		{name: "gzip-truncated", family: "compression", setup: gz(func(b *bench) []byte {
			z := gzipBytes(rss(b.srv.URL, "cut", 3))
			return z[:len(z)/2]
		}, "gzip"), want: want{msg: "unexpected EOF"}},
		{name: "gzip-bad-checksum", family: "compression", setup: gz(func(b *bench) []byte {
			z := gzipBytes(rss(b.srv.URL, "crc", 3))
			z[len(z)-8] ^= 0xff
			return z
		}, "gzip"), want: want{msg: "checksum"}},
		{name: "gzip-valid", family: "compression", setup: gz(func(b *bench) []byte {
			return gzipBytes(rss(b.srv.URL, "gzip-ok", 3))
		}, "gzip"), want: want{ok: true, items: 3}},
		{name: "unknown-encoding-plain-body", family: "compression", setup: gz(func(b *bench) []byte {
			// An encoding the client never asked for, on a body that is
			// plain after all: what matters is what the bytes are.
			return rss(b.srv.URL, "x-custom", 3)
		}, "x-custom"), want: want{ok: true, items: 3}},
	}
}
