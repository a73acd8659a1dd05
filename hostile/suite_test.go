package hostile

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// The suite's HTTP settings, set in the config as a user would set them:
// short timeouts, and a body cap of 2 MiB (the default is 10 MiB) so that
// the race detector has less to watch; every oversized body is well over
// either. The timeouts leave room for a loaded machine: they must not cut
// off the answers that are fine.
const (
	httpTimeout    = 8 * time.Second
	headerTimeout  = 6 * time.Second
	connectTimeout = 5 * time.Second
	maxBody        = 2 * mib
	// slack is what a poll may take beyond its timeouts on a loaded
	// two-core machine under the race detector, with the whole suite
	// polling at once. It is generous: the bound is there to catch polls
	// that never end, not slow ones.
	slack = 60 * time.Second
	// heapCap bounds how much the heap in use grows while the suite polls,
	// over what it was before (the daemon, the test servers' payloads).
	heapCap = 256 << 20
	// concurrency is the config's poll.concurrency.
	concurrency = 12
)

// kind says how a behaviour's server is reached.
type kind int

const (
	// feedKind: the hostile server is the feed.
	feedKind kind = iota
	// pageKind: a good feed whose items link to the hostile pages (full
	// text), so the feed must be stored whatever the pages do.
	pageKind
	// siteKind: a site source whose seed, robots.txt, sitemaps or article
	// pages are hostile.
	siteKind
)

func (k kind) String() string { return [...]string{"feed", "full text", "site"}[k] }

// behaviour is one hostile (or legitimately odd) server behaviour.
type behaviour struct {
	name   string // also the source's name
	family string
	kind   kind
	// setup starts the behaviour's servers on b and returns the source's
	// URL: the feed (feedKind), the base of the pages the feed's items
	// link to, as base+"/1" … (pageKind), or the seed (siteKind).
	setup func(b *bench) string
	want  want
	// waits is how many request timeouts the server makes the poll wait
	// out, one after the other: its bound is (waits+1)·timeout + slack.
	waits int
}

// want is what a behaviour must end as.
type want struct {
	// ok: the answer is usable; the poll succeeds and stores items
	// articles. Otherwise the poll fails and the error is recorded.
	ok    bool
	items int
	// status, when set, is the expected status instead of ok/error.
	status daemon.Status
	// err: errors.Is(report.Err, err) when set.
	err error
	// msg: the recorded error contains it (case-insensitive), or one of
	// its alternatives separated by " | ". Alternatives are for servers
	// that race two limits, such as an endless body that hits either the
	// body cap or the timeout first depending on how fast the machine
	// reads: both end the poll in time, as a recorded error.
	msg string
	// check runs further assertions.
	check func(t *testing.T, o *outcome)
}

func (b *behaviour) bound() time.Duration {
	return time.Duration(b.waits+1)*httpTimeout + slack
}

// bench holds a behaviour's servers.
type bench struct {
	t    *testing.T
	q    *quitter
	srv  *server // the behaviour's main server, when it has one
	feed *server // pageKind: the server of the good feed
	raw  *rawServer
	// inner is a server that must never be reached (not declared public).
	inner *server
	// aux is a further server of the behaviour (declared public).
	aux *server
}

// http starts the behaviour's main HTTP server.
func (b *bench) http() *server {
	b.srv = newServer(b.t, b.q, false)
	return b.srv
}

// https starts the behaviour's main server over TLS (a certificate the
// daemon does not trust).
func (b *bench) https() *server {
	b.srv = newServer(b.t, b.q, true)
	return b.srv
}

// rawTCP starts a raw TCP server.
func (b *bench) rawTCP(serve func(c net.Conn, quit <-chan struct{})) *rawServer {
	b.raw = newRawServer(b.t, b.q, serve)
	return b.raw
}

// siteArticles is how many articles a site's seed links to.
const siteArticles = 1

// site starts a site: robots.txt allowing everything, a seed at /news
// linking to the articles /news/post-1…siteArticles, and the article pages;
// the handlers in override replace those of their paths (and add others).
func (b *bench) site(override map[string]http.HandlerFunc) *server {
	s := b.http()
	defaults := map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		},
		"/news": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(seedHTML(siteArticles))
		},
		"/news/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(articleHTML("Lab update " + r.URL.Path))
		},
	}
	for p, h := range override {
		defaults[p] = h
	}
	for p, h := range defaults {
		s.handle(p, h)
	}
	return s
}

func seedHTML(n int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><title>News</title></head><body><ul>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<li><a href="/news/post-%d">Post %d</a></li>`, i, i)
	}
	b.WriteString(`</ul></body></html>`)
	return []byte(b.String())
}

// outcome is what the cycle did with one behaviour.
type outcome struct {
	b        *behaviour
	bench    *bench
	report   daemon.Report
	reported bool
	src      frontierwatch.Source // as the archive has it after the cycle
	articles []frontierwatch.Article
	store    *archive.Store
	d        *daemon.Daemon
}

// sourceYAML is the behaviour's entry in the config's sources.
func sourceYAML(name string, k kind, url string) string {
	switch k {
	case siteKind:
		origin := url
		if i := strings.Index(url[len("https://"):], "/"); i >= 0 {
			origin = url[:len("https://")+i]
		}
		follow := "^" + regexp.QuoteMeta(origin) + `/news/post-\d+$`
		return fmt.Sprintf("  - {name: %s, kind: site, url: %q, follow: ['%s'], max_depth: 1, max_pages: 10, delay: 1ms}\n",
			name, url, follow)
	case pageKind:
		return fmt.Sprintf("  - {name: %s, url: %q, full_text: always}\n", name, url)
	}
	return fmt.Sprintf("  - {name: %s, url: %q, full_text: never}\n", name, url)
}

// suiteConfig is the config of a daemon polling the given sources, with
// private networks refused and short timeouts.
func suiteConfig(t *testing.T, sources string) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`
database: {url: "sqlite://%s"}
http:
  timeout: %s
  header_timeout: %s
  connect_timeout: %s
  max_body: %d
  allow_private_networks: false
poll: {concurrency: %d, shutdown_timeout: 1s}
archive: {keep_unmatched: true}
sources:
%s`, filepath.Join(t.TempDir(), "fw.db"), httpTimeout, headerTimeout, connectTimeout, maxBody, concurrency, sources)
	cfg, err := config.Parse([]byte(y), "hostile.yaml", nil)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, y)
	}
	return cfg
}

// heapPeak samples the heap in use until stopped and keeps its peak.
type heapPeak struct {
	mu   sync.Mutex
	peak uint64
	at   time.Time
	stop chan struct{}
	done chan struct{}
}

func sampleHeap(every time.Duration) *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.mu.Lock()
			if ms.HeapInuse > h.peak {
				h.peak, h.at = ms.HeapInuse, time.Now()
			}
			h.mu.Unlock()
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// end stops sampling and returns the peak and when it was.
func (h *heapPeak) end() (uint64, time.Time) {
	close(h.stop)
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak, h.at
}

// storedArticles returns the source's archived articles, with their text.
func storedArticles(ctx context.Context, t *testing.T, st *archive.Store, source string) []frontierwatch.Article {
	t.Helper()
	hits, err := st.Search(ctx, archive.Query{Source: source, Limit: 1000})
	if err != nil {
		t.Fatalf("search %s: %v", source, err)
	}
	out := make([]frontierwatch.Article, 0, len(hits))
	for _, h := range hits {
		a, err := st.Article(ctx, h.ID)
		if err != nil {
			t.Fatalf("article %d: %v", h.ID, err)
		}
		out = append(out, a)
	}
	return out
}

func mibs(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
