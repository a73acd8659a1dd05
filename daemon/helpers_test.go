package daemon

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

// feedServer serves RSS feeds at /feed/NAME, each with its own items, ETag
// and optional delay, and counts what it was asked.
type feedServer struct {
	mu       sync.Mutex
	items    map[string]int           // feed → number of items
	delay    map[string]time.Duration // feed → time to answer
	gets     map[string]int           // feed → requests
	inFlight map[string]int
	maxIn    map[string]int // feed → most requests in flight at once
	times    map[string][]time.Time
	total    atomic.Int64
}

func newFeedServer() *feedServer {
	return &feedServer{items: map[string]int{}, delay: map[string]time.Duration{}, gets: map[string]int{}, inFlight: map[string]int{}, maxIn: map[string]int{}, times: map[string][]time.Time{}}
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/feed/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.total.Add(1)
	s.mu.Lock()
	s.gets[name]++
	s.times[name] = append(s.times[name], time.Now())
	s.inFlight[name]++
	s.maxIn[name] = max(s.maxIn[name], s.inFlight[name])
	n, delay := s.items[name], s.delay[name]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight[name]--
		s.mu.Unlock()
	}()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	etag := fmt.Sprintf(`"%s-%d"`, name, n)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(rss(name, n))
}

func (s *feedServer) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[name]
}

func (s *feedServer) requestTimes(name string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times[name]...)
}

func (s *feedServer) maxInFlight(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn[name]
}

// rss is a feed of n items whose links are unique to the feed.
func rss(name string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link>`, name, name)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Item %d of %s</title><link>https://%s.example/post/%d?utm_source=rss</link><guid>%s-%d</guid>`+
			`<pubDate>Mon, 01 Jun 2026 %02d:%02d:00 GMT</pubDate><description>Agents now handle tasks of %d hours in report %d.</description></item>`,
			i, name, name, i, name, i, i/60%24, i%60, i%24+1, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// testConfig builds a config for a temporary archive from YAML for the
// sources part, the way a user writes it.
func testConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	db := filepath.Join(t.TempDir(), "fw.db")
	y := fmt.Sprintf(`
database:
  url: sqlite://%s
http:
  allow_private_networks: true
  timeout: 2s
  max_body: 1MiB
poll:
  concurrency: 4
  shutdown_timeout: 300ms
server:
  listen: 127.0.0.1:0
archive:
  keep_unmatched: true # these tests are about polling, not topics
%s`, db, extra)
	cfg, err := config.Parse([]byte(y), "test.yaml", nil)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, y)
	}
	return cfg
}

func sourcesYAML(base string, names []string, schedule string) string {
	var b strings.Builder
	b.WriteString("sources:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  - {name: %s, url: %q, schedule: %q}\n", n, base+"/feed/"+n, schedule)
	}
	return b.String()
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newDaemon(t *testing.T, cfg *config.Config, opts ...Option) *Daemon {
	t.Helper()
	d, err := New(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func archiveQuery(text string) archive.Query { return archive.Query{Text: text} }

func archiveQueryFor(source string) archive.Query { return archive.Query{Source: source, Limit: 1000} }

func cfgDuration(d time.Duration) config.Duration { return config.Duration(d) }

func figureQuery(metric, subject string) archive.FigureQuery {
	return archive.FigureQuery{Metric: metric, Subject: subject, Limit: 1000}
}
