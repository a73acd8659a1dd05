package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the command when the harness
// starts it as the baseline child.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRunSmall runs the whole harness at a small scale: the real binary,
// built here, with one and then two instances on a PostgreSQL database of
// its own, one on SQLite, and the baseline; every correctness check must
// pass (each feed fetched once in full, every article stored, the polls
// shared out without doubles, clean stops).
func TestRunSmall(t *testing.T) {
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skipf("%s is not set: no PostgreSQL to run the instances on", postgresEnv)
	}
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	var out, errs bytes.Buffer
	args := []string{"-feeds", "20", "-items", "3", "-instances", "1,2", "-runs", "1",
		"-postgres", dsn, "-dir", t.TempDir(), "-timeout", "2m"}
	if code := run(t.Context(), args, &out, &errs); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	report := out.String()
	for _, want := range []string{
		"## Scale-out: 20 feeds × 3 items on one PostgreSQL, 1, 2 instances, 1 runs",
		"go run ./bench/scaleout -feeds 20 -items 3 -instances 1,2",
		"| baseline: gofeed `ParseURL`, concurrency 8, no storage |",
		"| SQLite, 1 instance (reference) |",
		"| PostgreSQL, 1 instance |",
		"| PostgreSQL, 2 instances |",
		"- ✓ the feed server sent each of the 20 feeds exactly once in full",
		"- ✓ the archive holds 60 articles and 20 polled sources",
		"- ✓ the instances' polls",
		"- ✓ every instance exited 0",
		"- ✓ no ERROR record in the instances' logs before SIGTERM",
		"Machine: ",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "✗") {
		t.Errorf("a check failed:\n%s", report)
	}
	// The report of two instances shows each one's polls: they add up
	// to the feeds (checked above), one number per instance.
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "| 1 | PostgreSQL ×2 |") && strings.Count(line, " / ") < 2 {
			t.Errorf("two instances' polls and CPU not shown apart: %s", line)
		}
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"-nope"}, exitUsage},
		{"zero feeds", []string{"-feeds", "0"}, exitUsage},
		{"bad instances", []string{"-instances", "1,x"}, exitUsage},
		{"instances twice", []string{"-instances", "2,2"}, exitUsage},
		{"zero instances", []string{"-instances", "0"}, exitUsage},
		{"argument", []string{"extra"}, exitUsage},
		{"unknown phase", []string{"-phase", "nope"}, exitFailure},
		{"help", []string{"-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if got := run(t.Context(), tt.args, &out, &errs); got != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", got, tt.want, errs.String())
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want time.Duration
		ok   bool
	}{
		{"normal", "1234 (postgres) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 1 0 100 1000 10 18446744073709551615", 3250 * time.Millisecond, true},
		{"name with spaces and parens", "9 (a b) c)) R 1 9 9 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0", 100 * time.Millisecond, true},
		{"short", "9 (x) R 1 2 3", 0, false},
		{"no name", "9 x R 1 2 3 4 5 6 7 8 9 10 11 12 13", 0, false},
		{"negative", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 -7 3 0 0", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.stat))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("got %v, %v; want %v, ok=%v", got, err, tt.want, tt.ok)
			}
		})
	}
	if cpu := procCPU(os.Getpid()); cpu < 0 {
		t.Errorf("procCPU of this process is %v", cpu)
	}
}

func TestParsePolls(t *testing.T) {
	metrics := `# HELP frontierwatch_polls_total Polls of a source.
# TYPE frontierwatch_polls_total counter
frontierwatch_polls_total{source="feed-0000",status="ok"} 1
frontierwatch_polls_total{source="feed-0001",status="ok"} 2
frontierwatch_polls_total{source="feed-0002",status="error"} 1
frontierwatch_polls_total_other{source="x",status="ok"} 9
frontierwatch_poll_errors_total{source="feed-0002"} 1
`
	got, err := parsePolls(strings.NewReader(metrics))
	if err != nil || got["ok"] != 3 || got["error"] != 1 || len(got) != 2 {
		t.Errorf("got %v, %v; want 3 ok and 1 error", got, err)
	}
	if _, err := parsePolls(strings.NewReader(`frontierwatch_polls_total{status="ok"} many`)); err == nil {
		t.Error("a bad sample was accepted")
	}
	if s := pollsText([]map[string]int64{{"ok": 12}, {"ok": 8, "error": 1}}); s != "12 / 8 (+1 error)" {
		t.Errorf("pollsText = %q", s)
	}
}

// TestChecks checks that the report fails a measurement in which a feed
// was polled twice, an article is missing, or an instance logged an error.
func TestChecks(t *testing.T) {
	o := options{feeds: 10, items: 2, runs: 1, instances: []int{2}, concurrency: 8}
	good := func() measurement {
		return measurement{run: 1, setup: setup{kind: kindPostgres, instances: 2}, wall: time.Second,
			articles: 20, polled: 10, polls: []map[string]int64{{"ok": 6}, {"ok": 4}},
			exits: []error{nil, nil}, served: served{full: 10}, pgCPU: -1, pgCommits: -1}
	}
	tests := []struct {
		name   string
		change func(*measurement)
		ok     bool
	}{
		{"good", func(*measurement) {}, true},
		{"fetched twice", func(m *measurement) { m.served.full = 11 }, false},
		{"conditional second poll", func(m *measurement) { m.served.notMod = 1 }, false},
		{"polled twice", func(m *measurement) { m.polls[1]["ok"] = 5 }, false},
		{"article missing", func(m *measurement) { m.articles = 19 }, false},
		{"an instance failed", func(m *measurement) { m.exits[0] = os.ErrClosed }, false},
		{"error logged", func(m *measurement) { m.logs.errors = 1 }, false},
		{"error logged while stopping", func(m *measurement) { m.stopping.errors = 1 }, true},
		{"one instance short", func(m *measurement) { m.polls = m.polls[:1]; m.polls[0]["ok"] = 10 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(&m)
			r := newReport(o)
			r.add(m)
			if r.ok() != tt.ok {
				t.Errorf("ok = %v, want %v", r.ok(), tt.ok)
			}
			var out bytes.Buffer
			r.write(&out)
			if got := !strings.Contains(out.String(), "✗"); got != tt.ok {
				t.Errorf("the report's marks disagree with ok=%v:\n%s", tt.ok, out.String())
			}
		})
	}
}
