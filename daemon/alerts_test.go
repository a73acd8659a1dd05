package daemon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

const hookSecret = "wh-s3cret-value"

// receiver is a webhook receiver that checks signatures and counts
// deliveries per idempotency key. fail makes it answer 500 to the next n
// requests; hang makes it never answer.
type receiver struct {
	t    *testing.T
	mu   sync.Mutex
	ok   map[string]int // idempotency key → successful deliveries
	seen map[string]int // idempotency key → requests
	body map[string]map[string]any
	fail int
	hang chan struct{}
}

func newReceiver(t *testing.T) (*receiver, *httptest.Server) {
	r := &receiver{t: t, ok: map[string]int{}, seen: map[string]int{}, body: map[string]map[string]any{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write(b)
	if req.Header.Get("X-Frontierwatch-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		r.t.Errorf("bad signature on %s", b)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	key := req.Header.Get("Idempotency-Key")
	r.mu.Lock()
	r.seen[key]++
	hang := r.hang
	if r.fail > 0 {
		r.fail--
		r.mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	r.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-req.Context().Done():
			return
		}
	}
	var v map[string]any
	json.Unmarshal(b, &v)
	r.mu.Lock()
	r.ok[key]++
	r.body[key] = v
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) delivered() (keys int, twice []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, n := range r.ok {
		if n > 1 {
			twice = append(twice, k)
		}
	}
	return len(r.ok), twice
}

// mailbox is an SMTP server on 127.0.0.1 (a local relay without TLS).
type mailbox struct {
	mu   sync.Mutex
	msgs []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

type mailSession struct{ m *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, string(b))
	s.m.mu.Unlock()
	return err
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

func startMailbox(t *testing.T) (*mailbox, int) {
	mb := &mailbox{}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return mb, l.Addr().(*net.TCPAddr).Port
}

// corpusFeed is an RSS feed carrying the corpus article on site, published
// at pub.
func corpusFeed(t *testing.T, site string, pub time.Time) []byte {
	t.Helper()
	text, err := os.ReadFile("../../shared/corpus/when-ai-builds-itself.txt")
	if err != nil {
		text, err = os.ReadFile("../figures/testdata/corpus/when-ai-builds-itself.txt")
	}
	if err != nil {
		t.Fatalf("corpus article: %v", err)
	}
	return fmt.Appendf(nil, `<rss version="2.0"><channel><title>%s</title><link>https://%s/</link>
<item><title>When AI builds itself</title><link>https://%s/news/when-ai-builds-itself</link><pubDate>%s</pubDate>
<description>%s</description></item></channel></rss>`, site, site, site, pub.Format(time.RFC1123Z), html.EscapeString(string(text)))
}

// alertConfig is a config with a webhook and an email channel.
func alertConfig(t *testing.T, hook string, smtpPort int, sources string) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`
database: {url: "sqlite://%s"}
http: {allow_private_networks: true, timeout: 3s}
poll: {shutdown_timeout: 200ms}
alerts:
  since: 2026-01-01
  channels:
    - {name: hook, type: webhook, url: %q, secret_env: FW_TEST_SECRET, timeout: 2s}
    - {name: mail, type: email, to: [ops@example.org], from: fw@example.org, smtp: {host: 127.0.0.1, port: %d, tls: none}}
%s`, filepath.Join(t.TempDir(), "fw.db"), hook, smtpPort, sources)
	cfg, err := config.Parse([]byte(y), "alerts-test.yaml", []string{"FW_TEST_SECRET=" + hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestAlertsEndToEnd: a feed publishes the corpus article; one poll
// delivers its milestones on the webhook and by email; a second site
// republishing it raises no new alert but adds a source; an old article
// (before alerts.since) alerts nobody.
func TestAlertsEndToEnd(t *testing.T) {
	rcv, hook := newReceiver(t)
	mb, port := startMailbox(t)
	feeds := map[string][]byte{
		"/a":   corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)),
		"/b":   corpusFeed(t, "second.example.org", time.Date(2026, 6, 6, 10, 0, 0, 0, time.UTC)),
		"/old": []byte(`<rss version="2.0"><channel><title>old</title><link>https://old.example/</link><item><title>Agents ran autonomously for 400 hours</title><link>https://old.example/x</link><pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate><description>METR reports that the latest AI agent worked autonomously for 400 hours on a single software task.</description></item></channel></rss>`),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(feeds[r.URL.Path]) }))
	defer srv.Close()
	src := func(n string) string {
		return fmt.Sprintf("  - {name: %s, url: %s/%s, full_text: never}\n", n, srv.URL, n)
	}
	cfg := alertConfig(t, hook.URL, port, "sources:\n"+src("a")+src("b")+src("old"))
	ctx := context.Background()
	d := newDaemon(t, cfg, OneShot())
	poll := func(name string) {
		t.Helper()
		srcs, _ := d.Sources(ctx, name)
		if _, err := d.PollAll(ctx, srcs, true, nil); err != nil {
			t.Fatal(err)
		}
		if counts, err := d.DeliverPending(ctx, 20*time.Second); err != nil || counts[archive.DeliveryPending] != 0 {
			t.Fatalf("deliveries %v, %v", counts, err)
		}
	}

	poll("a")
	ms, err := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if err != nil || len(ms) == 0 {
		t.Fatalf("milestones %v %v", ms, err)
	}
	keys, twice := rcv.delivered()
	if keys != len(ms) || len(twice) > 0 {
		t.Fatalf("webhook got %d alerts (%v twice) for %d milestones", keys, twice, len(ms))
	}
	if mb.count() != len(ms) {
		t.Errorf("%d emails for %d milestones", mb.count(), len(ms))
	}
	var records int
	for _, m := range ms {
		if m.Kind == "record" {
			records++
		}
		body := rcv.body[fmt.Sprintf("fw-m%d-hook", m.ID)]
		if body == nil || body["metric"] != m.Metric {
			t.Errorf("milestone %d (%s) not delivered as itself: %v", m.ID, m.Metric, body)
		}
	}
	if records == 0 {
		t.Errorf("no record milestone among %d (the 52x speed-up beats 3x)", len(ms))
	}

	poll("b") // the same report on another site
	if k, _ := rcv.delivered(); k != keys {
		t.Errorf("a republication raised %d new alerts", k-keys)
	}
	ms2, _ := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if len(ms2) != len(ms) {
		t.Errorf("%d milestones after the republication, want %d", len(ms2), len(ms))
	}
	for _, m := range ms2 {
		if m.Sites != 2 {
			t.Errorf("milestone %d (%s %v): %d sites, want 2", m.ID, m.Metric, m.Value, m.Sites)
		}
	}

	poll("old") // a record, but published before alerts.since
	ms3, _ := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if len(ms3) != len(ms)+1 || ms3[0].Alert || ms3[0].Value != 400 {
		t.Errorf("the backfilled record: %+v", ms3[0])
	}
	if k, _ := rcv.delivered(); k != keys || mb.count() != len(ms) {
		t.Errorf("the backfill alerted: %d webhooks, %d emails", k, mb.count())
	}
}

// TestDeliveryRetriedUntilReceiverRecovers: a receiver that fails, then
// recovers, gets every alert exactly once; polling is not held up.
func TestDeliveryRetriedUntilReceiverRecovers(t *testing.T) {
	rcv, hook := newReceiver(t)
	rcv.fail = 6
	_, port := startMailbox(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	cfg := alertConfig(t, hook.URL, port, fmt.Sprintf("sources:\n  - {name: a, url: %s/a, full_text: never}\n", srv.URL))
	ctx := context.Background()
	d := newDaemon(t, cfg, OneShot(), WithRetryBase(50*time.Millisecond), WithFetchInterval(20*time.Millisecond))
	srcs, _ := d.Sources(ctx)
	start := time.Now()
	if _, err := d.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the poll took %v: delivery must not hold up ingest", took)
	}
	counts, err := d.DeliverPending(ctx, 30*time.Second)
	if err != nil || counts[archive.DeliveryPending] != 0 || counts[archive.DeliveryFailed] != 0 {
		t.Fatalf("deliveries %v %v", counts, err)
	}
	ms, _ := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	keys, twice := rcv.delivered()
	if keys != len(ms) || len(twice) > 0 {
		t.Errorf("%d alerts delivered (%v twice) for %d milestones", keys, twice, len(ms))
	}
	rcv.mu.Lock()
	retried := 0
	for _, n := range rcv.seen {
		if n > 1 {
			retried++
		}
	}
	rcv.mu.Unlock()
	if retried == 0 {
		t.Error("no delivery was retried: the receiver's failures were not exercised")
	}
}

// TestDeliveryInterruptedMidSend: the daemon stops while the receiver holds
// a delivery; after a restart the receiver sees the same idempotency key
// again, never a new alert for the milestone.
func TestDeliveryInterruptedMidSend(t *testing.T) {
	rcv, hook := newReceiver(t)
	rcv.hang = make(chan struct{})
	_, port := startMailbox(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	cfg := alertConfig(t, hook.URL, port, fmt.Sprintf("sources:\n  - {name: a, url: %s/a, full_text: never}\n", srv.URL))
	ctx := context.Background()
	d1, err := New(ctx, cfg, OneShot(), WithRetryBase(50*time.Millisecond), WithFetchInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ := d1.Sources(ctx)
	if _, err := d1.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	// Deliveries hang: give up waiting quickly, as a killed process would.
	dctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	d1.DeliverPending(dctx, time.Second)
	cancel()
	d1.Close()
	rcv.mu.Lock()
	before := len(rcv.seen)
	close(rcv.hang)
	rcv.hang = nil
	rcv.mu.Unlock()
	if before == 0 {
		t.Fatal("no delivery reached the receiver before the stop")
	}

	d2 := newDaemon(t, cfg, OneShot(), WithRetryBase(50*time.Millisecond), WithFetchInterval(20*time.Millisecond))
	counts, err := d2.DeliverPending(ctx, 30*time.Second)
	if err != nil || counts[archive.DeliveryPending] != 0 {
		t.Fatalf("after the restart: %v %v", counts, err)
	}
	ms, _ := d2.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.seen) != len(ms) {
		t.Errorf("the receiver saw %d distinct alerts for %d milestones", len(rcv.seen), len(ms))
	}
	for k, n := range rcv.ok {
		if !strings.HasPrefix(k, "fw-m") || n != 1 {
			t.Errorf("alert %s completed %d times", k, n)
		}
	}
}

// TestStoredSilenceMutes: a silence added through the API (stored in the
// archive) mutes the deliveries it matches; the others go out.
func TestStoredSilenceMutes(t *testing.T) {
	rcv, hook := newReceiver(t)
	_, port := startMailbox(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	cfg := alertConfig(t, hook.URL, port, fmt.Sprintf("sources:\n  - {name: a, url: %s/a, full_text: never}\n", srv.URL))
	ctx := context.Background()
	d := newDaemon(t, cfg, OneShot())
	if _, err := d.Store().AddSilence(ctx, archive.Silence{Metric: "rnd_speedup", Until: time.Now().Add(time.Hour), Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	srcs, _ := d.Sources(ctx)
	if _, err := d.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	counts, err := d.DeliverPending(ctx, 20*time.Second)
	if err != nil || counts[archive.DeliverySilenced] == 0 || counts[archive.DeliveryPending] != 0 {
		t.Fatalf("deliveries %v, %v", counts, err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for _, body := range rcv.body {
		if body["metric"] == "rnd_speedup" {
			t.Errorf("a silenced metric was delivered: %v", body)
		}
	}
	if len(rcv.body) == 0 {
		t.Error("the unsilenced milestones were not delivered")
	}
}
