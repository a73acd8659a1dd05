package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// pathCounter is a server that counts requests by path.
type pathCounter struct {
	mu   sync.Mutex
	gets map[string]int
	h    http.HandlerFunc
}

func (p *pathCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.gets[r.URL.Path]++
	p.mu.Unlock()
	p.h(w, r)
}

func (p *pathCounter) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.gets {
		out[k] = v
	}
	return out
}

// TestEveryClientGuarded runs a whole daemon, built from a config without
// http.allow_private_networks, against a "public" server (an address this
// test declares public to the guard) whose content points at a private
// server on 127.0.0.1 in every way a remote party can: a feed that
// redirects there, feed items whose full text is there (and at the cloud
// metadata address), a site whose robots.txt lists a sitemap there, whose
// seed page links there and redirects there, and alert channels (webhook,
// Slack, Discord) configured there. Every client the daemon has (feeds,
// full text, the colly crawler with robots.txt and sitemaps, the alert
// channels) goes through the guard: the private server gets no request,
// while the public one is polled and crawled as usual.
func TestEveryClientGuarded(t *testing.T) {
	internal := &pathCounter{gets: map[string]int{}, h: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><article><p>internal data</p></article></body></html>")
	}}
	isrv := httptest.NewServer(internal)
	t.Cleanup(isrv.Close)
	in := isrv.URL // http://127.0.0.1:PORT

	var pub *httptest.Server
	public := &pathCounter{gets: map[string]int{}}
	public.h = func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
		case "/summaries":
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>s</title><link>https://s.example/</link>
<item><title>One</title><link>%s/story/1</link><description>Short.</description></item>
<item><title>Two</title><link>http://169.254.169.254/latest/meta-data/</link><description>Short.</description></item>
<item><title>Three</title><link>%s/story/3</link><description>Short.</description></item>
</channel></rss>`, in, pub.URL)
		case "/story/3":
			http.Redirect(w, r, in+"/story/3", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, in+"/feed", http.StatusMovedPermanently)
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n", in)
		case "/news":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><a href="%s/news/inside">inside</a> <a href="/news/hop">hop</a></body></html>`, in)
		case "/news/hop":
			http.Redirect(w, r, in+"/news/hopped", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}
	pub = httptest.NewServer(public)
	t.Cleanup(pub.Close)
	fetch.TreatAsPublicForTest(t, netip.MustParseAddrPort(pub.Listener.Addr().String()))

	y := fmt.Sprintf(`
database: {url: "sqlite://%s/fw.db"}
http: {allow_private_networks: false, timeout: 5s}
poll: {shutdown_timeout: 200ms}
alerts:
  since: 2026-01-01
  channels:
    - {name: hook, type: webhook, url: "%[2]s/hooks/hook-path-secret", timeout: 5s}
    - {name: slack, type: slack, url: "%[2]s/services/T0/B0/slack-path-secret", timeout: 5s}
    - {name: discord, type: discord, url: "%[2]s/api/webhooks/1/discord-path-secret", timeout: 5s}
sources:
  - {name: feed, url: "%[3]s/feed", full_text: never}
  - {name: summaries, url: "%[3]s/summaries", full_text: always}
  - {name: moved, url: "%[3]s/moved"}
  - {name: site, kind: site, url: "%[3]s/news", follow: ['^http://127\.0\.0\.1:[0-9]+/news/.+'], max_depth: 1, max_pages: 20}
archive: {keep_unmatched: true}
`, t.TempDir(), in, pub.URL)
	cfg, err := config.Parse([]byte(y), "guard.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := newDaemon(t, cfg, OneShot())
	srcs, err := d.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.PollAll(ctx, srcs, true, nil); err != nil {
		t.Fatal(err)
	}
	counts, err := d.DeliverPending(ctx, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	if got := internal.counts(); len(got) != 0 {
		t.Errorf("the private server was reached: %v", got)
	}
	// The public side was really exercised, by every client.
	pc := public.counts()
	for _, p := range []string{"/feed", "/summaries", "/story/3", "/moved", "/robots.txt", "/news", "/news/hop"} {
		if pc[p] == 0 {
			t.Errorf("the public server never got %s: %v", p, pc)
		}
	}
	ms, err := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if err != nil || len(ms) == 0 {
		t.Fatalf("no milestones to deliver: %v", err)
	}
	if counts[archive.DeliveryFailed] != 3*len(ms) || counts[archive.DeliveryDelivered] != 0 {
		t.Errorf("deliveries %v, want all %d failed", counts, 3*len(ms))
	}
	rows, err := d.Store().WriteDB().QueryContext(ctx, `SELECT channel, state, last_error FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch, state, msg string
		if err := rows.Scan(&ch, &state, &msg); err != nil {
			t.Fatal(err)
		}
		if state != archive.DeliveryFailed || !strings.Contains(msg, "refusing to connect") || strings.Contains(msg, "path-secret") {
			t.Errorf("%s delivery: %s %q, want failed by the guard, without the URL", ch, state, msg)
		}
	}
	moved, err := d.Store().Source(ctx, "moved")
	if err != nil || !strings.Contains(moved.State.LastError, "refusing to connect") {
		t.Errorf("the redirected feed's error: %q %v", moved.State.LastError, err)
	}
}
