package daemon

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"
	"time"
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
	for i := range 20 {
		n := fmt.Sprintf("feed%02d", i)
		names = append(names, n)
		fs.items[n] = 5
	}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	const slot = 2 * time.Second
	cfg := testConfig(t, sourcesYAML(srv.URL, names, "@every 2s"))
	cfg.Database.URL = pg
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
		perSlot := map[int64]int{}
		for _, at := range times[1:] { // the first is the start poll, off the schedule
			perSlot[at.Truncate(slot).Unix()]++
		}
		var twice []int64
		for s, c := range perSlot {
			if c > 1 {
				twice = append(twice, s)
			}
		}
		sort.Slice(twice, func(i, j int) bool { return twice[i] < twice[j] })
		if len(twice) > 0 {
			t.Errorf("%s fetched more than once in %d slots (of %d): %v", n, len(twice), len(perSlot), times)
		}
	}
	if n, _ := ds[1].Store().CountArticles(context.Background()); n != int64(8*len(names)) {
		t.Errorf("%d articles after a daemon stopped mid-run, want %d: items were lost", n, 8*len(names))
	}
}
