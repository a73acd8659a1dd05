package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// options are the command's flags.
type options struct {
	sources, items, newItems int
	every, epoch             time.Duration
	concurrency              int
	duration                 time.Duration
	threads, connections     int
	timeout                  time.Duration
	sample                   time.Duration
	maxGrowth                float64 // MB per minute
	minSpan                  time.Duration
	seed                     uint64
	bin, dir                 string
	keep                     bool
	readyTimeout             time.Duration
	probe                    int // requests of each kind timed alone after the load
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// run is the command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.sources, "sources", 5000, "number of feeds, one source each")
	fs.IntVar(&o.items, "items", 10, "items per feed")
	fs.IntVar(&o.newItems, "new-items", 2, "items each feed gains every -epoch")
	fs.DurationVar(&o.every, "every", 30*time.Minute, "poll schedule of every source (the daemon's default)")
	fs.DurationVar(&o.epoch, "epoch", 5*time.Minute, "how often the feeds change")
	fs.IntVar(&o.concurrency, "concurrency", 8, "the daemon's poll.concurrency")
	fs.DurationVar(&o.duration, "duration", 10*time.Minute, "how long wrk runs")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.IntVar(&o.connections, "connections", 8, "wrk connections")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "wrk's request timeout (a slower answer is a socket error)")
	fs.DurationVar(&o.sample, "sample", 10*time.Second, "how often RSS, heap and poll counters are sampled")
	fs.Float64Var(&o.maxGrowth, "max-growth", 1, "largest RSS growth that passes, in MB per minute over the second half of the load (least-squares slope less two standard errors)")
	fs.DurationVar(&o.minSpan, "min-span", 2*time.Minute, "shortest second half over which memory growth is judged")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated feeds")
	fs.StringVar(&o.bin, "bin", "", "the frontierwatch binary to run (default: build "+daemonPkg+")")
	fs.StringVar(&o.dir, "dir", "", "work directory: config, archive, daemon log, wrk script (default: a temporary one)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.IntVar(&o.probe, "probe", 20, "requests of each kind timed alone after the load (0: none)")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 15*time.Minute, "longest wait for the first poll cycle")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || o.sources < 1 || o.items < 1 || o.newItems < 0 || o.every < time.Second || o.epoch < time.Second ||
		o.concurrency < 1 || o.concurrency > 256 || o.duration < time.Second || o.threads < 1 || o.connections < o.threads ||
		o.timeout < time.Second || o.sample < 100*time.Millisecond || o.maxGrowth <= 0 || o.probe < 0 {
		fmt.Fprintln(stderr, "load: bad flags: counts and durations must be positive (-every, -epoch, -duration, -timeout ≥ 1s; "+
			"-connections ≥ -threads; -concurrency ≤ 256), and no arguments are taken")
		return exitUsage
	}
	rep, err := loadTest(ctx, o, args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return exitFailure
	}
	rep.write(stdout)
	if !rep.passed() {
		fmt.Fprintln(stderr, "load: a criterion failed")
		return exitFailure
	}
	return exitOK
}

// loadTest sets up the world and the daemon, runs the load and returns the
// report.
func loadTest(ctx context.Context, o options, args []string, progress io.Writer) (*report, error) {
	wrk, wrkVersion, err := findWrk()
	if err != nil {
		return nil, err
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "frontierwatch-load-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintf(progress, "load: work directory %s (kept)\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.bin
	if bin == "" {
		fmt.Fprintln(progress, "load: building the daemon")
		if bin, err = buildDaemon(ctx, dir); err != nil {
			return nil, err
		}
	}

	start := time.Now()
	w, err := newWorld(o.seed, o.sources, o.items, o.newItems, start, o.epoch)
	if err != nil {
		return nil, err
	}
	feedBase, stopFeeds, err := serve(w)
	if err != nil {
		return nil, err
	}
	defer stopFeeds()
	fmt.Fprintf(progress, "load: %d feeds × %d items rendered in %s, served at %s\n",
		o.sources, o.items, time.Since(start).Round(time.Millisecond), feedBase)

	conf := filepath.Join(dir, "frontierwatch.yaml")
	if err := os.WriteFile(conf, []byte(daemonConfig(dir, feedBase, o.sources, o.every, o.concurrency)), 0o644); err != nil {
		return nil, err
	}
	if err := checkConfig(ctx, bin, conf); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "daemon.log")
	started := time.Now()
	d, err := startDaemon(ctx, bin, conf, logPath, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			d.stop(30 * time.Second)
		}
	}()
	if !isLoopback(d.addr) {
		return nil, fmt.Errorf("the daemon serves on %s, not on a loopback address", d.addr)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	words := queryWords(w, 32)
	if len(words) == 0 {
		return nil, errors.New("the feeds have no title words to search for")
	}
	first, err := waitFirstCycle(ctx, client, d, o.sources, words[0], o.readyTimeout, progress)
	if err != nil {
		return nil, err
	}
	firstCycle := time.Since(started)
	fmt.Fprintf(progress, "load: first cycle done in %s: %.0f articles archived, %.0f poll errors\n",
		firstCycle.Round(time.Second), first.archived(), first.pollErrors)

	eps, err := buildMix(ctx, client, d.base(), words)
	if err != nil {
		return nil, err
	}
	paths := sequence(eps, 2000, o.seed)

	before, err := scrapeMetrics(ctx, client, d.base())
	if err != nil {
		return nil, err
	}
	full0, not0, other0 := w.counts()
	fmt.Fprintf(progress, "load: wrk for %s against %s (%d threads, %d connections)\n", o.duration, d.base(), o.threads, o.connections)
	origin := time.Now()
	smp := startSampler(ctx, client, d.base(), d.pid(), origin, o.sample)
	res, wrkOut, wrkErr := runWrk(ctx, wrk, o, dir, d.base(), paths)
	samples := smp.finish()
	if wrkErr != nil {
		return nil, wrkErr
	}
	after, afterErr := scrapeMetrics(ctx, client, d.base())
	full1, not1, other1 := w.counts()
	var probes []probe
	if o.probe > 0 {
		probes = probeEndpoints(ctx, client, d.base(), eps, o.probe)
	}
	logErrs, firstErrs := logErrors(logPath, 3)
	fmt.Fprintln(progress, "load: stopping the daemon")
	stopped = true
	clean, stopErr := d.stop(60 * time.Second)

	rep := &report{
		o: o, args: args, machine: hostinfo.Machine(), wrkVersion: wrkVersion, daemonGo: before.goVersion,
		wrkArgs: strings.Join(wrkArgs(o, "mix.lua", d.base()), " "), wrkOut: wrkOut,
		endpoints: eps, firstCycle: firstCycle, first: first, before: before, after: after, afterErr: afterErr,
		res: res, samples: samples, probes: probes,
		fedFull: full1 - full0, fedNotMod: not1 - not0, fedOther: other1 - other0,
		logErrors: logErrs, firstLogErrors: firstErrs, cleanStop: clean, stopErr: stopErr,
	}
	return rep, nil
}

// serve serves h on a free port of 127.0.0.1 and returns its base URL and
// a function that stops it.
func serve(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Close()
		<-done
	}, nil
}
