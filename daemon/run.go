package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/server"
)

// Run runs the daemon until ctx ends: the HTTP server, and River, which
// polls every enabled source on its schedule (and once at start). Sources
// added or removed in the archive while it runs are picked up within the
// resync interval. When ctx ends, Run stops taking new work, lets running
// polls finish for up to poll.shutdown_timeout, cancels what is left (it is
// retried at the next start), and returns. The caller closes the Daemon.
func (d *Daemon) Run(ctx context.Context) error {
	if d.oneShot {
		return errors.New("daemon: a one-shot daemon cannot Run")
	}
	rc := d.river
	var running atomic.Bool
	handler := server.New(server.Options{
		Store: d.store,
		Checks: map[string]server.Check{
			"archive": d.store.Ping,
			"scheduler": func(context.Context) error {
				if !running.Load() {
					return errors.New("not running")
				}
				return nil
			},
		},
		Token:             d.cfg.Server.Token.Reveal(),
		ReadTokenRequired: d.cfg.Server.ReadTokenRequired,
		RateLimit: server.RateLimit{Rate: d.cfg.Server.RateLimit.Rate, Burst: d.cfg.Server.RateLimit.Burst,
			Disabled: d.cfg.Server.RateLimit.Disabled},
		NextRun:        d.nextRun,
		Metrics:        d.Metrics(),
		MetricDefs:     metricDefs(d.cfg),
		ConfigSilences: d.cfg.Alerts.Silences,
		Logger:         d.log.With("component", "server"),
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", d.cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("daemon: listen on %s: %w", d.cfg.Server.Listen, err)
	}
	d.log.Info("serving", "addr", ln.Addr().String())

	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	if d.onListen != nil {
		d.onListen(ln.Addr().String())
	}

	// River gets a context that outlives ctx so a stop can be graceful:
	// Stop waits for running jobs, StopAndCancel ends them.
	if err := rc.Start(context.WithoutCancel(ctx)); err != nil {
		srv.Close()
		return fmt.Errorf("daemon: start river: %w", err)
	}
	running.Store(true)
	sched := &scheduler{d: d, client: rc, jobs: map[string]string{}}
	if err := sched.sync(ctx); err != nil && ctx.Err() == nil {
		d.log.Error("schedule sources", "error", err.Error())
	}
	if err := d.scheduleDigests(); err != nil {
		d.log.Error("schedule digests", "error", err.Error())
	}
	tick := time.NewTicker(d.resyncEvery)
	defer tick.Stop()
	// New articles are added to the full-text index in batches, off the
	// poll path (see archive.Store.IndexPending).
	indexTick := time.NewTicker(d.indexEvery)
	defer indexTick.Stop()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-srvErr:
			runErr = fmt.Errorf("daemon: http server: %w", err)
			break loop
		case <-tick.C:
			if err := sched.sync(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("resync sources", "error", err.Error())
			}
		case <-indexTick.C:
			if n, err := d.store.IndexPending(ctx, 0); err != nil && ctx.Err() == nil {
				d.log.Error("index new articles", "error", err.Error())
			} else if n > 0 {
				d.log.Debug("indexed new articles", "articles", n)
			}
		}
	}

	d.log.Info("stopping", "wait", d.cfg.Poll.ShutdownTimeout.Std())
	running.Store(false)
	stopCtx, cancel := context.WithTimeout(context.Background(), d.cfg.Poll.ShutdownTimeout.Std())
	defer cancel()
	if err := rc.Stop(stopCtx); err != nil {
		d.log.Warn("running polls did not finish in time; cancelling them", "error", err.Error())
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		if err := rc.StopAndCancel(cctx); err != nil {
			runErr = errors.Join(runErr, fmt.Errorf("daemon: stop river: %w", err))
		}
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		runErr = errors.Join(runErr, err)
	}
	d.log.Info("stopped")
	return runErr
}

// scheduleDigests adds a periodic digest job for every digest channel.
func (d *Daemon) scheduleDigests() error {
	var jobs []*river.PeriodicJob
	for name, ch := range d.channels {
		if ch.cfg.Digest == "" {
			continue
		}
		sched, err := config.ParseSchedule(ch.cfg.Digest)
		if err != nil {
			return fmt.Errorf("channel %q digest: %w", name, err)
		}
		args := DigestArgs{Channel: name}
		jobs = append(jobs, river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{ID: "digest:" + name}))
	}
	if len(jobs) == 0 {
		return nil
	}
	_, err := d.river.PeriodicJobs().AddManySafely(jobs)
	return err
}

// DeliverPending works the queued alert deliveries until none is pending or
// wait has passed, for one-shot use (the poll command delivers what its
// cycle raised before it exits). Deliveries still pending are left for the
// daemon: they are durable jobs. It returns the deliveries by state.
func (d *Daemon) DeliverPending(ctx context.Context, wait time.Duration) (map[string]int, error) {
	var instant []string
	for name, ch := range d.channels {
		if ch.cfg.Digest == "" {
			instant = append(instant, name)
		}
	}
	if len(instant) == 0 {
		return map[string]int{}, nil
	}
	counts, err := d.store.DeliveryCounts(ctx, instant...)
	if err != nil || counts[archive.DeliveryPending] == 0 {
		return counts, err
	}
	if err := d.river.Start(context.WithoutCancel(ctx)); err != nil {
		return counts, fmt.Errorf("daemon: start deliveries: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.river.Stop(stopCtx); err != nil {
			_ = d.river.StopAndCancel(stopCtx)
		}
	}()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for counts[archive.DeliveryPending] > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return counts, ctx.Err()
		case <-tick.C:
		}
		if counts, err = d.store.DeliveryCounts(ctx, instant...); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// nextRun is when a source is polled next: its schedule's next slot, or
// the end of its backoff when that is later. Zero for a disabled or
// unknown source.
func (d *Daemon) nextRun(name string) time.Time {
	src, err := d.store.Source(context.Background(), name)
	if err != nil || !src.Enabled {
		return time.Time{}
	}
	spec := src.Schedule
	if spec == "" {
		spec = d.cfg.Defaults.Schedule
	}
	sched, err := config.ParseSchedule(spec)
	if err != nil {
		return time.Time{}
	}
	next := sched.Next(d.now())
	if src.State.NextAttemptAt.After(next) {
		next = src.State.NextAttemptAt
	}
	return next
}
