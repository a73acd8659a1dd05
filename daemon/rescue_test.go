package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

// TestJobsOfAKilledDaemonAreRescued: a daemon killed while it delivered
// alerts and polled a source leaves those jobs "running" in the queue,
// where they block the source's schedule and hold back the alerts. The
// next daemon retries them once they have certainly timed out (River's
// rescuer waits for each job's own timeout), about a minute after they
// started, not after the longest crawl budget (eleven minutes). Found by
// the crash harness (crashtest): after one kill, five of six sources went
// unpolled for minutes. A site's crawl that started as long ago is still
// within its budget and is left alone: it may be working.
func TestJobsOfAKilledDaemonAreRescued(t *testing.T) {
	rcv, hook := newReceiver(t)
	_, port := startMailbox(t)
	var fetches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	site := newLabSite(t, 2)
	cfg := alertConfig(t, hook.URL, port, fmt.Sprintf("sources:\n  - {name: a, url: %s/a, full_text: never, schedule: \"@every 1s\"}\n", srv.URL)+
		strings.Replace(siteConfigYAML(site), "sources:\n", "", 1)+"    schedule: \"@every 1s\"\n")
	cfg.Server.Listen = "127.0.0.1:0"
	ctx := context.Background()

	// The first daemon polls and queues the alerts, and a poll of the
	// source is queued too; then it "dies" with all of them running.
	d1 := newDaemon(t, cfg, OneShot())
	srcs, _ := d1.Sources(ctx)
	if _, err := d1.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "lab"} {
		if _, err := d1.river.Insert(ctx, PollArgs{Source: name}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d1.Store().WriteDB().ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = datetime('now', '-2 minutes', 'subsec'), attempted_by = json_array('killed-daemon')
		WHERE state = 'available'`)
	if err != nil {
		t.Fatal(err)
	}
	stuck, _ := res.RowsAffected()
	ms, err := d1.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if err != nil || len(ms) == 0 {
		t.Fatalf("milestones %d, %v", len(ms), err)
	}
	if want := int64(2*len(ms) + 2); stuck != want { // webhook and email per milestone, and the polls
		t.Fatalf("%d jobs left running, want %d", stuck, want)
	}
	d1.Close()
	polled, crawled := fetches.Load(), site.count("/news")

	d2 := newDaemon(t, cfg, WithRetryBase(50*time.Millisecond), WithFetchInterval(50*time.Millisecond))
	done := func() bool { // every delivery ended (email too, not only the webhook) and a poll ran
		keys, _ := rcv.delivered()
		if keys != len(ms) || fetches.Load() == polled {
			return false
		}
		counts, err := d2.Store().DeliveryCounts(ctx)
		return err == nil && counts[archive.DeliveryPending] == 0
	}
	runFor(t, d2, 45*time.Second, done)
	keys, twice := rcv.delivered()
	if keys != len(ms) || len(twice) > 0 {
		t.Errorf("after the restart: %d of %d alerts delivered (%v twice): the jobs the killed daemon left running were not retried", keys, len(ms), twice)
	}
	if fetches.Load() == polled {
		t.Error("after the restart the source was never polled: its poll job, left running, blocks its schedule")
	}
	counts, err := d2.Store().DeliveryCounts(ctx)
	if err != nil || counts[archive.DeliveryPending] != 0 {
		t.Errorf("deliveries after the restart: %v, %v", counts, err)
	}
	var state string
	err = d2.Store().WriteDB().QueryRowContext(ctx, `SELECT state FROM river_job
		WHERE kind = 'poll_source' AND json_extract(args, '$.source') = 'lab'`).Scan(&state)
	if err != nil || state != "running" || site.count("/news") != crawled {
		t.Errorf("the site's crawl, two minutes into its ten-minute budget, was retried beside itself: job %q (%v), %d crawls", state, err, site.count("/news")-crawled)
	}
}
