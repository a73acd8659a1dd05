package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestBlockedAddr(t *testing.T) {
	tests := []struct {
		ip      string
		blocked bool
	}{
		// IPv4 public
		{"1.1.1.1", false},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"100.63.255.255", false}, // just below CGNAT
		{"100.128.0.0", false},    // just above CGNAT
		{"172.15.255.255", false}, // just below 172.16/12
		{"172.32.0.0", false},     // just above
		{"169.253.255.255", false},
		{"223.255.255.255", false},
		// IPv4 not public
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"10.0.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"198.18.0.1", true},
		// IPv6 public
		{"2606:4700:4700::1111", false},
		{"2001:4860:4860::8888", false},
		{"2a00:1450:4001:80b::200e", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		// IPv6 not public
		{"::", true},
		{"::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf:ffff::1", true},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"ff02::1", true},
		{"ff05::2", true},
		{"fec0::1", true},
		{"2001:db8::1", true},
		{"100::1", true},
		{"::127.0.0.1", true},      // IPv4-compatible
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"::ffff:10.1.2.3", true},  // IPv4-mapped private
		{"::ffff:169.254.169.254", true},
		{"::ffff:100.64.0.1", true},
		{"::ffff:0.0.0.0", true},
		{"::ffff:8.8.8.8", false}, // IPv4-mapped public
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", true},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // Teredo
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := blockedAddr(ip); got != tt.blocked {
				t.Errorf("blockedAddr(%s) = %v, want %v", tt.ip, got, tt.blocked)
			}
		})
	}
	if !blockedAddr(netip.Addr{}) {
		t.Error("the zero Addr is not blocked")
	}
}

func TestGuardRefusesByDefault(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := startDNS(t, map[string]netip.Addr{"feed.example.": netip.MustParseAddr("127.0.0.1")})
	tests := []struct {
		name    string
		url     string
		wantMsg string
	}{
		{"loopback IP", srv.URL + "/feed",
			"fetch: GET " + srv.URL + "/feed: refusing to connect to 127.0.0.1: private or local address (set http.allow_private_networks to allow)"},
		{"localhost", fmt.Sprintf("http://localhost:%d/feed", port),
			fmt.Sprintf("fetch: GET http://localhost:%d/feed: refusing to connect to localhost (127.0.0.1): private or local address (set http.allow_private_networks to allow)", port)},
		// A public-looking name whose DNS answer is loopback: the guard
		// checks the resolved address, not the name.
		{"name resolving to loopback", fmt.Sprintf("http://feed.example:%d/feed", port),
			fmt.Sprintf("fetch: GET http://feed.example:%d/feed: refusing to connect to feed.example (127.0.0.1): private or local address (set http.allow_private_networks to allow)", port)},
		{"IPv4-mapped IPv6 loopback", fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/feed", port),
			"refusing to connect to "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Resolver: resolver}).Get(context.Background(), Request{URL: tt.url})
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("err = %v, want ErrBlockedAddress", err)
			}
			if Retryable(err) {
				t.Error("blocked address is retryable")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q\nwant %q", err, tt.wantMsg)
			}
			// And the same request goes through when private networks are allowed.
			resp, err := New(Options{Resolver: resolver, AllowPrivate: true}).Get(context.Background(), Request{URL: tt.url})
			if err != nil || string(resp.Body) != "ok" {
				t.Fatalf("with AllowPrivate: %v", err)
			}
		})
	}
	if n := srv.hits.Load(); n != int64(len(tests)) {
		t.Errorf("server hit %d times, want %d (only the allowed requests)", n, len(tests))
	}
}

func TestGuardCoversSharedClientAndTransport(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	c := New(Options{})
	resp, err := c.HTTPClient().Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("HTTPClient reached a loopback server")
	}
	if !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("HTTPClient err = %v, want ErrBlockedAddress", err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err = c.Transport().RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("Transport reached a loopback server")
	}
	if !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("Transport err = %v, want ErrBlockedAddress", err)
	}
	if srv.hits.Load() != 0 {
		t.Error("the server was reached")
	}
}
