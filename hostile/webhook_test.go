package hostile

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// hookTimeout is the channels' delivery timeout.
const hookTimeout = 2 * time.Second

// receiver is one alert channel's hostile (or good) webhook receiver.
type receiver struct {
	name  string
	url   func(b *bench) string
	state string // the delivery's state after its first attempt (alternatives with " | ")
	msg   string // its recorded error says this (alternatives with " | ")
}

// hookAt serves h as a webhook receiver.
func hookAt(h handler) func(*bench) string {
	return func(b *bench) string {
		s := b.http()
		s.handle("/", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
			h(b, w, r)
		})
		return s.URL + "/hook"
	}
}

// rawHook answers a webhook from a raw TCP server.
func rawHook(serve func(c net.Conn, quit <-chan struct{})) func(*bench) string {
	return func(b *bench) string {
		rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) {
			if _, err := readRequest(c); err != nil {
				return
			}
			serve(c, quit)
		})
		return "http://" + rs.addr + "/hook"
	}
}

func receivers() []receiver {
	pending, failed := archive.DeliveryPending, archive.DeliveryFailed
	return []receiver{
		{"good", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }),
			archive.DeliveryDelivered, ""},
		{"stall", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) { stall(r, b.q) }),
			pending, "timeout | deadline"},
		{"drip-error-page", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			drip(w, r, b.q, []byte("upstream error"), 100*time.Millisecond, true)
		}), pending, "502"},
		{"endless-error-page", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			endless(w, r, b.q, []byte(strings.Repeat("stack trace ", 5000)))
		}), pending, "500"},
		{"switching-protocols", rawHook(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			wait(c, quit)
		}), pending, "101 Switching Protocols"},
		{"redirect-to-metadata", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
		}), failed, "redirects are not followed"},
		{"429-huge-retry-after", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "999999999")
			w.WriteHeader(http.StatusTooManyRequests)
		}), pending, "429"},
		{"garbage-status-line", rawHook(func(c net.Conn, quit <-chan struct{}) {
			io.WriteString(c, "HTTP/1.1 2OO OK\r\n\r\n")
		}), pending, "malformed HTTP"},
		// Over the header cap, or (on a slow machine) the channel's timeout.
		{"header-flood", hookAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", strings.Repeat("h", 2*mib))
			w.WriteHeader(http.StatusOK)
		}), pending, "server response headers exceeded | timeout | deadline"},
		{"tls-stalled-handshake", func(b *bench) string {
			rs := b.rawTCP(func(c net.Conn, quit <-chan struct{}) { wait(c, quit) })
			return "https://" + rs.addr + "/hook"
		}, pending, "timeout | deadline"},
		{"reset", rawHook(func(c net.Conn, quit <-chan struct{}) {
			c.(*net.TCPConn).SetLinger(0)
		}), pending, "reset | EOF"},
	}
}

// TestHostileWebhooks: a milestone alerts a good webhook channel and
// channels whose receivers are hostile. Each hostile delivery ends its
// first attempt within the channel's timeout, with the error recorded on
// the delivery (pending, to be retried, or failed for good), and the good
// channel gets its alert.
func TestHostileWebhooks(t *testing.T) {
	q := newQuitter(t)
	rs := receivers()
	var chans strings.Builder
	benches := map[string]*bench{}
	for _, r := range rs {
		b := &bench{t: t, q: q}
		benches[r.name] = b
		fmt.Fprintf(&chans, "    - {name: %s, type: webhook, url: %q, timeout: %s}\n", r.name, r.url(b), hookTimeout)
	}
	feed := &bench{t: t, q: q}
	fs := feed.http()
	fs.handle("/feed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>lab</title><link>%s/</link><item><title>Agents ran autonomously for 400 hours</title>`+
			`<link>%s/news/400-hours</link><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>`+
			`<description>METR reports that the latest AI agent worked autonomously for 400 hours on a single software task.</description></item></channel></rss>`,
			fs.URL, fs.URL)
	})
	y := fmt.Sprintf(`
database: {url: "sqlite://%s"}
http: {timeout: %s, header_timeout: %s, connect_timeout: %s, max_body: %d}
archive: {keep_unmatched: true}
alerts:
  since: 2026-01-01
  channels:
%ssources:
  - {name: lab, url: %q, full_text: never}
`, filepath.Join(t.TempDir(), "fw.db"), httpTimeout, headerTimeout, connectTimeout, maxBody, chans.String(), fs.URL+"/feed")
	cfg, err := config.Parse([]byte(y), "hooks.yaml", nil)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, y)
	}
	ctx := context.Background()
	d, err := daemon.New(ctx, cfg, daemon.OneShot(), daemon.WithRetryBase(time.Hour), daemon.WithFetchInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	srcs, _ := d.Sources(ctx)
	sum, err := d.PollAll(ctx, srcs, true, nil)
	if err != nil || sum.New != 1 || sum.Milestones == 0 {
		t.Fatalf("poll: %+v, %v: want the article and a milestone", sum, err)
	}

	// Deliver until every channel's first attempt is recorded.
	dctx, cancel := context.WithCancel(ctx)
	var delivering atomic.Bool
	delivering.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer delivering.Store(false)
		d.DeliverPending(dctx, 5*time.Minute)
	}()
	start := time.Now()
	// Four delivery workers, each attempt within the channel timeout.
	bound := time.Duration(len(rs)/4+1)*(hookTimeout+time.Second) + slack
	var got map[string]delivery
	for {
		got = deliveries(t, d.Store())
		if len(got) == len(rs) && !slices.ContainsFunc(rs, func(r receiver) bool { return got[r.name].attempts == 0 }) {
			break
		}
		if time.Since(start) > bound || !delivering.Load() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	t.Logf("first attempts on %d channels in %v", len(rs), elapsed.Round(time.Millisecond))
	for _, r := range rs {
		t.Run(r.name, func(t *testing.T) {
			g, ok := got[r.name]
			switch {
			case !ok || g.attempts == 0:
				t.Fatalf("no attempt recorded within %v: %+v", bound, g)
			case !slices.Contains(strings.Split(r.state, " | "), g.state):
				t.Errorf("delivery %s (%q), want %s", g.state, g.lastError, r.state)
			case r.msg == "" && g.lastError != "":
				t.Errorf("error %q recorded for a delivered alert", g.lastError)
			case r.msg != "" && !slices.ContainsFunc(strings.Split(r.msg, " | "), func(m string) bool {
				return strings.Contains(g.lastError, m)
			}):
				t.Errorf("recorded error %q, want it to say %q", g.lastError, r.msg)
			}
		})
	}
}

// delivery is a delivery's row in the archive.
type delivery struct {
	state     string
	attempts  int
	lastError string
}

// deliveries reads every channel's delivery of the (one) milestone.
func deliveries(t *testing.T, st *archive.Store) map[string]delivery {
	t.Helper()
	rows, err := st.WriteDB().QueryContext(context.Background(), `SELECT channel, state, attempts, last_error FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]delivery{}
	for rows.Next() {
		var ch string
		var d delivery
		if err := rows.Scan(&ch, &d.state, &d.attempts, &d.lastError); err != nil {
			t.Fatal(err)
		}
		out[ch] = d
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
