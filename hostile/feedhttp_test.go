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

	"github.com/frontierwatch/frontierwatch/daemon"
	"github.com/frontierwatch/frontierwatch/feeds"
)

// Feed behaviours: 0-byte, truncated and malformed HTTP answers, error
// statuses and Retry-After, header floods.

// rawAnswer reads the request and writes raw, then hangs up.
func rawAnswer(raw string) func(*bench) string {
	return rawAt(func(c net.Conn, quit <-chan struct{}) { io.WriteString(c, raw) })
}

func brokenHTTPBehaviours() []*behaviour {
	const head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
	body := string(rss("http://example.org", "raw", 3))
	return []*behaviour{
		{name: "zero-byte-200", family: "truncated", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.WriteHeader(http.StatusOK)
		}), want: want{err: feeds.ErrNotFeed, msg: "empty body"}},
		{name: "zero-byte-204", family: "truncated", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}), want: want{err: feeds.ErrNotFeed, msg: "empty body"}},
		{name: "whitespace-only-body", family: "truncated", setup: bodyAt("application/rss+xml", func(*bench) []byte {
			return bytes.Repeat([]byte(" \r\n\t"), 1000)
		}), want: want{err: feeds.ErrNotFeed, msg: "empty body"}},
		{name: "truncated-xml", family: "truncated", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</channel>`)
		}), want: want{err: feeds.ErrNotFeed}},
		{name: "truncated-mid-document", family: "truncated", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			f := rss(b.srv.URL, "cut", 3)
			return f[:len(f)*2/3]
		}), want: want{err: feeds.ErrNotFeed}},
		{name: "content-length-beyond-body", family: "truncated", setup: rawAnswer(head + "Content-Length: 50000\r\n\r\n" + body),
			want: want{msg: "unexpected EOF"}},
		{name: "reset-mid-body", family: "truncated", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, head+"Content-Length: 50000\r\n\r\n"+body[:len(body)/2])
			time.Sleep(50 * time.Millisecond)
			c.(*net.TCPConn).SetLinger(0) // close with a RST
		}), want: want{msg: "reset"}},
		{name: "close-without-answer", family: "truncated", setup: rawAnswer(""), want: want{msg: "EOF"}},
		{name: "garbage-status-line", family: "truncated", setup: rawAnswer("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"),
			want: want{msg: "malformed HTTP status code"}},
		{name: "not-http-at-all", family: "truncated", setup: rawAnswer("SSH-2.0-OpenSSH_9.6\r\n"),
			want: want{msg: "malformed HTTP response"}},
		{name: "http09-body-without-head", family: "truncated", setup: rawAnswer(body), want: want{msg: "malformed HTTP"}},
		{name: "bad-chunk-size", family: "truncated", setup: rawAnswer(head + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n" + body + "\r\n0\r\n\r\n"),
			want: want{msg: "chunk"}},
		{name: "conflicting-content-length", family: "truncated", setup: rawAnswer(head + "Content-Length: 10\r\nContent-Length: 20\r\n\r\n" + body),
			want: want{msg: "Content-Length"}},
		{name: "negative-content-length", family: "truncated", setup: rawAnswer(head + "Content-Length: -5\r\n\r\n" + body),
			want: want{msg: "Content-Length"}},
		{name: "header-line-without-colon", family: "truncated", setup: rawAnswer(head + "this is not a header\r\n\r\n" + body),
			want: want{msg: "malformed MIME header"}},
		{name: "endless-1xx-answers", family: "truncated", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			hints := strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n", 1000)
			for {
				select {
				case <-quit:
					return
				default:
				}
				if _, err := io.WriteString(c, hints); err != nil {
					return
				}
			}
		}), want: want{msg: "server response headers exceeded | timeout awaiting response headers"}},
		{name: "switching-protocols", family: "truncated", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			wait(c, quit)
		}), want: want{msg: "101"}},
		{name: "status-999", family: "truncated", setup: rawAnswer("HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\n\r\n"),
			want: want{msg: "999"}},
		{name: "bare-lf-line-ends", family: "truncated", setup: rawAnswer(strings.ReplaceAll(head, "\r\n", "\n") +
			"Content-Length: " + strconv.Itoa(len(body)) + "\n\n" + body),
			want: want{ok: true, items: 3}},
	}
}

// retryIn: the source's next attempt is d after its failure (within tol).
func retryIn(d, tol time.Duration) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		got := o.src.State.NextAttemptAt.Sub(o.src.State.LastErrorAt)
		if got < d-tol || got > d+tol {
			t.Errorf("next attempt %v after the failure, want %v", got, d)
		}
	}
}

func statusBehaviours() []*behaviour {
	errorPage := bytes.Repeat([]byte("error "), 10000)
	trace := bytes.Repeat([]byte("stack trace "), 1000)
	status := func(code int, retryAfter string) func(*bench) string {
		return feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			http.Error(w, http.StatusText(code), code)
		})
	}
	const base = 5 * time.Minute // poll.base_backoff's default
	return []*behaviour{
		{name: "429-huge-retry-after", family: "status", setup: status(429, "999999999999"),
			want: want{msg: "429", check: retryIn(24*time.Hour, time.Second)}},
		{name: "429-without-retry-after", family: "status", setup: status(429, ""),
			want: want{msg: "429 Too Many Requests", check: retryIn(base, time.Second)}},
		{name: "429-garbage-retry-after", family: "status", setup: status(429, "soon, maybe"),
			want: want{msg: "429", check: retryIn(base, time.Second)}},
		{name: "429-negative-retry-after", family: "status", setup: status(429, "-3600"),
			want: want{msg: "429", check: retryIn(base, time.Second)}},
		{name: "503-retry-after-past-date", family: "status", setup: status(503, "Wed, 21 Oct 2015 07:28:00 GMT"),
			want: want{msg: "503", check: retryIn(base, time.Second)}},
		{name: "503-retry-after-future-date", family: "status", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		}), want: want{msg: "503", check: retryIn(2*time.Hour, 3*time.Second)}},
		{name: "500-loop", family: "status", setup: status(500, ""),
			want: want{msg: "500", check: serverErrorLoop}},
		{name: "500-huge-error-body", family: "status", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			repeat(w, errorPage, 11*mib)
		}), want: want{msg: "500"}},
		{name: "500-endless-error-body", family: "status", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			endless(w, r, b.q, trace)
		}), want: want{msg: "500"}},
		{name: "404-not-found", family: "status", setup: status(404, ""), want: want{msg: "404 Not Found", check: retryIn(base, time.Second)}},
		{name: "410-gone", family: "status", setup: status(410, ""), want: want{msg: "410 Gone"}},
		{name: "403-forbidden", family: "status", setup: status(403, ""), want: want{msg: "403 Forbidden"}},
		{name: "401-auth-wall", family: "status", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+strings.Repeat("r", 4000)+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		}), want: want{msg: "401 Unauthorized"}},
		{name: "304-without-validators", family: "status", setup: status(304, ""),
			want: want{status: daemon.StatusNotModified}},
	}
}

// serverErrorLoop polls the always-failing source twice more: the failures
// count up and the backoff doubles each time.
func serverErrorLoop(t *testing.T, o *outcome) {
	ctx := context.Background()
	for i := 2; i <= 3; i++ {
		src, err := o.store.Source(ctx, o.b.name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.d.PollSource(ctx, src, true)
		if err != nil || r.Status != daemon.StatusError {
			t.Fatalf("poll %d: %s, %v", i, r.Status, err)
		}
	}
	src, _ := o.store.Source(ctx, o.b.name)
	if src.State.Failures != 3 {
		t.Errorf("%d failures recorded, want 3", src.State.Failures)
	}
	if got := src.State.NextAttemptAt.Sub(src.State.LastErrorAt); got != 20*time.Minute {
		t.Errorf("after 3 failures the next attempt is %v later, want 20m", got)
	}
}

func headerBehaviours() []*behaviour {
	// A megabyte of headers is either over the cap or, on a slow machine,
	// not read before the header timeout.
	exceeded := want{msg: "server response headers exceeded | timeout awaiting response headers"}
	big := strings.Repeat("b", 2*mib)
	var flood strings.Builder
	flood.WriteString("HTTP/1.1 200 OK\r\n")
	for i := range 20000 {
		fmt.Fprintf(&flood, "X-Flood-%d: %s\r\n", i, strings.Repeat("f", 80))
	}
	flood.WriteString("Content-Length: 0\r\n\r\n")
	cookies := make([]string, 1000)
	for i := range cookies {
		cookies[i] = fmt.Sprintf("c%d=%s; Path=/; Max-Age=99999999", i, strings.Repeat("v", 60))
	}
	etag := `"` + strings.Repeat("e", 200<<10) + `"`
	lastMod := strings.Repeat("Mon, ", 1000)
	ctype := "application/rss+xml; " + strings.Repeat("p=v; ", 20000)
	return []*behaviour{
		{name: "header-2mib-value", family: "headers", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", big)
			validFeed(b, w, r)
		}), want: exceeded},
		{name: "header-flood-20k", family: "headers", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, flood.String())
		}), want: exceeded},
		{name: "header-endless", family: "headers", setup: rawAt(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Endless: ")
			chunk := bytes.Repeat([]byte("e"), 64<<10)
			for {
				select {
				case <-quit:
					return
				default:
				}
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}), want: exceeded},
		{name: "cookie-flood", family: "headers", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header()["Set-Cookie"] = cookies
			validFeed(b, w, r)
		}), want: want{ok: true, items: 3}},
		{name: "header-huge-etag", family: "headers", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", etag)
			w.Header().Set("Last-Modified", lastMod)
			validFeed(b, w, r)
		}), want: want{ok: true, items: 3}},
		{name: "header-huge-content-type", family: "headers", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(rss(b.srv.URL, "ct", 3))
		}), want: want{ok: true, items: 3}},
		{name: "location-and-refresh-on-200", family: "headers", setup: feedAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			// Headers that would redirect a browser mean nothing on a 200.
			w.Header().Set("Location", "http://169.254.169.254/latest/meta-data/")
			w.Header().Set("Refresh", "0; url=http://169.254.169.254/")
			validFeed(b, w, r)
		}), want: want{ok: true, items: 3}},
	}
}
