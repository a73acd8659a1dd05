package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/feedsim"
)

// TestMain lets the test binary stand in for the command when the harness
// starts it as a child.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRunSmall runs the whole harness, children and breakdown included, on
// a small corpus, as CI does.
func TestRunSmall(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-feeds", "20", "-items", "5", "-runs", "1", "-breakdown", "-dir", t.TempDir(),
		"-cpuprofile", t.TempDir() + "/first.pprof"}
	if code := run(t.Context(), args, &out, &errs); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"## Poll cycle: 20 feeds × 5 items, concurrency 8, 1 runs",
		"| baseline: gofeed `ParseURL`, no storage |",
		"| frontierwatch first cycle (stores 100 articles) |",
		"| frontierwatch steady cycle (every feed 304) |",
		"| 1 | baseline, frontierwatch |",
		"| archive: CommitPoll alone (one transaction per feed) |",
		"Machine: ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
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

// TestChildVerifies checks that each side fails loudly when the archive or
// the parser does not see every item it should.
func TestChildVerifies(t *testing.T) {
	srv := httptest.NewServer(feedsim.NewServer(feedsim.RenderCorpus(1, 3, 2)))
	defer srv.Close()
	tests := []struct {
		name    string
		a       childArgs
		wantErr string // "" means success
	}{
		{"baseline ok", childArgs{phase: phaseBaseline, items: 2}, ""},
		{"baseline short", childArgs{phase: phaseBaseline, items: 3}, "parsed 6 items, want 9"},
		{"frontierwatch ok", childArgs{phase: phaseFrontierwatch, items: 2}, ""},
		{"frontierwatch short", childArgs{phase: phaseFrontierwatch, items: 3}, "want 0 errors and 9 articles"},
		{"frontierwatch missing feed", childArgs{phase: phaseFrontierwatch, feeds: 4, items: 2}, "first cycle: 1 errors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			a.base, a.concurrency, a.dir = srv.URL, 2, t.TempDir()
			if a.feeds == 0 {
				a.feeds = 3
			}
			var out bytes.Buffer
			err := runChild(t.Context(), a, &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && !strings.Contains(out.String(), `"phase":"`+a.phase+`"`):
				t.Fatalf("result %q does not name the phase", out.String())
			}
		})
	}
}

func TestCheckServed(t *testing.T) {
	tests := []struct {
		name               string
		side               string
		full, notMod, miss int64
		ok                 bool
	}{
		{"baseline", phaseBaseline, 10, 0, 0, true},
		{"frontierwatch", phaseFrontierwatch, 10, 10, 0, true},
		{"frontierwatch refetched", phaseFrontierwatch, 12, 8, 0, false},
		{"baseline twice", phaseBaseline, 20, 0, 0, false},
		{"not found", phaseBaseline, 10, 0, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkServed(tt.side, 10, tt.full, tt.notMod, tt.miss); (err == nil) != tt.ok {
				t.Errorf("error %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"normal", "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t 30000 kB\n", 40960, true},
		{"missing", "Name:\tx\nVmRSS:\t 30000 kB\n", 0, false},
		{"bad unit", "VmHWM:\t 12 MB\n", 0, false},
		{"bad number", "VmHWM:\t 1x2 kB\n", 0, false},
		{"negative", "VmHWM:\t -5 kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM([]byte(tt.status))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("got %d, %v; want %d, ok=%v", got, err, tt.want, tt.ok)
			}
		})
	}
	if kb := peakRSS(); kb <= 0 {
		t.Errorf("peakRSS of this process is %d", kb)
	}
}

func FuzzParseVmHWM(f *testing.F) {
	f.Add([]byte("VmHWM:\t   40960 kB\n"))
	f.Add([]byte("Name:\tx\nVmHWM: 1 kB"))
	f.Add([]byte("VmHWM:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kb, err := parseVmHWM(b)
		if err == nil && kb < 0 {
			t.Fatalf("negative peak %d without error", kb)
		}
	})
}

func TestStatsAndFormat(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in       []time.Duration
		med, min time.Duration
	}{
		{nil, 0, 0},
		{[]time.Duration{5 * ms}, 5 * ms, 5 * ms},
		{[]time.Duration{9 * ms, 1 * ms, 5 * ms}, 5 * ms, 1 * ms},
		{[]time.Duration{4 * ms, 2 * ms, 8 * ms, 6 * ms}, 5 * ms, 2 * ms},
	}
	for _, tt := range tests {
		if got := statOf(tt.in); got.med != tt.med || got.min != tt.min {
			t.Errorf("statOf(%v) = %+v, want median %v, min %v", tt.in, got, tt.med, tt.min)
		}
	}
	for d, want := range map[time.Duration]string{12 * time.Second: "12.0 s", 1500 * ms: "1.50 s", 20 * ms: "20.0 ms"} {
		if got := secs(d); got != want {
			t.Errorf("secs(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestReportTargets(t *testing.T) {
	s := time.Second
	mk := func(base, first, steady time.Duration, peakKB int64) []runResult {
		return []runResult{{baseline: phaseResult{Cycle: base}, fw: phaseResult{Cycle: first, Steady: steady, Peak: peakKB}}}
	}
	tests := []struct {
		name string
		runs []runResult
		met  bool
	}{
		{"all met", mk(2*s, 3*s, s/10, 100_000), true},
		{"first too slow", mk(2*s, 3100*time.Millisecond, s/10, 100_000), false},
		{"steady too slow", mk(2*s, 3*s, 400*time.Millisecond, 100_000), false},
		{"too much memory", mk(2*s, 3*s, s/10, 200_000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReport(options{feeds: 1, items: 1, concurrency: 1, runs: 1}, tt.runs, nil, "test")
			if got := r.met(); got != tt.met {
				t.Errorf("met = %v, want %v", got, tt.met)
			}
			var out bytes.Buffer
			r.write(&out)
			if got := strings.Count(out.String(), "✗") == 0; got != tt.met {
				t.Errorf("table marks disagree with met=%v:\n%s", tt.met, out.String())
			}
		})
	}
}
