package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"testing"
)

// TestTreatAsPublicForTest: a declared address is let through, another
// port of the same IP is not, and the declaration ends with its test.
func TestTreatAsPublicForTest(t *testing.T) {
	other := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hop" {
			http.Redirect(w, r, other.URL, http.StatusFound)
			return
		}
		fmt.Fprint(w, "public")
	})
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())
	c := New(Options{})
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{URL: srv.URL}); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("before: err = %v, want ErrBlockedAddress", err)
	}
	t.Run("declared", func(t *testing.T) {
		TreatAsPublicForTest(t, addr)
		if resp, err := c.Get(ctx, Request{URL: srv.URL}); err != nil || string(resp.Body) != "public" {
			t.Fatalf("declared address: %v", err)
		}
		if _, err := c.Get(ctx, Request{URL: srv.URL + "/hop"}); !errors.Is(err, ErrBlockedAddress) {
			t.Fatalf("redirect to another port: err = %v, want ErrBlockedAddress", err)
		}
	})
	c.CloseIdleConnections() // the guard runs when a connection is dialled
	if _, err := c.Get(ctx, Request{URL: srv.URL}); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("after the test: err = %v, want ErrBlockedAddress", err)
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the undeclared server was reached %d times", n)
	}
}
