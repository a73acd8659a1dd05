package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

// PollArgs is the River job that polls one source.
type PollArgs struct {
	Source string `json:"source" river:"unique"`
	// Seen is set on the polls pollDue queues: the source's last poll
	// (Unix ms, 0 for never) when it was found due. A source whose last
	// poll has changed since was polled by another job in between, and
	// this one is redundant. Not part of the job's uniqueness.
	Seen *int64 `json:"seen,omitempty"`
}

// Kind is the job's kind in River's tables.
func (PollArgs) Kind() string { return "poll_source" }

// liveStates are the job states in which a poll of a source counts as
// already queued or running. Completed jobs are left out, so every slot
// can insert its poll, but a slot whose previous poll still runs (or
// waits for a retry) is skipped: polls of one source never overlap.
var liveStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// InsertOpts makes poll jobs unique per source while one is live, and
// retries a poll that failed inside the daemon (not a failing source, which
// is recorded on the source and backs off) a few times.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: 3,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: liveStates},
	}
}

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	d *Daemon
}

// Timeout bounds one poll: a feed's fetch is bounded by the HTTP timeout
// (storing gets a minute more); a site crawl gets siteCrawlBudget per run
// and goes on where it stopped at the next run (its frontier is durable).
// River's rescuer asks it too, to tell a dead poll from a long one: when
// the source cannot be read, the longer budget is the safe answer.
func (w *pollWorker) Timeout(job *river.Job[PollArgs]) time.Duration {
	src, err := w.d.store.Source(context.Background(), job.Args.Source)
	if errors.Is(err, archive.ErrNotFound) {
		return w.d.jobTimeout() // removed: Work returns at once
	}
	if err != nil || src.Kind == frontierwatch.KindSite {
		return siteCrawlBudget
	}
	return w.d.jobTimeout()
}

// siteCrawlBudget is how long one run of a site crawl may take.
const siteCrawlBudget = 10 * time.Minute

// jobTimeout bounds one feed poll job.
func (d *Daemon) jobTimeout() time.Duration { return d.cfg.HTTP.Timeout.Std() + time.Minute }

func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	src, err := w.d.store.Source(ctx, job.Args.Source)
	if errors.Is(err, archive.ErrNotFound) {
		return nil // removed since the job was queued
	}
	if err != nil {
		return err
	}
	if !src.Enabled {
		return nil
	}
	// Polled since this job was queued (by another daemon's job for the
	// same slot, or a start poll queued twice): this one is redundant.
	if seen := job.Args.Seen; seen != nil {
		if lastMillis(src.State.LastPolledAt) != *seen {
			return nil
		}
	} else if !src.State.LastPolledAt.IsZero() && src.State.LastPolledAt.After(job.CreatedAt) {
		return nil
	}
	_, err = w.d.PollSource(ctx, src, false)
	return err
}

// scheduler keeps one River periodic job per enabled source.
type scheduler struct {
	d      *Daemon
	client *river.Client[*sql.Tx]
	jobs   map[string]string // source name → schedule it was registered with
}

func periodicID(name string) string { return "poll:" + name }

// sync makes the registered periodic jobs match the enabled sources in the
// archive: new sources are added (and polled once now), removed or
// disabled ones dropped, changed schedules replaced.
func (s *scheduler) sync(ctx context.Context) error {
	srcs, err := s.d.store.Sources(ctx)
	if err != nil {
		return err
	}
	want := make(map[string]string, len(srcs))
	for _, src := range srcs {
		if !src.Enabled {
			continue
		}
		spec := src.Schedule
		if spec == "" {
			spec = s.d.cfg.Defaults.Schedule
		}
		want[src.Name] = spec
	}
	for name, spec := range s.jobs {
		if want[name] != spec {
			s.client.PeriodicJobs().RemoveByID(periodicID(name))
			delete(s.jobs, name)
		}
	}
	var add []*river.PeriodicJob
	for name, spec := range want {
		if _, ok := s.jobs[name]; ok {
			continue
		}
		sched, err := config.ParseSchedule(spec)
		if err != nil {
			s.d.log.Error("source not scheduled", "source", name, "error", err.Error())
			continue
		}
		args := PollArgs{Source: name}
		add = append(add, river.NewPeriodicJob(sched,
			func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{ID: periodicID(name)}))
		s.jobs[name] = spec
	}
	if len(add) > 0 {
		if _, err := s.client.PeriodicJobs().AddManySafely(add); err != nil {
			return fmt.Errorf("daemon: schedule sources: %w", err)
		}
		s.d.log.Info("sources scheduled", "added", len(add), "total", len(s.jobs))
	}
	return s.pollDue(ctx, srcs)
}

// pollDue queues a poll of every enabled source that is due: never polled,
// or not polled since its schedule's last slot. This replaces River's
// RunOnStart, which every newly elected leader would repeat: after a
// failover, or a quick restart, sources polled in this slot are not polled
// again. Unique jobs keep a queued or running poll from being doubled.
func (s *scheduler) pollDue(ctx context.Context, srcs []frontierwatch.Source) error {
	now := s.d.now()
	var due []river.InsertManyParams
	for _, src := range srcs {
		spec, ok := s.jobs[src.Name]
		if !ok {
			continue
		}
		sched, err := config.ParseSchedule(spec)
		if err != nil {
			continue
		}
		if last := src.State.LastPolledAt; !last.IsZero() && sched.Next(last).After(now) {
			continue
		}
		seen := lastMillis(src.State.LastPolledAt)
		due = append(due, river.InsertManyParams{Args: PollArgs{Source: src.Name, Seen: &seen}})
	}
	if len(due) == 0 {
		return nil
	}
	if _, err := s.client.InsertMany(ctx, due); err != nil {
		return fmt.Errorf("daemon: queue due polls: %w", err)
	}
	return nil
}

// newRiver builds the River client that runs the polls and deliveries, on
// the archive's single writer connection. A one-shot daemon (the poll
// command) works deliveries only: polls stay for the running daemon.
func (d *Daemon) newRiver() (*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	for _, err := range []error{
		river.AddWorkerSafely(workers, &pollWorker{d: d}),
		river.AddWorkerSafely(workers, &deliverWorker{d: d}),
		river.AddWorkerSafely(workers, &digestWorker{d: d}),
	} {
		if err != nil {
			return nil, err
		}
	}
	queues := map[string]river.QueueConfig{queueAlerts: {MaxWorkers: 4}}
	if !d.oneShot {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: max(1, d.cfg.Poll.Concurrency)}
	}
	var cooldown time.Duration
	if d.fetchEvery > 0 {
		cooldown = min(d.fetchEvery, river.FetchCooldownDefault)
	}
	var driver riverdriver.Driver[*sql.Tx] = riversqlite.New(d.store.WriteDB())
	if d.store.Postgres() {
		// Several daemons can share a PostgreSQL archive: River elects
		// one leader to insert periodic jobs, and any instance works them.
		driver = riverdatabasesql.New(d.store.WriteDB())
	}
	return river.NewClient(driver, &river.Config{
		FetchCooldown: cooldown,
		Logger:        d.log.With("component", "river"),
		Queues:        queues,
		Workers:       workers,
		// Jobs are cheap to look for; the default (1 s) is fine for
		// schedules of minutes, tests shorten it.
		FetchPollInterval: d.fetchEvery,
		// A job left running by a daemon that died (a poll or a delivery
		// in flight when it was killed) blocks its source's schedule, or
		// holds back its alert, until River's rescuer retries it. The
		// rescuer leaves every job alone until the job's own timeout has
		// passed (pollWorker.Timeout: a site's crawl budget, a feed's HTTP
		// timeout plus a minute; deliverWorker.Timeout), so the horizon
		// is the least River allows, its default job timeout: a job
		// still working is never retried beside itself, and a dead one
		// is retried a minute or two after it started, not after the
		// longest crawl budget.
		RescueStuckJobsAfter: river.JobTimeoutDefault,
	})
}

// lastMillis is a last-poll time in Unix milliseconds, as the archive
// stores it; 0 for never.
func lastMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
