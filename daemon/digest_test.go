package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

// TestDigestChannel: a digest channel gets the milestones of a cycle as
// one message on its schedule, not one message each.
func TestDigestChannel(t *testing.T) {
	rcv, hook := newReceiver(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	y := fmt.Sprintf(`
database: {url: "sqlite://%s"}
http: {allow_private_networks: true, timeout: 3s}
poll: {shutdown_timeout: 2s}
server: {listen: "127.0.0.1:0"}
alerts:
  since: 2026-01-01
  channels:
    - {name: daily, type: webhook, url: %q, secret_env: FW_TEST_SECRET, digest: "@every 1s"}
sources:
  - {name: a, url: %s/a, full_text: never, schedule: "@every 1h"}
`, filepath.Join(t.TempDir(), "fw.db"), hook.URL, srv.URL)
	cfg, err := config.Parse([]byte(y), "digest.yaml", []string{"FW_TEST_SECRET=" + hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	d := newDaemon(t, cfg, WithFetchInterval(50*time.Millisecond))
	runFor(t, d, 20*time.Second, func() bool {
		c, _ := d.Store().DeliveryCounts(context.Background())
		return c[archive.DeliveryDelivered] > 0 && c[archive.DeliveryPending] == 0
	})
	ms, _ := d.Store().Milestones(context.Background(), archive.MilestoneQuery{Limit: 100})
	if len(ms) < 2 {
		t.Fatalf("%d milestones", len(ms))
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.ok) != 1 {
		t.Fatalf("%d messages, want one digest", len(rcv.ok))
	}
	for _, body := range rcv.body {
		if body["digest"] != true || int(body["count"].(float64)) != len(ms) {
			t.Errorf("digest %v, want %d alerts", body, len(ms))
		}
	}
	c, _ := d.Store().DeliveryCounts(context.Background())
	if c[archive.DeliveryDelivered] != len(ms) {
		t.Errorf("deliveries %v", c)
	}
}
