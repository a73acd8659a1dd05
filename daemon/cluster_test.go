package daemon

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

// TestThreeDaemonsOnePostgres runs three daemons (separate pools, as three
// processes would have) on one PostgreSQL archive with feeds on a short
// schedule: River elects one leader to insert the periodic polls and any
// daemon works them, so each feed is fetched at most once per slot and
// every article is stored once, also when one daemon (perhaps the leader)
// stops abruptly mid-run.
func TestThreeDaemonsOnePostgres(t *testing.T) {
	pg := postgresURL(t)
	fs := newFeedServer()
	var names []string
	for i := range 50 {
		n := fmt.Sprintf("feed%02d", i)
		names = append(names, n)
		fs.items[n] = 5
	}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	const slot = 2 * time.Second
	rcv, hook := newReceiver(t)
	mb, port := startMailbox(t)
	cfg := alertConfig(t, hook.URL, port, sourcesYAML(srv.URL, names, "@every 2s"))
	cfg.Database.URL = pg
	cfg.Archive.KeepUnmatched = true
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.HTTP.Timeout = cfgDuration(10 * time.Second)
	cfg.Poll.ShutdownTimeout = cfgDuration(5 * time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first daemon is stopped abruptly mid-run: its running polls are
	// cancelled at once (as a killed process's would be lost).
	victimCfg := *cfg
	victimCfg.Poll.ShutdownTimeout = cfgDuration(10 * time.Millisecond)
	vctx, vcancel := context.WithCancel(ctx)
	var ds []*Daemon
	done := make(chan error, 3)
	for i := range 3 {
		c, rctx := cfg, ctx
		if i == 0 {
			c, rctx = &victimCfg, vctx
		}
		d := newDaemon(t, c, WithFetchInterval(50*time.Millisecond))
		ds = append(ds, d)
		go func() { done <- d.Run(rctx) }()
	}
	time.Sleep(5 * slot)
	vcancel()
	// New items appear after the stop: the other daemons must store them.
	fs.mu.Lock()
	for _, n := range names {
		fs.items[n] = 8
	}
	fs.mu.Unlock()
	time.Sleep(8 * slot)
	// Let the deliveries the last polls raised go out.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, _ := ds[1].Store().DeliveryCounts(context.Background()); c["pending"] == 0 {
			break
		}
	}
	cancel()
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	// Per feed: the fetch times, bucketed by slot (the schedule's slots
	// start on whole multiples of 2 s).
	for _, n := range names {
		times := fs.requestTimes(n)
		if len(times) < 4 {
			t.Errorf("%s fetched %d times in %v", n, len(times), 10*slot)
			continue
		}
		// After the start poll, at most one fetch per slot: count them over
		// the window rather than bucket them by time, since a job picked
		// up late lands next to the following slot's.
		window := times[len(times)-1].Sub(times[1])
		if maxFetches := 2 + int(math.Ceil(window.Seconds()/slot.Seconds())); len(times) > maxFetches {
			t.Errorf("%s fetched %d times within %v of its first scheduled poll: more than once per slot: %v", n, len(times), window, times)
		}
	}
	ms, err := ds[1].Store().Milestones(context.Background(), archive.MilestoneQuery{Limit: 1000})
	if err != nil || len(ms) == 0 {
		t.Fatalf("milestones %d, %v", len(ms), err)
	}
	if keys, twice := rcv.delivered(); keys != len(ms) || len(twice) > 0 {
		t.Errorf("webhook: %d distinct alerts (%v twice) for %d milestones", keys, twice, len(ms))
	}
	if mb.count() != len(ms) {
		t.Errorf("email: %d messages for %d milestones", mb.count(), len(ms))
	}
	if n, _ := ds[1].Store().CountArticles(context.Background()); n != int64(8*len(names)) {
		t.Errorf("%d articles after a daemon stopped mid-run, want %d: items were lost", n, 8*len(names))
	}
}
