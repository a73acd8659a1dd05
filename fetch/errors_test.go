package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStatusError(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		code          int
		retryAfter    string
		wantDelay     time.Duration
		wantRetryable bool
	}{
		{"429 with seconds", 429, "120", 120 * time.Second, true},
		{"503 with HTTP-date", 503, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"503 with past date", 503, now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"500 without header", 500, "", 0, true},
		{"502 garbage header", 502, "soon", 0, true},
		{"429 huge seconds", 429, "99999999999999999999", MaxRetryAfter, true},
		{"408", 408, "", 0, true},
		{"404", 404, "", 0, false},
		{"410 with seconds", 410, "60", 60 * time.Second, false},
		{"403", 403, "", 0, false},
		{"300 without Location", 300, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.code)
				fmt.Fprint(w, "error page")
			})
			c := New(Options{AllowPrivate: true})
			c.Now = func() time.Time { return now }
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + "/feed"})
			if resp != nil {
				t.Errorf("got a response with the error: %+v", resp)
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if se.Code != tt.code || se.RetryAfter != tt.wantDelay {
				t.Errorf("StatusError = %d after %v, want %d after %v", se.Code, se.RetryAfter, tt.code, tt.wantDelay)
			}
			d, ok := RetryAfter(err)
			if d != tt.wantDelay || ok != (tt.wantDelay > 0) {
				t.Errorf("RetryAfter = %v, %v", d, ok)
			}
			if got := Retryable(err); got != tt.wantRetryable {
				t.Errorf("Retryable = %v, want %v", got, tt.wantRetryable)
			}
			want := fmt.Sprintf("fetch: GET %s/feed: %d %s", srv.URL, tt.code, http.StatusText(tt.code))
			if err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
		})
	}
	if got := (&StatusError{Method: "GET", URL: "https://x", Code: 599}).Error(); got != "fetch: GET https://x: 599 status" {
		t.Errorf("unknown code: %q", got)
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"500", &StatusError{Code: 500}, true},
		{"503 wrapped", fmt.Errorf("feeds: poll: %w", &StatusError{Code: 503}), true},
		{"429", &StatusError{Code: 429}, true},
		{"408", &StatusError{Code: 408}, true},
		{"404", &StatusError{Code: 404}, false},
		{"400", &StatusError{Code: 400}, false},
		{"401", &StatusError{Code: 401}, false},
		{"body too large", newError("u", "body larger than 1 byte", ErrBodyTooLarge), false},
		{"blocked", newError("u", "x", &blockedError{ip: "10.0.0.1"}), false},
		{"bad URL", newError("u", "x", ErrBadURL), false},
		{"too many redirects", newError("u", "x", &cause{"x", ErrTooManyRedirects}), false},
		{"deadline", newError("u", "x", context.DeadlineExceeded), true},
		{"canceled", newError("u", "x", context.Canceled), false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, false},
		{"DNS timeout", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, true},
		{"unknown authority", x509.UnknownAuthorityError{}, false},
		{"hostname mismatch", x509.HostnameError{}, false},
		{"cert verification", &tls.CertificateVerificationError{Err: errors.New("x")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestRetryableRealErrors classifies errors that Get really returns.
func TestRetryableRealErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // certificate not trusted
	t.Cleanup(tlsSrv.Close)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ok := newServer(t, func(w http.ResponseWriter, r *http.Request) {})

	tests := []struct {
		name string
		ctx  context.Context
		url  string
		want bool
	}{
		{"connection refused", context.Background(), closedURL, true},
		{"untrusted certificate", context.Background(), tlsSrv.URL, false},
		{"caller cancelled", cancelled, ok.URL, false},
	}
	c := New(Options{AllowPrivate: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(tt.ctx, Request{URL: tt.url})
			if err == nil {
				t.Fatal("no error")
			}
			if got := Retryable(err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}
}

func TestErrorsHideUserinfo(t *testing.T) {
	secrets := []string{"alice", "s3cret", "bob", "t0psecret"}
	plain := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			w.Header().Set("Retry-After", "5")
			http.NotFound(w, r)
		case "/big":
			w.Write(make([]byte, 2000))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/to-ftp":
			w.Header().Set("Location", "ftp://bob:t0psecret@example.org/")
			w.WriteHeader(http.StatusFound)
		case "/bad-location":
			w.Header().Set("Location", "http://bob:t0psecret@[::1%zz/")
			w.WriteHeader(http.StatusFound)
		case "/hang":
			<-r.Context().Done()
		default:
			fmt.Fprint(w, "ok")
		}
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closedHost := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	host := strings.TrimPrefix(plain.URL, "http://")
	withAuth := "http://alice:s3cret@" + host

	allowed := New(Options{AllowPrivate: true, MaxBody: 1000, HeaderTimeout: 100 * time.Millisecond})
	guarded := New(Options{})
	tests := []struct {
		name string
		c    *Client
		url  string
	}{
		{"status error", allowed, withAuth + "/missing"},
		{"body too large", allowed, withAuth + "/big"},
		{"redirect loop", allowed, withAuth + "/loop"},
		{"redirect to ftp with userinfo", allowed, withAuth + "/to-ftp"},
		{"invalid Location with userinfo", allowed, withAuth + "/bad-location"},
		{"header timeout", allowed, withAuth + "/hang"},
		{"connection refused", allowed, "http://alice:s3cret@" + closedHost + "/"},
		{"blocked", guarded, withAuth + "/"},
		{"bad scheme", allowed, "ftp://alice:s3cret@example.org/feed"},
		{"unparsable", allowed, "http://alice:s3cret@example.org:port/feed"},
		{"unparsable escape", allowed, "http://alice:s3cret@exa%zzmple.org/feed"},
		{"username only", guarded, "http://alice@" + host + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Get(context.Background(), Request{URL: tt.url, ETag: `"etag-t0psecret"`})
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error shows %q: %s", s, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "fetch: GET ") {
				t.Errorf("err = %q, want the fetch: GET prefix", err)
			}
		})
	}
	// The credentials are still used: the server sees them as Basic auth.
	var user, pass string
	auth := newServer(t, func(w http.ResponseWriter, r *http.Request) { user, pass, _ = r.BasicAuth() })
	if _, err := allowed.Get(context.Background(), Request{URL: "http://alice:s3cret@" + strings.TrimPrefix(auth.URL, "http://")}); err != nil {
		t.Fatal(err)
	}
	if user != "alice" || pass != "s3cret" {
		t.Errorf("server saw basic auth %q:%q", user, pass)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/feed", "https://example.org/feed"},
		{"https://user:pass@example.org/feed?q=1", "https://example.org/feed?q=1"},
		{"https://user@example.org/", "https://example.org/"},
		{"https://us%40er:p%3Ass@example.org/", "https://example.org/"},
		{"http://user:p@ss@example.org/x", "http://example.org/x"},
		{"http://user:pass@example.org:bad/x", "http://example.org:bad/x"},
		{"see http://a:b@x.org/1 and https://c:d@y.org/2", "see http://x.org/1 and https://y.org/2"},
		{"//user:pass@example.org/", "//example.org/"},
		{"mailto:someone@example.org", "mailto:someone@example.org"},
		{"https://example.org/@user", "https://example.org/@user"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{1, "1 byte"},
		{1000, "1000 bytes"},
		{1024, "1 KiB"},
		{1536, "1536 bytes"},
		{512 << 10, "512 KiB"},
		{DefaultMaxBody, "10 MiB"},
		{1 << 30, "1 GiB"},
	}
	for _, tt := range tests {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
