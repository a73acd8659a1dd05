package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"

	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// childEnv is set in the environment of the child processes; a test binary
// uses it to run as a child (see main_test.go).
const childEnv = "POLLCYCLE_CHILD"

// The phases a child runs.
const (
	phaseBaseline      = "baseline"
	phaseFrontierwatch = "frontierwatch"
	phaseBreakdown     = "breakdown"
)

// childArgs is what a child is told.
type childArgs struct {
	phase       string
	base        string // server base URL
	feeds       int
	items       int
	concurrency int
	dir         string // parent directory of the temporary archive
	cpuprofile  string
	mutexprof   string // frontierwatch: mutex-contention profile of the first cycle
}

// args returns the command line that makes a child of a.
func (a childArgs) args() []string {
	out := []string{"-phase", a.phase, "-base", a.base,
		"-feeds", strconv.Itoa(a.feeds), "-items", strconv.Itoa(a.items),
		"-concurrency", strconv.Itoa(a.concurrency)}
	if a.dir != "" {
		out = append(out, "-dir", a.dir)
	}
	if a.cpuprofile != "" {
		out = append(out, "-cpuprofile", a.cpuprofile)
	}
	if a.mutexprof != "" {
		out = append(out, "-mutexprofile", a.mutexprof)
	}
	return out
}

// phaseResult is what a child reports, as one JSON line on its stdout.
type phaseResult struct {
	Phase string `json:"phase"`

	// Cycle is the baseline's cycle, or frontierwatch's first cycle.
	Cycle    time.Duration `json:"cycle"`
	CycleCPU time.Duration `json:"cycle_cpu"` // user+system CPU of the child during Cycle
	Articles int           `json:"articles"`  // items parsed (baseline) or articles stored
	HWMCycle int64         `json:"hwm_cycle_kb"`

	// frontierwatch only.
	Setup     time.Duration `json:"setup"`      // daemon.New: open, migrate, store the sources
	Steady    time.Duration `json:"steady"`     // the second PollAll
	SteadyCPU time.Duration `json:"steady_cpu"` // CPU during Steady
	Reload    time.Duration `json:"reload"`     // Daemon.Sources before the steady cycle
	// First is the first cycle's summary: figures, milestones, duplicates.
	First daemon.Summary `json:"first_summary"`
	// WriterWaits and WriterWait are how often and how long (summed over
	// the workers) the first cycle waited for the archive's one writer
	// connection (database/sql's pool statistics).
	WriterWaits int64         `json:"writer_waits"`
	WriterWait  time.Duration `json:"writer_wait"`
	HWMSteady   int64         `json:"hwm_steady_kb"`

	// HWMStart is VmHWM when the phase starts, after package
	// initialisation and before any work: the binary's fixed cost.
	HWMStart int64 `json:"hwm_start_kb"`
	// Peak is the child's peak RSS in KiB, set by the parent.
	Peak int64 `json:"-"`

	// breakdown only.
	Parts []part `json:"parts,omitempty"`
}

// part is one timed piece of a breakdown.
type part struct {
	Name string        `json:"name"`
	Wall time.Duration `json:"wall"`
	CPU  time.Duration `json:"cpu"`
}

// runChild runs one phase and writes its result to stdout.
func runChild(ctx context.Context, a childArgs, stdout io.Writer) error {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	start := peakRSS()
	var (
		res *phaseResult
		err error
	)
	switch a.phase {
	case phaseBaseline:
		res, err = runBaseline(ctx, a)
	case phaseFrontierwatch:
		res, err = runFrontierwatch(ctx, a)
	case phaseBreakdown:
		res, err = runBreakdown(ctx, a)
	default:
		return fmt.Errorf("unknown phase %q", a.phase)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", a.phase, err)
	}
	res.Phase, res.HWMStart = a.phase, start
	return json.NewEncoder(stdout).Encode(res)
}

// feedURLs are the corpus's feed URLs on the server at base.
func feedURLs(base string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s/feeds/%04d.xml", base, i)
	}
	return out
}

// runBaseline parses every feed with bare gofeed, concurrency at a time,
// storing nothing.
func runBaseline(ctx context.Context, a childArgs) (*phaseResult, error) {
	urls := feedURLs(a.base, a.feeds)
	var items atomic.Int64
	stopProfile, err := startProfile(a.cpuprofile)
	if err != nil {
		return nil, err
	}
	cpu0, start := cpuTime(), time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, a.concurrency))
	for _, u := range urls {
		g.Go(func() error {
			f, err := gofeed.NewParser().ParseURLWithContext(u, gctx)
			if err != nil {
				return fmt.Errorf("gofeed %s: %w", u, err)
			}
			items.Add(int64(len(f.Items)))
			return nil
		})
	}
	err = g.Wait()
	res := &phaseResult{Cycle: time.Since(start), CycleCPU: cpuTime() - cpu0}
	stopProfile()
	if err != nil {
		return nil, err
	}
	res.Articles = int(items.Load())
	if want := a.feeds * a.items; res.Articles != want {
		return nil, fmt.Errorf("parsed %d items, want %d", res.Articles, want)
	}
	res.HWMCycle = peakRSS()
	return res, nil
}

// benchConfig is the config of the frontierwatch side: a fresh archive
// under dir, private addresses allowed (the server is on 127.0.0.1), the
// given concurrency and one source per feed. Full-text fetching is off: the
// items' links point at hosts that do not exist, and the benchmark is about
// the poll cycle. Unmatched articles are kept, so that every item is
// stored whatever the topics say and the count can be checked exactly.
func benchConfig(dir string, urls []string, concurrency int) (*config.Config, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `database:
  url: sqlite://%s
http:
  allow_private_networks: true
defaults:
  full_text: never
archive:
  keep_unmatched: true
poll:
  concurrency: %d
log:
  level: error
sources:
`, filepath.ToSlash(filepath.Join(dir, "frontierwatch.db")), concurrency)
	for i, u := range urls {
		fmt.Fprintf(&b, "  - {name: feed-%04d, url: %q}\n", i, u)
	}
	return config.Parse([]byte(b.String()), "pollcycle.yaml", nil)
}

// runFrontierwatch times a first and a steady cycle of a fresh daemon.
func runFrontierwatch(ctx context.Context, a childArgs) (*phaseResult, error) {
	dir, err := os.MkdirTemp(a.dir, "pollcycle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg, err := benchConfig(dir, feedURLs(a.base, a.feeds), a.concurrency)
	if err != nil {
		return nil, err
	}
	res := &phaseResult{}
	start := time.Now()
	d, err := daemon.New(ctx, cfg, daemon.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	srcs, err := d.Sources(ctx)
	if err != nil {
		return nil, err
	}
	res.Setup = time.Since(start)
	if len(srcs) != a.feeds {
		return nil, fmt.Errorf("daemon has %d sources, want %d", len(srcs), a.feeds)
	}

	// First cycle: every feed is new.
	stopProfile, err := startProfile(a.cpuprofile)
	if err != nil {
		return nil, err
	}
	if a.mutexprof != "" {
		runtime.SetMutexProfileFraction(1)
	}
	w0 := d.Store().WriteDB().Stats()
	cpu0, start := cpuTime(), time.Now()
	sum, err := d.PollAll(ctx, srcs, false, nil)
	res.Cycle, res.CycleCPU = time.Since(start), cpuTime()-cpu0
	stopProfile()
	if a.mutexprof != "" {
		runtime.SetMutexProfileFraction(0)
		if err := writeProfile("mutex", a.mutexprof); err != nil {
			return nil, err
		}
	}
	w1 := d.Store().WriteDB().Stats()
	res.WriterWaits, res.WriterWait = w1.WaitCount-w0.WaitCount, w1.WaitDuration-w0.WaitDuration
	if err != nil {
		return nil, fmt.Errorf("first cycle: %w", err)
	}
	res.HWMCycle = peakRSS()
	want := a.feeds * a.items
	stored, err := d.Store().CountArticles(ctx)
	if err != nil {
		return nil, err
	}
	if sum.Errors != 0 || sum.New != want || stored != int64(want) {
		return nil, fmt.Errorf("first cycle: %d errors, %d new, %d stored; want 0 errors and %d articles (%+v)", sum.Errors, sum.New, stored, want, sum)
	}
	res.Articles, res.First = int(stored), sum

	// Steady cycle: every feed answers 304.
	start = time.Now()
	srcs, err = d.Sources(ctx)
	if err != nil {
		return nil, err
	}
	res.Reload = time.Since(start)
	cpu0, start = cpuTime(), time.Now()
	sum, err = d.PollAll(ctx, srcs, false, nil)
	res.Steady, res.SteadyCPU = time.Since(start), cpuTime()-cpu0
	if err != nil {
		return nil, fmt.Errorf("steady cycle: %w", err)
	}
	if sum.NotModified != a.feeds || sum.New != 0 {
		return nil, fmt.Errorf("steady cycle: %d of %d sources not modified, %d new articles (%+v); want all not modified", sum.NotModified, a.feeds, sum.New, sum)
	}
	res.HWMSteady = peakRSS()
	return res, nil
}

// startProfile starts a CPU profile into path ("" profiles nothing) and
// returns the function that stops it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeProfile writes the named runtime profile to path.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set size in KiB (VmHWM), or -1
// when /proc/self/status cannot tell.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	kb, err := parseVmHWM(b)
	if err != nil {
		return -1
	}
	return kb
}

// parseVmHWM reads the VmHWM line of a /proc/PID/status file, in KiB.
func parseVmHWM(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bad VmHWM line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("bad VmHWM line %q", sc.Text())
		}
		return kb, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM line")
}
