package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/feedsim"
	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// options are the command's flags.
type options struct {
	feeds, items, concurrency, runs int
	instances                       []int
	seed                            uint64
	postgres                        string
	bin                             string
	dir                             string
	timeout                         time.Duration
	sqlite, keep                    bool

	// Child side.
	phase, base string
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// defaultPostgres is the server the benchmark uses when neither -postgres
// nor the test variable names one.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// postgresEnv names the test server's URL, as in the repository's tests.
const postgresEnv = "FRONTIERWATCH_TEST_POSTGRES"

// run is the command: it parses args and runs the benchmark, or the
// baseline child when -phase is given.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scaleout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	instances := "1,2,3"
	pg := os.Getenv(postgresEnv)
	if pg == "" {
		pg = defaultPostgres
	}
	fs.IntVar(&o.feeds, "feeds", 1000, "number of feeds")
	fs.IntVar(&o.items, "items", 10, "items per feed (storing on PostgreSQL costs about 4 ms of CPU per article: 10 keeps a whole run near two minutes on an idle machine)")
	fs.StringVar(&instances, "instances", instances, "comma-separated instance counts to measure on PostgreSQL")
	fs.IntVar(&o.concurrency, "concurrency", 8, "poll.concurrency of each instance, and the baseline's concurrency")
	fs.IntVar(&o.runs, "runs", 1, "runs of every measurement")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated corpus")
	fs.StringVar(&o.postgres, "postgres", pg, "URL of a PostgreSQL database to create the benchmark's databases from (default: $"+postgresEnv+" or "+defaultPostgres+")")
	fs.StringVar(&o.bin, "bin", "", "a frontierwatch binary to run (default: build ./cmd/frontierwatch into a temporary directory)")
	fs.StringVar(&o.dir, "dir", "", "directory for the temporary configs, logs and SQLite archive (default: the system's temporary directory)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up on one measurement after this long")
	fs.BoolVar(&o.sqlite, "sqlite", true, "also measure one instance on a SQLite archive, for reference")
	fs.BoolVar(&o.keep, "keep", false, "keep the configs and the instances' logs")
	fs.StringVar(&o.phase, "phase", "", "run the baseline as a child process: baseline")
	fs.StringVar(&o.base, "base", "", "child: the feed server's base URL")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	var err error
	if o.instances, err = parseInstances(instances); err != nil {
		fmt.Fprintf(stderr, "scaleout: -instances: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 || o.feeds < 1 || o.items < 1 || o.concurrency < 1 || o.runs < 1 || o.timeout <= 0 {
		fmt.Fprintln(stderr, "scaleout: -feeds, -items, -concurrency, -runs and -timeout must be positive, and no arguments are taken")
		return exitUsage
	}
	if o.phase != "" {
		if err := runChild(ctx, o, stdout); err != nil {
			fmt.Fprintf(stderr, "scaleout: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	rep, err := bench(ctx, o, stderr)
	if rep != nil {
		rep.write(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scaleout: %v\n", err)
		return exitFailure
	}
	if !rep.ok() {
		fmt.Fprintln(stderr, "scaleout: a correctness check failed (see the report)")
		return exitFailure
	}
	return exitOK
}

// parseInstances parses "1,2,3": distinct positive counts, in the order
// given.
func parseInstances(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 16 {
			return nil, fmt.Errorf("%q is not an instance count from 1 to 16", f)
		}
		if slices.Contains(out, n) {
			return nil, fmt.Errorf("%d given twice", n)
		}
		out = append(out, n)
	}
	return out, nil
}

// setup is one thing measured in a run: the baseline, one SQLite
// instance, or k instances on PostgreSQL.
type setup struct {
	kind      string // kindBaseline | kindSQLite | kindPostgres
	instances int
}

const (
	kindBaseline = "baseline"
	kindSQLite   = "sqlite"
	kindPostgres = "postgres"
)

func (s setup) String() string {
	switch s.kind {
	case kindPostgres:
		return fmt.Sprintf("PostgreSQL ×%d", s.instances)
	case kindSQLite:
		return "SQLite ×1"
	}
	return "baseline"
}

// setups are what one run measures, in order.
func (o options) setups() []setup {
	out := []setup{{kind: kindBaseline}}
	if o.sqlite {
		out = append(out, setup{kind: kindSQLite, instances: 1})
	}
	for _, k := range o.instances {
		out = append(out, setup{kind: kindPostgres, instances: k})
	}
	return out
}

// bench renders and serves the corpus, builds the binary, and measures
// every setup runs times. The report holds what was measured, also when
// an error ends the benchmark early.
func bench(ctx context.Context, o options, stderr io.Writer) (*report, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(o.dir, "scaleout-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintf(stderr, "scaleout: configs and logs in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin := o.bin
	if bin == "" {
		start := time.Now()
		bin = filepath.Join(work, "frontierwatch")
		if err := buildBinary(ctx, bin); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "scaleout: built %s in %s\n", bin, time.Since(start).Round(time.Millisecond))
	} else if bin, err = filepath.Abs(bin); err != nil {
		return nil, err
	}

	start := time.Now()
	corpus := feedsim.RenderCorpus(o.seed, o.feeds, o.items)
	var size int64
	for _, f := range corpus {
		size += int64(len(f.Body))
	}
	fmt.Fprintf(stderr, "scaleout: rendered %d feeds × %d items (%.1f MB) in %s\n",
		o.feeds, o.items, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	srv := feedsim.NewServer(corpus)
	reqs := newRequestLog(srv)
	base, stop, err := serve(reqs)
	if err != nil {
		return nil, err
	}
	defer stop()

	var pg *pgAdmin
	if len(o.instances) > 0 {
		if pg, err = openAdmin(ctx, o.postgres); err != nil {
			return nil, err
		}
		defer pg.Close()
	}

	rep := newReport(o)
	env := instanceEnv(os.Environ())
	for i := range o.runs {
		order := o.setups()
		if i%2 == 1 {
			// Alternate the order, so that no setup always runs first
			// (on a cold cache) or last.
			slices.Reverse(order)
		}
		for _, s := range order {
			full0, not0, miss0 := srv.Counts()
			reqs.reset()
			var m measurement
			switch s.kind {
			case kindBaseline:
				m, err = spawnBaseline(ctx, exe, o, base, stderr)
			case kindSQLite, kindPostgres:
				c := cluster{o: o, bin: bin, base: base, env: env, k: s.instances, pg: pg, stderr: stderr}
				c.dir, err = os.MkdirTemp(work, fmt.Sprintf("run%d-%s%d-", i+1, s.kind, s.instances))
				if err == nil {
					m, err = c.measure(ctx, s.kind)
				}
			}
			if err != nil {
				return rep, fmt.Errorf("run %d, %s: %w", i+1, s, err)
			}
			full1, not1, miss1 := srv.Counts()
			m.served = served{full: full1 - full0, notMod: not1 - not0, miss: miss1 - miss0}
			m.refetched, m.refetchedCount = reqs.repeated(5)
			m.run, m.setup = i+1, s
			rep.add(m)
			fmt.Fprintf(stderr, "scaleout: run %d: %s: %s\n", i+1, s, secs(m.wall))
		}
	}
	rep.host = hostinfo.Machine()
	return rep, nil
}

// buildBinary builds cmd/frontierwatch into bin.
func buildBinary(ctx context.Context, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/frontierwatch/frontierwatch/cmd/frontierwatch")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/frontierwatch: %w\n%s", err, out)
	}
	return nil
}

// instanceEnv is env without frontierwatch's own variables, so that a
// FRONTIERWATCH_DATABASE_URL (say) set in the shell does not override the
// benchmark's config.
func instanceEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FRONTIERWATCH_") {
			out = append(out, kv)
		}
	}
	return out
}
