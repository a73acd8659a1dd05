// Command scaleout measures how the first poll cycle of frontierwatch
// scales with the number of daemons sharing one PostgreSQL archive.
//
// It serves N pre-rendered RSS feeds of M items each from one local server
// (bench/internal/feedsim), builds the frontierwatch binary once, and for
// each instance count k of -instances: creates a fresh PostgreSQL
// database, writes a config with N sources (every one due at start and not
// again for an hour), runs `frontierwatch migrate` once, then starts k
// `frontierwatch run` processes at once and times the wall clock from
// their start until every source has been polled and every article is in
// the archive. Then it stops the instances with SIGTERM and drops the
// database.
//
// In the same run it measures bare gofeed over the same feeds with the
// same concurrency (a child process, storing nothing) and, for reference,
// one instance on a SQLite archive. It checks that the feed server sent
// every feed exactly once in full (no second poll by another instance),
// that the archive holds N×M articles and N polled sources, and that the
// instances' polls add up to N, naming any feed requested twice with its
// River jobs; it prints a markdown table with wall times, CPU of the
// instances and of the database's PostgreSQL backends, and the polls each
// instance did, and exits 1 when a check fails.
//
//	go run ./bench/scaleout -feeds 1000 -items 10 -instances 1,2,3 -runs 1
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
