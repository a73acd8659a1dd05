// Package crashtest holds frontierwatch's crash-safety harness: no code,
// only a test (crash_test.go) that runs the real binary as a process and
// kills it.
//
// The harness builds cmd/frontierwatch once and starts it against servers
// on 127.0.0.1 that the test runs itself: RSS feeds whose items appear step
// by step (headline figures that make records and a threshold, syndicated
// copies of wire stories on three sites, a cross-posted URL with tracking
// parameters, a feed whose items need their page fetched), a lab site the
// crawler reads, and a webhook receiver that checks signatures, records
// every delivery by Idempotency-Key, answers some requests with 503 and
// Retry-After and stalls others, so that deliveries are in flight when a
// kill lands.
//
// Each trial publishes the next items, starts the daemon, aims a SIGKILL
// at a moment (in turn: a random moment 0.2–3 s after the daemon serves, a
// feed or page request in flight, a webhook request in flight, just after
// a feed or page answered while the poll is stored; the first trial at a
// random moment of the first start, migrations included) and reaps the
// process; the log says where each kill landed. After the last trial
// everything is published, the daemon runs until every article is
// archived and every alert delivered, and stops on SIGTERM. Then the
// archive is checked: every published article is there exactly once,
// syndicated copies share one story, the milestones are those of a
// reference run of the same world without kills (run alongside), every
// milestone reached the webhook, no milestone got two distinct alerts, and
// SQLite's integrity_check and foreign_key_check pass.
//
// A poll or delivery that a kill interrupts stays "running" in the job
// queue until River's rescuer retries it, a minute or more later (see
// daemon/schedule.go), so the last run takes a minute or two. A crawl of
// the site source has a ten-minute budget and is rescued only after it:
// the harness holds a kill back while a crawl runs, and waits longer in
// the rare case that a crawl starts between that check and the kill.
//
// `go test -race ./crashtest` runs 20 trials (about three minutes on a
// loaded two-core machine, building the binary included);
// -short skips it. Environment variables, for long runs and replays:
//
//	FRONTIERWATCH_TEST_CRASH_TRIALS=200   number of kill trials (default 20)
//	FRONTIERWATCH_TEST_CRASH_SEED=12345   the seed of the kill times and the
//	                                      receiver's answers (default: random;
//	                                      the log prints it)
//
// A seed replays the same waits, kill modes and receiver answers; the
// exact moment a kill lands still depends on the machine's timing. Run with
// -v to see where the kills landed (during a delivery, a fetch, just after
// a fetch while the poll is stored, or elsewhere) and the daemon's logs on
// failure.
package crashtest
