package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/frontierwatch/frontierwatch/server"
)

// Run runs the daemon until ctx ends: the HTTP server, and River, which
// polls every enabled source on its schedule (and once at start). Sources
// added or removed in the archive while it runs are picked up within the
// resync interval. When ctx ends, Run stops taking new work, lets running
// polls finish for up to poll.shutdown_timeout, cancels what is left (it is
// retried at the next start), and returns. The caller closes the Daemon.
func (d *Daemon) Run(ctx context.Context) error {
	rc, err := d.newRiver()
	if err != nil {
		return fmt.Errorf("daemon: river: %w", err)
	}
	var running atomic.Bool
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.Metrics())
	mux.Handle("/", server.Handler(map[string]server.Check{
		"archive": d.store.Ping,
		"scheduler": func(context.Context) error {
			if !running.Load() {
				return errors.New("not running")
			}
			return nil
		},
	}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", d.cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("daemon: listen on %s: %w", d.cfg.Server.Listen, err)
	}
	d.log.Info("serving", "addr", ln.Addr().String())
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()

	// River gets a context that outlives ctx so a stop can be graceful:
	// Stop waits for running jobs, StopAndCancel ends them.
	if err := rc.Start(context.WithoutCancel(ctx)); err != nil {
		srv.Close()
		return fmt.Errorf("daemon: start river: %w", err)
	}
	running.Store(true)
	sched := &scheduler{d: d, client: rc, jobs: map[string]string{}}
	if err := sched.sync(ctx); err != nil {
		d.log.Error("schedule sources", "error", err.Error())
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
