package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// chainServer redirects /hop/N to /hop/N-1 until /hop/0, which answers "end".
func chainServer(t *testing.T) *hitServer {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			fmt.Fprint(w, "end")
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
	})
}

func TestRedirectLimit(t *testing.T) {
	srv := chainServer(t)
	tests := []struct {
		maxRedirects int
		hops         int
		wantErr      bool
	}{
		{0, 5, false}, // default 5
		{0, 6, true},
		{5, 0, false},
		{5, 5, false},
		{5, 6, true},
		{1, 1, false},
		{1, 2, true},
		{-1, 0, false}, // follows none
		{-1, 1, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max%d_hops%d", tt.maxRedirects, tt.hops), func(t *testing.T) {
			c := New(Options{AllowPrivate: true, MaxRedirects: tt.maxRedirects})
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + "/hop/" + strconv.Itoa(tt.hops)})
			if tt.wantErr {
				if !errors.Is(err, ErrTooManyRedirects) {
					t.Fatalf("err = %v, want ErrTooManyRedirects", err)
				}
				if Retryable(err) {
					t.Error("too many redirects is retryable")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "end" || resp.URL != srv.URL+"/hop/0" {
				t.Errorf("got %q from %s", resp.Body, resp.URL)
			}
		})
	}
}

func TestRedirectLoop(t *testing.T) {
	tests := map[string]func(w http.ResponseWriter, r *http.Request){
		"self": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
		},
		"ping-pong": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/a" {
				http.Redirect(w, r, "/b", http.StatusFound)
			} else {
				http.Redirect(w, r, "/a", http.StatusFound)
			}
		},
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, h)
			_, err := New(Options{AllowPrivate: true, MaxRedirects: 50}).Get(context.Background(), Request{URL: srv.URL + "/a"})
			if !errors.Is(err, ErrTooManyRedirects) {
				t.Fatalf("err = %v, want ErrTooManyRedirects", err)
			}
			if n := srv.hits.Load(); n > 3 {
				t.Errorf("loop detected after %d requests, want it at the first repeat", n)
			}
		})
	}
}

func TestPermanentURL(t *testing.T) {
	// /chain/<codes>: each code redirects with that status to the rest of
	// the chain; an empty chain answers.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/chain/")
		if rest == "" {
			fmt.Fprint(w, "feed")
			return
		}
		code, _ := strconv.Atoi(rest[:3])
		http.Redirect(w, r, "/chain/"+strings.TrimPrefix(rest[3:], "-"), code)
	})
	tests := []struct {
		chain         string
		wantPermanent bool
	}{
		{"", false}, // no redirect, nothing to update
		{"301", true},
		{"308", true},
		{"301-308-301", true},
		{"302", false},
		{"307", false},
		{"301-302", false},
		{"302-301", false},
		{"301-303-308", false},
	}
	for _, tt := range tests {
		t.Run(tt.chain, func(t *testing.T) {
			resp, err := New(Options{AllowPrivate: true}).Get(context.Background(), Request{URL: srv.URL + "/chain/" + tt.chain})
			if err != nil {
				t.Fatal(err)
			}
			final := srv.URL + "/chain/"
			if resp.URL != final || string(resp.Body) != "feed" {
				t.Fatalf("ended at %s with %q", resp.URL, resp.Body)
			}
			want := ""
			if tt.wantPermanent {
				want = final
			}
			if resp.PermanentURL != want {
				t.Errorf("PermanentURL = %q, want %q", resp.PermanentURL, want)
			}
		})
	}
}

func TestRedirectScheme(t *testing.T) {
	for _, loc := range []string{"ftp://example.org/feed", "file:///etc/passwd", "gopher://example.org/"} {
		t.Run(loc, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", loc)
				w.WriteHeader(http.StatusFound)
			})
			_, err := New(Options{AllowPrivate: true}).Get(context.Background(), Request{URL: srv.URL})
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("err = %v, want ErrBadURL", err)
			}
		})
	}
}

// TestRedirectIntoPrivate pretends that 127.0.0.1 is a public address
// and checks that a redirect from it to another address, given as an IP or
// as a name that resolves to it, is refused at dial time.
func TestRedirectIntoPrivate(t *testing.T) {
	inner := newServerOn(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "internal secrets")
	})
	innerPort := inner.Listener.Addr().(*net.TCPAddr).Port
	resolver := startDNS(t, map[string]netip.Addr{"internal.example.": netip.MustParseAddr("127.0.0.2")})
	public := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/by-ip":
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.2:%d/", innerPort), http.StatusFound)
		case "/by-name":
			http.Redirect(w, r, fmt.Sprintf("http://internal.example:%d/", innerPort), http.StatusMovedPermanently)
		default:
			fmt.Fprint(w, "public")
		}
	})
	c := New(Options{Resolver: resolver})
	c.blocked = func(ip netip.Addr) bool { return ip != netip.MustParseAddr("127.0.0.1") }

	if resp, err := c.Get(context.Background(), Request{URL: public.URL}); err != nil || string(resp.Body) != "public" {
		t.Fatalf("the pretend-public server: %v", err)
	}
	tests := []struct{ path, wantWho string }{
		{"/by-ip", "refusing to connect to 127.0.0.2: "},
		{"/by-name", "refusing to connect to internal.example (127.0.0.2): "},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: public.URL + tt.path})
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("err = %v, want ErrBlockedAddress", err)
			}
			if !strings.Contains(err.Error(), tt.wantWho) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantWho)
			}
		})
	}
	if n := inner.hits.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}
