package daemon

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/frontierwatch/frontierwatch"
)

// Summary counts what a cycle over many sources did.
type Summary struct {
	Sources     int // sources polled or skipped
	New         int // articles archived for the first time
	NotModified int // sources that answered 304
	Errors      int // sources that failed
	BackingOff  int // sources skipped because they are in backoff
	Unsupported int // sources of a kind this build cannot poll
	Unmatched   int // new items that matched no topic
	Duplicates  int // new articles that joined an existing story
	Figures     int // headline figures in the new articles
	Milestones  int // milestones they made
}

// Add counts one report.
func (s *Summary) Add(r Report) {
	s.Sources++
	s.New += r.New
	s.Unmatched += r.Unmatched
	s.Duplicates += r.Duplicates
	s.Figures += r.Figures
	s.Milestones += r.Milestones
	switch r.Status {
	case StatusNotModified:
		s.NotModified++
	case StatusError:
		s.Errors++
	case StatusBackingOff:
		s.BackingOff++
	case StatusUnsupported:
		s.Unsupported++
	}
}

// Sources returns the enabled sources to poll: all of them, or those named.
// An unknown name is an error.
func (d *Daemon) Sources(ctx context.Context, names ...string) ([]frontierwatch.Source, error) {
	all, err := d.store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return slices.DeleteFunc(all, func(s frontierwatch.Source) bool { return !s.Enabled }), nil
	}
	var out []frontierwatch.Source
	for _, n := range names {
		i := slices.IndexFunc(all, func(s frontierwatch.Source) bool { return s.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("daemon: no source named %q", n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// PollAll polls srcs once, poll.concurrency at a time, calling each (which
// need not be safe for concurrent use) as every source finishes. It stops
// early only when ctx ends or the archive fails.
func (d *Daemon) PollAll(ctx context.Context, srcs []frontierwatch.Source, force bool, each func(Report)) (Summary, error) {
	var sum Summary
	reports := make(chan Report)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, d.cfg.Poll.Concurrency))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range reports {
			sum.Add(r)
			if each != nil {
				each(r)
			}
		}
	}()
	for _, src := range srcs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r, err := d.PollSource(gctx, src, force)
			if err != nil {
				return fmt.Errorf("source %q: %w", src.Name, err)
			}
			reports <- r
			return nil
		})
	}
	err := g.Wait()
	close(reports)
	<-done
	return sum, err
}
