package daemon

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TestPollJobSkipsSourcePolledSinceDue checks the guard against double
// polls: two schedulers (two daemons, or a resync racing a finishing
// poll) can find a source due at the same moment and queue two jobs, the
// second once the first has already run; the second must not fetch again.
func TestPollJobSkipsSourcePolledSinceDue(t *testing.T) {
	fs := newFeedServer()
	fs.items["a"] = 2
	srv := httptest.NewServer(fs)
	defer srv.Close()
	d := newDaemon(t, testConfig(t, sourcesYAML(srv.URL, []string{"a"}, "@every 1h")))
	ctx := context.Background()
	w := &pollWorker{d: d}
	job := func(seen *int64, created time.Time) *river.Job[PollArgs] {
		return &river.Job[PollArgs]{JobRow: &rivertype.JobRow{CreatedAt: created}, Args: PollArgs{Source: "a", Seen: seen}}
	}
	lastSeen := func() *int64 {
		src, err := d.store.Source(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		v := lastMillis(src.State.LastPolledAt)
		return &v
	}
	work := func(j *river.Job[PollArgs], wantFetches int, what string) {
		t.Helper()
		if err := w.Work(ctx, j); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := fs.count("a"); got != wantFetches {
			t.Fatalf("%s: %d fetches, want %d", what, got, wantFetches)
		}
	}

	never := lastSeen()
	if *never != 0 {
		t.Fatalf("a new source has a last poll: %d", *never)
	}
	work(job(never, time.Now()), 1, "first job found due")
	// The second job was found due before the first poll, but queued
	// after it finished: its CreatedAt is after the poll, only Seen tells.
	time.Sleep(5 * time.Millisecond)
	work(job(never, time.Now()), 1, "second job found due at the same time")
	work(job(lastSeen(), time.Now()), 2, "a job found due after the poll")

	// Periodic jobs carry no Seen: a job created before the last poll is
	// redundant, one created after it polls.
	work(job(nil, time.Now().Add(-time.Hour)), 2, "periodic job created before the last poll")
	time.Sleep(5 * time.Millisecond)
	work(job(nil, time.Now()), 3, "periodic job created after the last poll")
}
