package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// The guard's promise is about the address dialled, whatever the URL
// says: these tests reach the guard through DNS answers (A and AAAA),
// literal IP forms and rebinding, with Options.Resolver pointed at a DNS
// server on 127.0.0.1 that the test runs.

// answerFunc returns the addresses a name (fully qualified, "a.example.")
// has; none means NXDOMAIN.
type answerFunc func(name string) []netip.Addr

// startResolver runs a DNS server on 127.0.0.1 that answers A and AAAA
// queries from answer, and returns a Resolver that asks only it.
func startResolver(t *testing.T, answer answerFunc) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out, err := resolverAnswer(buf[:n], answer); err == nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", pc.LocalAddr().String())
		},
	}
}

func resolverAnswer(query []byte, answer answerFunc) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	ips := answer(q.Name.String())
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if len(ips) == 0 {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	hdr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}
	for _, ip := range ips {
		switch {
		case q.Type == dnsmessage.TypeA && ip.Is4():
			err = b.AResource(hdr, dnsmessage.AResource{A: ip.As4()})
		case q.Type == dnsmessage.TypeAAAA && ip.Is6():
			err = b.AAAAResource(hdr, dnsmessage.AAAAResource{AAAA: ip.As16()})
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// TestGuardRefusesPrivateDNSAnswers: a public-looking name whose DNS
// answer (A or AAAA) is a loopback, private, link-local, metadata,
// unspecified or IPv4-in-IPv6 address is refused before any connection.
// Only loopback answers are reachable here; they also show that the
// same request connects when private networks are allowed, so the
// refusal is the guard's and nothing else's.
func TestGuardRefusesPrivateDNSAnswers(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		answer    string
		reachable bool // a server of the test listens there
	}{
		{"127.0.0.1", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped AAAA answer
		{"10.1.2.3", false},
		{"172.16.5.4", false},
		{"192.168.0.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"::1", false},
		{"fc00::1", false},
		{"fd00::2", false},
		{"fe80::1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"2002:a9fe:a9fe::1", false},  // 6to4 of 169.254.169.254
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.answer)
			resolver := startResolver(t, func(name string) []netip.Addr {
				if name == "news.example." {
					return []netip.Addr{ip}
				}
				return nil
			})
			before := srv.hits.Load()
			// (A short connect timeout bounds the failure of a broken guard,
			// which would try to reach the address.)
			_, err := New(Options{Resolver: resolver, ConnectTimeout: 3 * time.Second}).Get(context.Background(),
				Request{URL: fmt.Sprintf("http://news.example:%d/article", port)})
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("err = %v, want ErrBlockedAddress", err)
			}
			if Retryable(err) {
				t.Error("a blocked address is retryable")
			}
			if !strings.Contains(err.Error(), "refusing to connect to news.example (") {
				t.Errorf("err = %q, want it to name the host and the address", err)
			}
			if srv.hits.Load() != before {
				t.Fatal("the server was reached")
			}
			if !tt.reachable {
				return
			}
			resp, err := New(Options{Resolver: resolver, AllowPrivate: true}).Get(context.Background(),
				Request{URL: fmt.Sprintf("http://news.example:%d/article", port)})
			if err != nil || string(resp.Body) != "internal" {
				t.Fatalf("with AllowPrivate: %v", err)
			}
		})
	}
}

// TestGuardRefusesEveryAnswer: when a name has several addresses, the
// dialer tries each in turn and the guard refuses each; a private address
// among public ones is never dialled.
func TestGuardRefusesEveryAnswer(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := startResolver(t, func(string) []netip.Addr {
		return []netip.Addr{netip.MustParseAddr("10.9.9.9"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}
	})
	_, err := New(Options{Resolver: resolver}).Get(context.Background(), Request{URL: fmt.Sprintf("http://multi.example:%d/", port)})
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if srv.hits.Load() != 0 {
		t.Fatal("the server was reached")
	}
}

// TestGuardLiteralAddressForms: IP literals in every spelling. The
// standard forms of non-public addresses are refused at dial time; the
// forms that C's inet_aton would read as 127.0.0.1 (decimal, octal, hex,
// short) are not IP addresses to Go: they can only be host names, and
// then what DNS answers for them goes through the guard, so they reach
// nothing private either. The resolver answers every name with
// 127.0.0.1, the worst case.
func TestGuardLiteralAddressForms(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := startResolver(t, func(string) []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.0.0.1")} })
	hosts := []string{
		"127.0.0.1", "127.1.2.3", "0.0.0.0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]",
		"[::127.0.0.1]", "[::]", "[::1]", "[fe80::1]", "[fc00::1]", "[fd00::2]", "169.254.169.254", "10.0.0.1",
		"2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "017700000001", "127.1", "127.0.0.1.", "LOCALHOST", "localhost.",
	}
	for _, h := range hosts {
		t.Run(h, func(t *testing.T) {
			before := srv.hits.Load()
			_, err := New(Options{Resolver: resolver, ConnectTimeout: 3 * time.Second}).Get(context.Background(), Request{URL: fmt.Sprintf("http://%s:%d/", h, port)})
			if err == nil {
				t.Fatal("the request succeeded")
			}
			if srv.hits.Load() != before {
				t.Fatalf("the server was reached: %v", err)
			}
			var dnsErr *net.DNSError
			if !errors.Is(err, ErrBlockedAddress) && !errors.As(err, &dnsErr) {
				t.Errorf("err = %v, want ErrBlockedAddress (or a name that does not resolve)", err)
			}
		})
	}
	// The test can fail: the same client with private networks allowed
	// reaches the server through the plain forms.
	for _, h := range []string{"127.0.0.1", "0.0.0.0", "[::ffff:127.0.0.1]"} {
		resp, err := New(Options{Resolver: resolver, AllowPrivate: true}).Get(context.Background(), Request{URL: fmt.Sprintf("http://%s:%d/", h, port)})
		if err != nil || string(resp.Body) != "internal" {
			t.Errorf("%s with AllowPrivate: %v", h, err)
		}
	}
}

// TestGuardDNSRebinding: a name that resolved to an allowed address once
// and to a private one later is refused the second time: the check runs
// on every dial, never on a cached answer.
func TestGuardDNSRebinding(t *testing.T) {
	public := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "public") })
	port := public.Listener.Addr().(*net.TCPAddr).Port
	inner := newServerOn(t, fmt.Sprintf("127.0.0.2:%d", port), func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "internal") })
	var mu sync.Mutex
	answer := netip.MustParseAddr("127.0.0.1")
	resolver := startResolver(t, func(string) []netip.Addr {
		mu.Lock()
		defer mu.Unlock()
		return []netip.Addr{answer}
	})
	c := New(Options{Resolver: resolver})
	c.blocked = func(ip netip.Addr) bool { return ip != netip.MustParseAddr("127.0.0.1") } // pretend 127.0.0.1 is public
	url := fmt.Sprintf("http://rebind.example:%d/", port)
	if resp, err := c.Get(context.Background(), Request{URL: url}); err != nil || string(resp.Body) != "public" {
		t.Fatalf("first request: %v", err)
	}
	mu.Lock()
	answer = netip.MustParseAddr("127.0.0.2")
	mu.Unlock()
	c.CloseIdleConnections() // a new connection, so a new resolution
	_, err := c.Get(context.Background(), Request{URL: url})
	if !errors.Is(err, ErrBlockedAddress) || !strings.Contains(err.Error(), "rebind.example (127.0.0.2)") {
		t.Fatalf("after rebinding: err = %v, want ErrBlockedAddress naming 127.0.0.2", err)
	}
	if inner.hits.Load() != 0 {
		t.Error("the private server was reached")
	}
}

// TestGuardNoProxy: a proxy (HTTP_PROXY, HTTPS_PROXY) would be dialled
// instead of the destination and so bypass the guard; the Transport has
// none. (net/http reads the proxy variables once per process, so setting
// them in a test proves nothing: the field is what decides.)
func TestGuardNoProxy(t *testing.T) {
	if New(Options{}).transport.Proxy != nil {
		t.Fatal("the Transport has a Proxy function: requests could bypass the address guard")
	}
}
