package daemon

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"
	"time"
)

// runFor runs d until stop returns true (checked every 50 ms) or the limit
// passes, then stops it and waits for Run to return.
func runFor(t *testing.T, d *Daemon, limit time.Duration, stop func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.After(limit)
loop:
	for {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("Run returned early: %v", err)
		case <-deadline:
			break loop
		case <-time.After(50 * time.Millisecond):
			if stop != nil && stop() {
				break loop
			}
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestSchedulerOnePollPerSlotNoOverlap runs the daemon with River on a
// one-second schedule: every source is polled at start and then once per
// slot, and a source whose poll outlasts its slot is never polled twice at
// once (the slots that find it running are skipped).
func TestSchedulerOnePollPerSlotNoOverlap(t *testing.T) {
	fs := newFeedServer()
	names := []string{"fast1", "fast2", "fast3", "slow"}
	for _, n := range names {
		fs.items[n] = 3
	}
	const slowPoll = 2500 * time.Millisecond
	fs.delay["slow"] = slowPoll
	srv := httptest.NewServer(fs)
	defer srv.Close()
	cfg := testConfig(t, sourcesYAML(srv.URL, names, "@every 1s"))
	cfg.HTTP.Timeout = cfgDuration(5 * time.Second)
	cfg.Poll.ShutdownTimeout = cfgDuration(5 * time.Second)
	d := newDaemon(t, cfg, WithFetchInterval(50*time.Millisecond))
	runFor(t, d, 20*time.Second, func() bool {
		return fs.count("slow") >= 2 && fs.count("fast1") >= 5
	})
	for _, n := range names {
		times := fs.requestTimes(n)
		if fs.maxInFlight(n) != 1 {
			t.Errorf("%s had %d polls in flight at once: polls overlapped", n, fs.maxInFlight(n))
		}
		if len(times) < 2 {
			t.Fatalf("%s polled %d times", n, len(times))
		}
		// The first poll runs at start, off the schedule; after it, polls
		// come at most one per one-second slot. (Pickup latency varies on
		// a loaded machine, so count polls over the window rather than
		// measure gaps between them.)
		window := times[len(times)-1].Sub(times[1])
		if maxPolls := 2 + int(math.Ceil(window.Seconds())); len(times) > maxPolls {
			t.Errorf("%s: %d polls within %v of the first scheduled one: more than one per slot", n, len(times), window)
		}
		if n == "slow" {
			if gap := times[1].Sub(times[0]); gap < slowPoll {
				t.Errorf("slow: second poll %v after the first, which took %v", gap, slowPoll)
			}
		}
	}
	if n, _ := d.Store().CountArticles(context.Background()); n != int64(3*len(names)) {
		t.Errorf("%d articles, want %d", n, 3*len(names))
	}
}

// TestRestartMidCycle stops the daemon while polls are running, then starts
// a new one on the same archive: every item ends up stored exactly once.
func TestRestartMidCycle(t *testing.T) {
	fs := newFeedServer()
	var names []string
	for i := range 30 {
		n := fmt.Sprintf("feed%02d", i)
		names = append(names, n)
		fs.items[n] = 20
		if i%3 == 0 {
			fs.delay[n] = 1500 * time.Millisecond // still running at the stop
		}
	}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	cfg := testConfig(t, sourcesYAML(srv.URL, names, "@every 1h"))
	cfg.Poll.ShutdownTimeout = cfgDuration(200 * time.Millisecond)
	// This test is about restarts, not timeouts: leave the slow feeds
	// ample time even on a loaded machine (a timeout is a recorded
	// failure and would back the source off past the test's end).
	cfg.HTTP.Timeout = cfgDuration(10 * time.Second)

	d1, err := New(context.Background(), cfg, WithFetchInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// Stop as soon as some polls are done and others still run.
	runFor(t, d1, 10*time.Second, func() bool {
		n, _ := d1.Store().CountArticles(context.Background())
		return n >= 100
	})
	stored, _ := d1.Store().CountArticles(context.Background())
	d1.Close()
	if stored >= int64(20*len(names)) {
		t.Fatalf("all %d articles stored before the stop: the test did not stop mid-cycle", stored)
	}

	d2 := newDaemon(t, cfg, WithFetchInterval(50*time.Millisecond))
	want := int64(20 * len(names))
	runFor(t, d2, 15*time.Second, func() bool {
		n, _ := d2.Store().CountArticles(context.Background())
		return n >= want
	})
	n, _ := d2.Store().CountArticles(context.Background())
	if n != want {
		t.Fatalf("after the restart %d articles, want %d (stored before the stop: %d)", n, want, stored)
	}
	// Every item is there once: the archive's URLs are unique, so a search
	// over one feed's items finds exactly its 20.
	hits, err := d2.Store().Search(context.Background(), archiveQueryFor("feed00"))
	if err != nil || len(hits) != 20 {
		t.Errorf("feed00: %d articles, %v", len(hits), err)
	}
}
