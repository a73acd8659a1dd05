package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHeadersSent(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		req        Request
		wantUA     string
		wantAccept string
	}{
		{"default user agent", Options{AllowPrivate: true}, Request{}, DefaultUserAgent(), ""},
		{"custom user agent and accept", Options{AllowPrivate: true, UserAgent: "probe/1"},
			Request{Accept: "application/rss+xml"}, "probe/1", "application/rss+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got http.Header
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				fmt.Fprint(w, "ok")
			})
			tt.req.URL = srv.URL + "/feed"
			resp, err := New(tt.opts).Get(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "ok" || resp.StatusCode != 200 {
				t.Errorf("response = %d %q", resp.StatusCode, resp.Body)
			}
			if ua := got.Get("User-Agent"); ua != tt.wantUA {
				t.Errorf("User-Agent = %q, want %q", ua, tt.wantUA)
			}
			if a := got.Get("Accept"); a != tt.wantAccept {
				t.Errorf("Accept = %q, want %q", a, tt.wantAccept)
			}
			if ae := got.Get("Accept-Encoding"); ae != "gzip" {
				t.Errorf("Accept-Encoding = %q, want the Transport's gzip", ae)
			}
			if got.Get("If-None-Match") != "" || got.Get("If-Modified-Since") != "" {
				t.Errorf("unconditional GET sent validators: %v", got)
			}
		})
	}
	if ua := DefaultUserAgent(); !strings.HasPrefix(ua, "frontierwatch/") || !strings.Contains(ua, "(+https://") {
		t.Errorf("DefaultUserAgent() = %q", ua)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Wed, 21 Oct 2015 07:28:00 GMT"
	var sawINM, sawIMS string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		sawINM, sawIMS = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if sawINM == etag && sawIMS == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprint(w, "<feed/>")
	})
	c := New(Options{AllowPrivate: true})

	first, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || string(first.Body) != "<feed/>" || first.ETag != etag ||
		first.LastModified != lastMod || first.ContentType != "application/atom+xml" {
		t.Fatalf("first response = %+v", first)
	}

	second, err := c.Get(context.Background(), Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if sawINM != etag || sawIMS != lastMod {
		t.Errorf("server saw If-None-Match %q, If-Modified-Since %q", sawINM, sawIMS)
	}
	if !second.NotModified || second.StatusCode != 304 || len(second.Body) != 0 {
		t.Errorf("second response = %+v, want a bodiless 304", second)
	}
	// The 304 carried no validators: the request's come back for storing.
	if second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("304 validators = %q, %q", second.ETag, second.LastModified)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipDecoded(t *testing.T) {
	want := strings.Repeat("<item>compressible</item>", 1000)
	body := gzipped(t, []byte(want))
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	resp, err := New(Options{AllowPrivate: true}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != want {
		t.Errorf("body = %d bytes, want %d decoded bytes", len(resp.Body), len(want))
	}
}

func TestGzipBomb(t *testing.T) {
	// 100 MiB of zeros: 100 gzip members of 1 MiB each, which a gzip
	// reader decodes as one stream; about 100 KiB on the wire.
	member := gzipped(t, make([]byte, 1<<20))
	bomb := bytes.Repeat(member, 100)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	const limit = 1 << 20
	c := New(Options{AllowPrivate: true, MaxBody: limit})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	if want := "body larger than 1 MiB"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("err = %q, want it to end with %q", err, want)
	}
	if Retryable(err) {
		t.Error("Retryable(body too large) = true")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 24<<20 {
		t.Errorf("allocated %d MiB for a %d MiB cap: the cap is not on decoded bytes", alloc>>20, limit>>20)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v to stop the bomb", elapsed)
	}
}

func TestBodyCap(t *testing.T) {
	const limit = 1000
	tests := []struct {
		name    string
		size    int
		chunked bool // no Content-Length, so only the read cap can stop it
		wantErr bool
	}{
		{"under", limit - 1, false, false},
		{"exactly at cap", limit, false, false},
		{"exactly at cap chunked", limit, true, false},
		{"one over", limit + 1, false, true},
		{"one over chunked", limit + 1, true, true},
		{"far over chunked", 50 * limit, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if !tt.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(tt.size))
				}
				for i := 0; i < tt.size; i += 100 {
					w.Write(bytes.Repeat([]byte("a"), min(100, tt.size-i)))
					if tt.chunked {
						w.(http.Flusher).Flush()
					}
				}
			})
			resp, err := New(Options{AllowPrivate: true, MaxBody: limit}).Get(context.Background(), Request{URL: srv.URL + "/feed"})
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.Body) != tt.size {
					t.Errorf("body = %d bytes, want %d", len(resp.Body), tt.size)
				}
				return
			}
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("err = %v, want ErrBodyTooLarge", err)
			}
			want := "fetch: GET " + srv.URL + "/feed: body larger than 1000 bytes"
			if err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
		})
	}
}

func TestSlowDripTimesOut(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for range 100 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
		}
	})
	c := New(Options{AllowPrivate: true, Timeout: time.Second})
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("a body dribbling past the timeout was accepted")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !Retryable(err) {
		t.Errorf("err = %v: want DeadlineExceeded and retryable", err)
	}
	if !strings.Contains(err.Error(), "no complete response within 1s") {
		t.Errorf("err = %q, want it to say the timeout", err)
	}
	if elapsed < 900*time.Millisecond || elapsed > 2500*time.Millisecond {
		t.Errorf("gave up after %v, want about 1s", elapsed)
	}
}

func TestHeaderTimeout(t *testing.T) {
	done := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select { // never answers
		case <-r.Context().Done():
		case <-done:
		}
	})
	t.Cleanup(func() { close(done) }) // runs before srv.Close
	c := New(Options{AllowPrivate: true, HeaderTimeout: 300 * time.Millisecond, Timeout: 10 * time.Second})
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "timeout awaiting response headers") {
		t.Fatalf("err = %v, want a header timeout", err)
	}
	if !Retryable(err) {
		t.Error("header timeout not retryable")
	}
	if elapsed > 3*time.Second {
		t.Errorf("gave up after %v, want about 300ms", elapsed)
	}
}

func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true})
	for _, path := range []string{"/a", "/missing", "/b", "/c"} {
		_, err := c.Get(context.Background(), Request{URL: srv.URL + path})
		var se *StatusError
		if err != nil && !(path == "/missing" && errors.As(err, &se)) {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("opened %d connections for 4 sequential requests, want 1", n)
	}
}

func TestHTTP2OverTLS(t *testing.T) {
	var proto atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int64(r.ProtoMajor))
		fmt.Fprint(w, "ok")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	c := New(Options{AllowPrivate: true})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c.transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	resp, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" || proto.Load() != 2 {
		t.Errorf("body %q over HTTP/%d, want ok over HTTP/2", resp.Body, proto.Load())
	}
}

func TestBadURL(t *testing.T) {
	c := New(Options{AllowPrivate: true})
	for _, raw := range []string{"", "ftp://example.org/feed", "file:///etc/passwd", "http://", "/relative/feed", "http://[::1", "javascript:alert(1)"} {
		t.Run(raw, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: raw})
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("err = %v, want ErrBadURL", err)
			}
			if Retryable(err) {
				t.Error("bad URL is retryable")
			}
		})
	}
}
