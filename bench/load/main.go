// Command load runs the frontierwatch daemon with thousands of sources and
// puts its API under wrk for a while, to show that it answers without
// errors, that its memory stays steady, and how fast it answers (p99).
//
//	go run ./bench/load -sources 5000 -duration 10m
//
// It serves -sources generated RSS feeds on 127.0.0.1 (bench/internal/
// feedsim's news prose, -items items each) that gain -new-items items every
// -epoch, so that polling does real work during the load; writes a config
// with one source per feed (polled every -every, 30m by default, by cron
// expressions whose minute is staggered by source, so that polls go on
// evenly: "0-59/30 * * * *", "1-59/30 * * * *", …), a fresh SQLite archive
// and the API's per-client rate limit off; builds and runs the real daemon binary
// (`frontierwatch run`) as a child process; waits for its first cycle; then
// runs wrk with a Lua script that rotates through a fixed mix of API
// endpoints and the web page, while it samples the daemon's RSS
// (/proc/PID/status), Go heap and poll counters (/metrics) every -sample.
//
// It prints a markdown report and exits 1 when a criterion fails: any
// answer outside 2xx or any socket error (connect, read, write, timeout);
// RSS growing faster than -max-growth MB/min over the second half of the
// load (the least-squares slope less two standard errors, since a
// garbage-collected process's RSS saws up and down by tens of MB); no poll
// or any failed poll during the load; a /metrics scrape that failed; or a
// daemon that does not stop cleanly on SIGTERM.
//
// wrk must be on PATH (Debian: apt-get install -y wrk).
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
