package crawler

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// ErrBodyTooLarge is returned (wrapped) for a response whose body is larger
// than the HTTP client's cap: the body is never silently cut.
var ErrBodyTooLarge = errors.New("crawler: body too large")

// transport is the RoundTripper of one crawl run, in front of the shared
// guarded Transport of the fetch client. It
//
//   - lets each host have at most parallelism requests in flight, and
//     waits delay (plus up to a quarter of it at random) between the end of
//     one request to a host and the start of the next; the delay is the
//     larger of the source's and the host's robots.txt Crawl-delay;
//   - bounds each request with the client's timeout, counted from when
//     the host's turn comes rather than from when the request was made;
//   - fails a body larger than maxBody with ErrBodyTooLarge, counting the
//     bytes after decompression, gzip files (.xml.gz sitemaps) included;
//   - fetches each host's robots.txt once per run and answers colly's own
//     robots.txt request from that copy, keeping what it says (Crawl-delay,
//     Sitemap lines, the rules for our User-Agent) for the crawler.
type transport struct {
	base          http.RoundTripper
	userAgent     string
	timeout       time.Duration // per request; 0 means none
	maxBody       int64
	parallelism   int
	delay         time.Duration
	maxCrawlDelay time.Duration
	// sleep waits for d or until ctx ends (tests may count the waits).
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	gates  map[string]*gate
	robots map[string]*robotsEntry // by scheme://host
}

// robotsEntry is one host's robots.txt as fetched this run.
type robotsEntry struct {
	once   sync.Once
	status int
	body   []byte
	header http.Header
	err    error
	data   *robotstxt.RobotsData
	group  *robotstxt.Group // the rules for our User-Agent
}

func newTransport(base http.RoundTripper, userAgent string, timeout time.Duration, maxBody int64, parallelism int, delay, maxCrawlDelay time.Duration) *transport {
	return &transport{
		base: base, userAgent: userAgent, timeout: timeout, maxBody: maxBody, parallelism: max(parallelism, 1),
		delay: delay, maxCrawlDelay: maxCrawlDelay, sleep: sleepCtx,
		gates: map[string]*gate{}, robots: map[string]*robotsEntry{},
	}
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Path == "/robots.txt" && req.URL.RawQuery == "" {
		return t.robotsResponse(req)
	}
	return t.limited(req)
}

// limited makes the request under its host's gate, within the timeout,
// with the body capped.
func (t *transport) limited(req *http.Request) (*http.Response, error) {
	g := t.gate(req.URL.Host)
	if err := g.acquire(req.Context(), t.sleep); err != nil {
		return nil, err
	}
	// The timeout runs from here: waiting for the host's turn (its delay,
	// a robots.txt Crawl-delay, the requests queued before this one) is
	// no fault of the request.
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
	}
	release := func() { cancel(); g.release() }
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		release()
		return nil, t.timedOut(req.Context(), ctx, err)
	}
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		release()
		return nil, fmt.Errorf("%w: %s has %d bytes, more than %d", ErrBodyTooLarge, redact(req.URL.String()), resp.ContentLength, t.maxBody)
	}
	body := resp.Body
	if gzipFile(resp) {
		// colly would gunzip this itself, with no cap on what comes out:
		// do it here, under the cap.
		body = &gunzipBody{rc: resp.Body}
		resp.Uncompressed = true
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(strings.ToLower(ct), "charset") {
		// colly would convert the body to UTF-8 by this charset before
		// anyone could see that it is UTF-8 already (a page that says
		// ISO-8859-1 often is): the body stays as sent, for
		// article.Extract to decode, and the Content-Type is put back when
		// colly is done (restoreContentType).
		mt, _, _ := strings.Cut(ct, ";")
		resp.Header.Set(declaredContentType, ct)
		resp.Header.Set("Content-Type", strings.TrimSpace(mt))
	}
	resp.Body = &cappedBody{rc: body, left: t.maxBody, url: req.URL.String(), release: release,
		timedOut: func(err error) error { return t.timedOut(req.Context(), ctx, err) }}
	return resp, nil
}

// declaredContentType keeps a response's Content-Type while colly sees it
// without its charset.
const declaredContentType = "X-Frontierwatch-Declared-Content-Type"

// restoreContentType puts back the Content-Type that limited set aside.
func restoreContentType(h http.Header) {
	if ct := h.Get(declaredContentType); ct != "" {
		h.Set("Content-Type", ct)
		h.Del(declaredContentType)
	}
}

// timedOut says that err came from the request's timeout, when it did.
func (t *transport) timedOut(parent, ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		return fmt.Errorf("no complete response within %s: %w", t.timeout, err)
	}
	return err
}

// gzipFile reports whether colly would decompress resp's body itself: a
// gzip Content-Encoding the Transport left alone, a gzip Content-Type, or
// a URL ending in .xml.gz (the same test as colly's).
func gzipFile(resp *http.Response) bool {
	if resp.Uncompressed {
		return false
	}
	ce := strings.ToLower(resp.Header.Get("Content-Encoding"))
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	path := ""
	if resp.Request != nil && resp.Request.URL != nil {
		path = strings.ToLower(resp.Request.URL.Path)
	}
	return strings.Contains(ce, "gzip") || (ce == "" && strings.Contains(ct, "gzip")) || strings.HasSuffix(path, ".xml.gz")
}

// gunzipBody decompresses a gzip body, or passes it through when it does
// not start like gzip (a plain sitemap under a .xml.gz name).
type gunzipBody struct {
	rc io.ReadCloser
	r  io.Reader
}

func (b *gunzipBody) Read(p []byte) (int, error) {
	if b.r == nil {
		br := bufio.NewReader(b.rc)
		b.r = br
		if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(br)
			if err != nil {
				b.r = errReader{err}
				return 0, err
			}
			b.r = zr
		}
	}
	return b.r.Read(p)
}

func (b *gunzipBody) Close() error { return b.rc.Close() }

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// gate returns the gate of host, creating it with the current delay.
func (t *transport) gate(host string) *gate {
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.gates[host]
	if g == nil {
		g = &gate{sem: make(chan struct{}, t.parallelism), delay: t.delay}
		t.gates[host] = g
	}
	return g
}

// robotsResponse serves robots.txt from this run's copy, fetching it the
// first time.
func (t *transport) robotsResponse(req *http.Request) (*http.Response, error) {
	e := t.robotsFor(req.Context(), req.URL.Scheme, req.URL.Host)
	if e.err != nil {
		return nil, e.err
	}
	return &http.Response{
		StatusCode:    e.status,
		Status:        fmt.Sprintf("%d %s", e.status, http.StatusText(e.status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        e.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       req,
		Uncompressed:  true, // limited has decompressed it already
	}, nil
}

// robotsFor returns the robots.txt of scheme://host, fetching it once per
// run. A missing file (4xx) allows everything; a server error (5xx)
// disallows everything for this run, as Google's crawler does; a
// Crawl-delay for our User-Agent (capped at maxCrawlDelay) raises the
// host's delay.
func (t *transport) robotsFor(ctx context.Context, scheme, host string) *robotsEntry {
	key := scheme + "://" + host
	t.mu.Lock()
	e := t.robots[key]
	if e == nil {
		e = &robotsEntry{}
		t.robots[key] = e
	}
	t.mu.Unlock()
	e.once.Do(func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, key+"/robots.txt", nil)
		if err != nil {
			e.err = err
			return
		}
		req.Header.Set("User-Agent", t.userAgent)
		resp, err := t.limited(req)
		if err != nil {
			e.err = err
			return
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 512<<10))
		resp.Body.Close()
		if err != nil {
			e.err = err
			return
		}
		e.status, e.body, e.header = resp.StatusCode, body, resp.Header
		if e.data, err = robotstxt.FromStatusAndBytes(e.status, body); err != nil {
			// An unexpected status (1xx, 3xx after redirects): no rules.
			e.data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
			e.status, e.body = http.StatusNotFound, nil
		}
		e.group = e.data.FindGroup(t.userAgent)
		if cd := e.group.CrawlDelay; cd > 0 {
			g := t.gate(host)
			g.mu.Lock()
			g.delay = max(g.delay, min(cd, t.maxCrawlDelay))
			// robots.txt itself was the host's last request.
			g.next = time.Now().Add(g.delay)
			g.mu.Unlock()
		}
	})
	return e
}

// allowedByRobots reports whether robots.txt allows fetching u, as far as
// this run has read the host's robots.txt (unknown hosts are allowed: colly
// checks them before fetching).
func (t *transport) allowedByRobots(scheme, host, pathQuery string) bool {
	t.mu.Lock()
	e := t.robots[scheme+"://"+host]
	t.mu.Unlock()
	if e == nil || e.group == nil {
		return true
	}
	return e.group.Test(pathQuery)
}

// hostDelay is the current delay between requests to host.
func (t *transport) hostDelay(host string) time.Duration {
	g := t.gate(host)
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.delay
}

// gate is one host's limiter.
type gate struct {
	sem   chan struct{}
	mu    sync.Mutex
	delay time.Duration
	next  time.Time // earliest start of the next request
}

func (g *gate) acquire(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	wait := time.Until(g.next)
	g.mu.Unlock()
	if wait > 0 {
		if err := sleep(ctx, wait); err != nil {
			<-g.sem
			return err
		}
	}
	return nil
}

func (g *gate) release() {
	g.mu.Lock()
	d := g.delay
	if d > 0 {
		d += rand.N(d/4 + 1)
	}
	g.next = time.Now().Add(d)
	g.mu.Unlock()
	<-g.sem
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cappedBody fails a read past the cap instead of cutting the body, and
// frees the host's gate (and the request's timeout) when closed.
type cappedBody struct {
	rc       io.ReadCloser
	left     int64
	url      string
	release  func()
	timedOut func(error) error
	once     sync.Once
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("%w: %s", ErrBodyTooLarge, redact(b.url))
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%w: %s is larger than the cap", ErrBodyTooLarge, redact(b.url))
	}
	if err != nil && err != io.EOF && b.timedOut != nil {
		err = b.timedOut(err)
	}
	return n, err
}

func (b *cappedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(b.release)
	return err
}

// isHTML reports whether a Content-Type is an HTML page (or says nothing).
func isHTML(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "" || mt == "text/html" || mt == "application/xhtml+xml"
}
