package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"
)

// childEnv is set in the environment of the baseline child; a test binary
// uses it to run as the child (see main_test.go).
const childEnv = "SCALEOUT_CHILD"

// phaseBaseline is the child's one phase.
const phaseBaseline = "baseline"

// baselineResult is what the child reports, as one JSON line on stdout.
type baselineResult struct {
	Phase string        `json:"phase"`
	Cycle time.Duration `json:"cycle"`
	CPU   time.Duration `json:"cpu"` // user+system CPU of the child during Cycle
	Items int64         `json:"items"`
}

// spawnBaseline runs the baseline in a child process of exe (so that its
// CPU is its own, not the feed server's) and returns its measurement.
func spawnBaseline(ctx context.Context, exe string, o options, base string, stderr io.Writer) (measurement, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, "-phase", phaseBaseline, "-base", base,
		"-feeds", strconv.Itoa(o.feeds), "-items", strconv.Itoa(o.items), "-concurrency", strconv.Itoa(o.concurrency))
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("baseline child: %w", err)
	}
	var res baselineResult
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &res); err != nil || res.Phase != phaseBaseline {
		return measurement{}, fmt.Errorf("baseline child: bad result %q (%v)", truncate(out.String(), 200), err)
	}
	return measurement{wall: res.Cycle, cpu: res.CPU, articles: res.Items, pgCPU: -1, pgCommits: -1}, nil
}

// runChild runs the baseline: bare gofeed over every feed, concurrency at
// a time, storing nothing.
func runChild(ctx context.Context, o options, stdout io.Writer) error {
	if o.phase != phaseBaseline {
		return fmt.Errorf("unknown phase %q", o.phase)
	}
	var items atomic.Int64
	cpu0, start := cpuTime(), time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	for _, u := range feedURLs(o.base, o.feeds) {
		g.Go(func() error {
			f, err := gofeed.NewParser().ParseURLWithContext(u, gctx)
			if err != nil {
				return fmt.Errorf("gofeed %s: %w", u, err)
			}
			items.Add(int64(len(f.Items)))
			return nil
		})
	}
	err := g.Wait()
	res := baselineResult{Phase: phaseBaseline, Cycle: time.Since(start), CPU: cpuTime() - cpu0, Items: items.Load()}
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return json.NewEncoder(stdout).Encode(res)
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
