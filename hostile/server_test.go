package hostile

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"html"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/fetch"
)

// server is one behaviour's own HTTP server on 127.0.0.1 (its own port, so
// its own robots.txt, sitemaps and per-host limits), declared public to the
// fetch guard. It counts the requests of every path.
type server struct {
	*httptest.Server
	mux   *http.ServeMux
	mu    sync.Mutex
	hits  map[string]int
	total atomic.Int64
}

// quitter is closed when the suite ends (or its watchdog fires), so that
// handlers that never finish on their own (endless bodies, stalls) return
// even if a client never hangs up.
type quitter struct {
	once sync.Once
	ch   chan struct{}
}

func newQuitter(t *testing.T) *quitter {
	q := &quitter{ch: make(chan struct{})}
	t.Cleanup(q.close)
	return q
}

func (q *quitter) close() { q.once.Do(func() { close(q.ch) }) }

// newServer starts a server whose handlers are added with handle. With tlsOn
// it serves HTTPS with a self-signed certificate, which the daemon does not
// trust.
func newServer(t *testing.T, q *quitter, tlsOn bool) *server {
	t.Helper()
	s := &server{mux: http.NewServeMux(), hits: map[string]int{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.total.Add(1)
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		s.mux.ServeHTTP(w, r)
	})
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = discardLog
	if tlsOn {
		s.TLS = &tls.Config{Certificates: []tls.Certificate{testCert()}}
		s.StartTLS()
	} else {
		s.Start()
	}
	// Cleanups run last-in first-out: handlers are told to stop before
	// the server waits for them.
	t.Cleanup(s.Close)
	t.Cleanup(q.close)
	declarePublic(t, s.Listener.Addr())
	return s
}

func (s *server) handle(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// declarePublic lets the daemon's guarded client dial exactly addr.
func declarePublic(t *testing.T, addr net.Addr) {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	fetch.TreatAsPublicForTest(t, ap)
}

// rawServer is a TCP listener on 127.0.0.1 (declared public) whose
// connections are handed to serve, for answers net/http would not write.
type rawServer struct {
	addr  string
	conns atomic.Int64
}

func newRawServer(t *testing.T, q *quitter, serve func(c net.Conn, quit <-chan struct{})) *rawServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := &rawServer{addr: l.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			rs.conns.Add(1)
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serve(c, q.ch)
			}()
		}
	}()
	t.Cleanup(func() {
		q.close()
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	declarePublic(t, l.Addr())
	return rs
}

// readRequest reads one request's head from c (up to the blank line).
func readRequest(c net.Conn) (*bufio.Reader, error) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return br, err
		}
		if line == "\r\n" || line == "\n" {
			return br, nil
		}
	}
}

// wait blocks until quit is closed or the peer hangs up.
func wait(c net.Conn, quit <-chan struct{}) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(done)
	}()
	select {
	case <-quit:
	case <-done:
	}
}

// hijack takes over the connection of a request, for raw answers.
func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	c, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	return c, rw
}

// writeRaw answers on the hijacked connection with exactly raw.
func writeRaw(w http.ResponseWriter, raw string) {
	c, rw := hijack(w)
	defer c.Close()
	rw.WriteString(raw)
	rw.Flush()
}

// endless writes chunk over and over until the client hangs up.
func endless(w http.ResponseWriter, r *http.Request, q *quitter, chunk []byte) {
	rc := http.NewResponseController(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-q.ch:
			return
		default:
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

// drip writes data one byte every interval (and then, with forever, keeps
// dripping spaces) until the client hangs up.
func drip(w http.ResponseWriter, r *http.Request, q *quitter, data []byte, interval time.Duration, forever bool) {
	rc := http.NewResponseController(w)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; forever || i < len(data); i++ {
		b := byte(' ')
		if i < len(data) {
			b = data[i]
		}
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-q.ch:
			return
		case <-tick.C:
		}
	}
}

// repeat writes chunk until total bytes are written or the client hangs
// up, without building the whole body.
func repeat(w http.ResponseWriter, chunk []byte, total int) {
	for total > 0 {
		n := min(total, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		total -= n
	}
}

// stall waits until the client hangs up or the suite ends.
func stall(r *http.Request, q *quitter) {
	select {
	case <-r.Context().Done():
	case <-q.ch:
	}
}

// Payloads.

const (
	mib      = 1 << 20
	wordsRSS = "Agents now complete autonomous software tasks that take skilled engineers several hours."
)

// rss is an RSS feed of n items whose links are under base and whose
// descriptions name tag, so that each item can be found again.
func rss(base, tag string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s/</link>`, tag, base)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>%s item %d</title><link>%s/post/%d</link><guid>%s-%d</guid>`+
			`<pubDate>Mon, 01 Jun 2026 10:%02d:00 GMT</pubDate><description>Summary %d of %s. %s</description></item>`,
			tag, i, base, i, tag, i, i%60, i, tag, wordsRSS)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// rssTitles is an RSS feed (with decl as its XML declaration) of items with
// the given titles, linked under base.
func rssTitles(decl, base string, titles ...string) string {
	var b strings.Builder
	b.WriteString(decl + `<rss version="2.0"><channel><title>Encodings</title><link>` + base + `/</link>`)
	for i, t := range titles {
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s/post/%d</link><description>%s</description></item>`, t, base, i, t)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// articleHTML is an article page with enough text to be extracted, whose
// paragraphs name tag.
func articleHTML(tag string) []byte {
	return fmt.Appendf(nil, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%[1]s</title>
<meta property="article:published_time" content="2026-05-20T12:00:00Z"></head><body>
<nav><a href="/">Home</a></nav><article><h1>%[1]s</h1>
<p>In the report %[1]s the lab says its agents now complete research engineering tasks lasting more than eight hours without intervention.</p>
<p>The measurements cover several hundred tasks drawn from the lab's own internal backlog, graded by engineers who did not know which system produced each result.</p>
<p>The team cautions that the tasks are easier to verify than most real work, and that reliability drops sharply on tasks that need long-range planning.</p>
</article><footer>The Lab</footer></body></html>`, html.EscapeString(tag))
}

// Compression bombs, built once: a gzip stream of many members (each a
// mebibyte of zeros) is as dangerous as one long member and costs nothing to
// make.
var (
	zeroMember = sync.OnceValue(func() []byte { return gzipBytes(make([]byte, mib)) })
	// gzipBomb inflates to 1 GiB.
	gzipBomb = sync.OnceValue(func() []byte { return bytes.Repeat(zeroMember(), 1024) })
	// deflateBomb is one raw DEFLATE stream of 16 MiB of zeros.
	deflateBomb = sync.OnceValue(func() []byte {
		var b bytes.Buffer
		zw, _ := flate.NewWriter(&b, flate.BestSpeed)
		zero := make([]byte, mib)
		for range 16 {
			zw.Write(zero)
		}
		zw.Close()
		return b.Bytes()
	})
	// nestedGzipBomb is gzip(gzip bomb): the outer layer is what
	// Content-Encoding announces.
	nestedGzipBomb = sync.OnceValue(func() []byte { return gzipBytes(gzipBomb()) })
)

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// testCert is a self-signed ECDSA certificate for 127.0.0.1, which the
// daemon does not trust (and which costs the race detector less than
// httptest's RSA one).
var testCert = sync.OnceValue(func() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hostile.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
})

// discardLog silences the test servers' own complaints about the clients
// that hang up on them, which is the point.
var discardLog = log.New(io.Discard, "", 0)
