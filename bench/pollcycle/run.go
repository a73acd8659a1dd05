package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/feedsim"
	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// options are the command's flags.
type options struct {
	feeds, items, concurrency, runs int
	seed                            uint64
	cpuprofile, baselineProfile     string
	mutexprofile                    string
	dir                             string
	breakdown, strict               bool

	// Child side.
	phase, base string
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// run is the command: it parses args and runs the benchmark, or one phase
// of it when -phase is given (the child side).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pollcycle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.feeds, "feeds", 1000, "number of feeds")
	fs.IntVar(&o.items, "items", 50, "items per feed")
	fs.IntVar(&o.concurrency, "concurrency", 8, "feeds fetched at once, by both sides")
	fs.IntVar(&o.runs, "runs", 3, "runs of each side")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated corpus")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of frontierwatch's first cycle (first run) to `file`")
	fs.StringVar(&o.mutexprofile, "mutexprofile", "", "write a mutex-contention profile of frontierwatch's first cycle (first run) to `file`")
	fs.StringVar(&o.baselineProfile, "baselineprofile", "", "write a CPU profile of the baseline (first run) to `file`")
	fs.StringVar(&o.dir, "dir", "", "directory for the temporary archives (default: the system's temporary directory)")
	fs.BoolVar(&o.breakdown, "breakdown", false, "also time the parts of a cycle one by one")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 when a target is missed")
	fs.StringVar(&o.phase, "phase", "", "run one phase as a child process: baseline | frontierwatch | breakdown")
	fs.StringVar(&o.base, "base", "", "child: the feed server's base URL")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || o.feeds < 1 || o.items < 1 || o.concurrency < 1 || o.runs < 1 {
		fmt.Fprintln(stderr, "pollcycle: -feeds, -items, -concurrency and -runs must be positive, and no arguments are taken")
		return exitUsage
	}
	if o.phase != "" {
		a := childArgs{phase: o.phase, base: o.base, feeds: o.feeds, items: o.items,
			concurrency: o.concurrency, dir: o.dir, cpuprofile: o.cpuprofile, mutexprof: o.mutexprofile}
		if err := runChild(ctx, a, stdout); err != nil {
			fmt.Fprintf(stderr, "pollcycle: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	met, err := bench(ctx, o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "pollcycle: %v\n", err)
		return exitFailure
	}
	if o.strict && !met {
		fmt.Fprintln(stderr, "pollcycle: a target was missed")
		return exitFailure
	}
	return exitOK
}

// runResult is one run: both sides.
type runResult struct {
	baseline, fw phaseResult
	fwFirst      bool // frontierwatch ran before the baseline
}

// bench renders the corpus, serves it and runs the children; it reports
// whether every target was met.
func bench(ctx context.Context, o options, stdout, stderr io.Writer) (bool, error) {
	exe, err := os.Executable()
	if err != nil {
		return false, err
	}
	for _, p := range []*string{&o.cpuprofile, &o.baselineProfile, &o.mutexprofile} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return false, err
			}
		}
	}

	start := time.Now()
	corpus := feedsim.RenderCorpus(o.seed, o.feeds, o.items)
	var size int64
	for _, f := range corpus {
		size += int64(len(f.Body))
	}
	fmt.Fprintf(stderr, "pollcycle: rendered %d feeds × %d items (%.1f MB) in %s\n",
		o.feeds, o.items, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	srv := feedsim.NewServer(corpus)
	base, stop, err := feedsim.Serve(srv)
	if err != nil {
		return false, err
	}
	defer stop()

	child := func(a childArgs) (phaseResult, error) {
		a.base, a.feeds, a.items, a.concurrency, a.dir = base, o.feeds, o.items, o.concurrency, o.dir
		return spawn(ctx, exe, a, stderr)
	}
	var runs []runResult
	for i := range o.runs {
		r := runResult{fwFirst: i%2 == 1}
		sides := []string{phaseBaseline, phaseFrontierwatch}
		if r.fwFirst {
			sides = []string{phaseFrontierwatch, phaseBaseline}
		}
		for _, side := range sides {
			a := childArgs{phase: side}
			if i == 0 && side == phaseFrontierwatch {
				a.cpuprofile, a.mutexprof = o.cpuprofile, o.mutexprofile
			}
			if i == 0 && side == phaseBaseline {
				a.cpuprofile = o.baselineProfile
			}
			full0, not0, _ := srv.Counts()
			res, err := child(a)
			if err != nil {
				return false, fmt.Errorf("run %d: %w", i+1, err)
			}
			full1, not1, miss := srv.Counts()
			if err := checkServed(side, o.feeds, full1-full0, not1-not0, miss); err != nil {
				return false, fmt.Errorf("run %d: %w", i+1, err)
			}
			if side == phaseBaseline {
				r.baseline = res
			} else {
				r.fw = res
			}
			fmt.Fprintf(stderr, "pollcycle: run %d: %s done\n", i+1, side)
		}
		runs = append(runs, r)
	}
	var parts []part
	if o.breakdown {
		res, err := child(childArgs{phase: phaseBreakdown})
		if err != nil {
			return false, err
		}
		parts = res.Parts
	}
	rep := newReport(o, runs, parts, hostinfo.Machine())
	rep.write(stdout)
	return rep.met(), nil
}

// checkServed checks what the server answered during one child: every feed
// once in full, and for frontierwatch every feed once more with a 304.
func checkServed(side string, feeds int, full, notMod, miss int64) error {
	wantNot := int64(0)
	if side == phaseFrontierwatch {
		wantNot = int64(feeds)
	}
	if full != int64(feeds) || notMod != wantNot || miss != 0 {
		return fmt.Errorf("%s: server sent %d full feeds, %d not-modified and %d not-found answers; want %d, %d and 0",
			side, full, notMod, miss, feeds, wantNot)
	}
	return nil
}

// spawn runs exe as a child for a and decodes its result.
func spawn(ctx context.Context, exe string, a childArgs, stderr io.Writer) (phaseResult, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, a.args()...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return phaseResult{}, fmt.Errorf("%s child: %w", a.phase, err)
	}
	var res phaseResult
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &res); err != nil {
		return phaseResult{}, fmt.Errorf("%s child: bad result %q: %w", a.phase, truncate(out.String(), 200), err)
	}
	if res.Phase != a.phase {
		return phaseResult{}, fmt.Errorf("%s child: result of phase %q", a.phase, res.Phase)
	}
	// The child's own VmHWM, not wait4's ru_maxrss: Go starts children
	// with CLONE_VM, and Linux then charges the parent's peak (the corpus)
	// to the child's ru_maxrss at exec.
	res.Peak = max(res.HWMCycle, res.HWMSteady)
	return res, nil
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
