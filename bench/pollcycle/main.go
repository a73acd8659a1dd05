// Command pollcycle benchmarks one poll cycle of frontierwatch against bare
// gofeed.
//
// It serves N pre-rendered RSS 2.0 feeds of M items each from one local
// server, then, for each run, times in separate child processes (so that
// each has its own peak RSS):
//
//   - baseline: gofeed's Parser.ParseURLWithContext over every feed, with
//     the same concurrency and no storage;
//   - frontierwatch: daemon.New on a fresh SQLite archive, then
//     Daemon.PollAll over every source (the first cycle, which must store
//     N×M articles), then PollAll again (the steady cycle, in which every
//     feed must answer 304).
//
// The order of the two alternates from run to run. It prints a markdown
// table of medians and minima, the ratios first/baseline and steady/first,
// articles per second, peak RSS (VmHWM) and the machine.
//
//	go run ./bench/pollcycle -feeds 1000 -items 50 -concurrency 8 -runs 3 -cpuprofile first.pprof
//
// -cpuprofile and -mutexprofile profile frontierwatch's first cycle in the
// first run (-baselineprofile the baseline); -breakdown adds a child that
// times the parts of a cycle one by one (fetching, parsing, text
// conversion, ingest, storing) to show where the time goes.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
