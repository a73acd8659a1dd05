package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
)

// TestLoadSmall runs the whole harness at small scale, as CI does: the
// daemon binary built and run as a child process, 200 feeds that change
// every 10 s, polls every 5 s, wrk for 10 s. It needs wrk on PATH: without
// it the test says so and skips, unless FRONTIERWATCH_TEST_WRK=required
// (CI installs wrk and sets it, so that a failed install fails the run).
func TestLoadSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon and wrk for about a minute; skipped with -short")
	}
	if _, err := exec.LookPath("wrk"); err != nil && os.Getenv("FRONTIERWATCH_TEST_WRK") != "required" {
		t.Skip("wrk is not installed (apt-get install -y wrk); FRONTIERWATCH_TEST_WRK=required makes this a failure")
	}
	var out, errs bytes.Buffer
	args := []string{"-sources", "200", "-items", "5", "-every", "5s", "-epoch", "10s", "-duration", "10s", "-sample", "1s",
		"-connections", "4", "-probe", "3", "-dir", t.TempDir()}
	code := run(t.Context(), args, &out, &errs)
	report := out.String()
	if code != exitOK {
		t.Fatalf("exit %d\nreport:\n%s\nstderr:\n%s", code, report, errs.String())
	}
	for _, want := range []string{
		"## Load: 200 sources, 10s of wrk on the API",
		"| error responses (outside 2xx) | 0 of ",
		"| socket errors | 0 (connect 0, read 0, write 0, timeout 0 at 10s) | ✓ |",
		"| the harness's own requests answered | samples (/proc, /metrics): 0 of ",
		"| clean stop on SIGTERM after the load | exit 0 | ✓ |",
		"Verdict: PASS.",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	m := regexp.MustCompile(`\| requests \| ([0-9,]+) in `).FindStringSubmatch(report)
	if m == nil || m[1] == "0" {
		t.Errorf("no request was sent:\n%s", report)
	}
	m = regexp.MustCompile(`\| polling went on, without errors \| ([0-9,]+) polls ended during the load, 0 failed \| ✓ \|`).FindStringSubmatch(report)
	if m == nil || m[1] == "0" {
		t.Errorf("the daemon did not poll during the load:\n%s", report)
	}
	if !regexp.MustCompile(`\| latency p50 / p90 / p99 / p99\.9 \| [0-9.]+ ms / [0-9.]+ ms / [0-9.]+ ms / [0-9.]+ ms \|`).MatchString(report) {
		t.Errorf("no latency percentiles:\n%s", report)
	}
}

// TestWrkMissing checks that a machine without wrk gets the command that
// installs it.
func TestWrkMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out, errs bytes.Buffer
	if code := run(t.Context(), []string{"-sources", "1", "-duration", "1s"}, &out, &errs); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(errs.String(), "apt-get install -y wrk") {
		t.Errorf("stderr does not say how to install wrk: %s", errs.String())
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"-nope"}, exitUsage},
		{"zero sources", []string{"-sources", "0"}, exitUsage},
		{"fewer connections than threads", []string{"-threads", "4", "-connections", "2"}, exitUsage},
		{"sub-second schedule", []string{"-every", "500ms"}, exitUsage},
		{"argument", []string{"extra"}, exitUsage},
		{"help", []string{"-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(t.Context(), tt.args, io.Discard, io.Discard); got != tt.want {
				t.Errorf("exit %d, want %d", got, tt.want)
			}
		})
	}
}

// clock is a settable clock for the world.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// TestWorldChanges checks the feeds the daemon polls: stable within an
// epoch (304 to a conditional request), and at each new epoch the new
// items on top, the oldest gone, a new ETag.
func TestWorldChanges(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w, err := newWorld(1, 3, 5, 2, start, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: start}
	w.now = clk.now
	srv := httptest.NewServer(w)
	defer srv.Close()

	get := func(path, etag string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Etag"), string(b)
	}
	guids := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<guid isPermaLink="false">([^<]*)</guid>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}

	code, etag0, body0 := get("/feeds/0001.xml", "")
	g0 := guids(body0)
	if code != http.StatusOK || etag0 == "" || len(g0) != 5 {
		t.Fatalf("epoch 0: %d, ETag %q, %d items", code, etag0, len(g0))
	}
	clk.set(start.Add(59 * time.Second))
	if code, _, _ := get("/feeds/0001.xml", etag0); code != http.StatusNotModified {
		t.Fatalf("same epoch, conditional request: %d, want 304", code)
	}

	clk.set(start.Add(61 * time.Second))
	code, etag1, body1 := get("/feeds/0001.xml", etag0)
	g1 := guids(body1)
	if code != http.StatusOK || etag1 == etag0 {
		t.Fatalf("epoch 1: %d, ETag %q (was %q)", code, etag1, etag0)
	}
	if len(g1) != 5 || !strings.HasPrefix(g1[0], "e1-") || !strings.HasPrefix(g1[1], "e1-") ||
		strings.Join(g1[2:], " ") != strings.Join(g0[:3], " ") {
		t.Fatalf("epoch 1 items %q, want two new ones then %q", g1, g0[:3])
	}
	if !strings.Contains(body1, "<link>https://news0001.example.com/e1/") {
		t.Errorf("epoch 1's new items do not have links of their own")
	}

	// A feed not requested for three epochs gets all their items at once.
	clk.set(start.Add(3*time.Minute + time.Second))
	_, _, body3 := get("/feeds/0002.xml", "")
	g3 := guids(body3)
	if len(g3) != 5 || !strings.HasPrefix(g3[0], "e3-") || !strings.HasPrefix(g3[2], "e2-") || !strings.HasPrefix(g3[4], "e1-") {
		t.Errorf("epoch 3 items %q, want e3, e3, e2, e2, e1", g3)
	}

	for _, p := range []string{"/feeds/3.xml", "/feeds/0003.xml", "/feeds/0001.rss", "/other"} {
		if code, _, _ := get(p, ""); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	full, notMod, other := w.counts()
	if full != 3 || notMod != 1 || other != 4 {
		t.Errorf("counts %d full, %d not modified, %d other; want 3, 1, 4", full, notMod, other)
	}
}

func TestQueryWords(t *testing.T) {
	w, err := newWorld(1, 20, 5, 2, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	words := queryWords(w, 16)
	if len(words) != 16 {
		t.Fatalf("%d terms, want 16: %q", len(words), words)
	}
	var titles strings.Builder
	for i := range w.feeds {
		body, _, _ := w.current(i, 0)
		for _, m := range titleRE.FindAllSubmatch(body, -1) {
			titles.WriteString(strings.ToLower(string(m[1])) + "\n")
		}
	}
	for _, q := range words {
		for _, word := range strings.Fields(q) {
			if !strings.Contains(titles.String(), word) {
				t.Errorf("term %q is in no title", word)
			}
		}
	}
}

func TestSequence(t *testing.T) {
	eps := []endpoint{
		{name: "a", share: 70, paths: []string{"/a1", "/a2"}},
		{name: "b", share: 20, paths: []string{"/b"}},
		{name: "c", share: 10, paths: []string{"/c1", "/c2", "/c3"}},
	}
	seq := sequence(eps, 1000, 1)
	count := map[string]int{}
	for _, p := range seq {
		count[p]++
	}
	want := map[string]int{"/a1": 350, "/a2": 350, "/b": 200, "/c1": 34, "/c2": 33, "/c3": 33}
	for p, n := range want {
		if count[p] != n {
			t.Errorf("%s sent %d times, want %d (%v)", p, count[p], n, count)
		}
	}
	if again := sequence(eps, 1000, 1); strings.Join(again, " ") != strings.Join(seq, " ") {
		t.Error("the sequence is not deterministic")
	}
}

func TestLuaString(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/articles?q=a+b": `"/api/v1/articles?q=a+b"`,
		`a"b\c`:                  `"a\"b\\c"`,
		"x\ny":                   `"x\010y"`,
	} {
		if got := luaString(in); got != want {
			t.Errorf("luaString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		i     int
		every time.Duration
		want  string
	}{
		{0, 30 * time.Minute, "0-59/30 * * * *"},
		{47, 30 * time.Minute, "17-59/30 * * * *"},
		{3, 2 * time.Minute, "1-59/2 * * * *"},
		{1, time.Minute, "* * * * *"},
		{1, 7 * time.Minute, "@every 7m0s"},
		{1, 90 * time.Minute, "@every 1h30m0s"},
		{1, 5 * time.Second, "@every 5s"},
	}
	for _, tt := range tests {
		got := schedule(tt.i, tt.every)
		if got != tt.want {
			t.Errorf("schedule(%d, %s) = %q, want %q", tt.i, tt.every, got, tt.want)
		}
		// The daemon must take it, and run it every tt.every.
		sched, err := config.ParseSchedule(got)
		if err != nil {
			t.Errorf("%q: %v", got, err)
			continue
		}
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		first := sched.Next(at)
		if gap := sched.Next(first).Sub(first); gap != tt.every {
			t.Errorf("%q runs %s apart, want %s", got, gap, tt.every)
		}
	}
}

const metricsText = `# HELP frontierwatch_polls_total Polls.
# TYPE frontierwatch_polls_total counter
frontierwatch_polls_total{source="feed-0000",status="ok"} 3
frontierwatch_polls_total{source="feed-0001",status="not_modified"} 2
frontierwatch_polls_total{source="feed-0001",status="ok"} 1
frontierwatch_polls_total{source="we\"ird}",status="error"} 1
frontierwatch_poll_errors_total{source="we\"ird}"} 1
frontierwatch_articles_total{outcome="new"} 40
frontierwatch_articles_total{outcome="duplicate"} 2
frontierwatch_articles_total{outcome="known"} 7
go_info{version="go1.26.8"} 1
frontierwatch_poll_duration_seconds_bucket{kind="feed",le="0.1"} 5
frontierwatch_poll_duration_seconds_sum{kind="feed"} 3.5
frontierwatch_poll_duration_seconds_count{kind="feed"} 7
go_memstats_heap_inuse_bytes 1.2345e+07
process_resident_memory_bytes 9e+07 1700000000000
`

func TestParseMetrics(t *testing.T) {
	s, err := parseMetrics(strings.NewReader(metricsText))
	if err != nil {
		t.Fatal(err)
	}
	if s.polls() != 7 || s.pollsBy["ok"] != 4 || s.pollsBy["not_modified"] != 2 || s.pollsBy["error"] != 1 {
		t.Errorf("polls %v", s.pollsBy)
	}
	if s.pollErrors != 1 || s.archived() != 42 || s.heapInuse != 12345000 || s.goVersion != "go1.26.8" {
		t.Errorf("errors %v, archived %v, heap %v, go %q", s.pollErrors, s.archived(), s.heapInuse, s.goVersion)
	}
	if d, ok := meanPoll(scrape{pollSeconds: 0.7, pollCount: 2}, s); !ok || d != 560*time.Millisecond {
		t.Errorf("mean poll %v, %v; want 560ms", d, ok)
	}
	if _, ok := meanPoll(s, s); ok {
		t.Error("a mean of no poll")
	}
	for name, text := range map[string]string{
		"no heap":        "frontierwatch_poll_errors_total 0\n",
		"bad value":      "go_memstats_heap_inuse_bytes x\n",
		"unclosed label": `frontierwatch_polls_total{status="ok} 1` + "\n",
		"no value":       "go_memstats_heap_inuse_bytes\n",
	} {
		if _, err := parseMetrics(strings.NewReader(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseStatusKB(t *testing.T) {
	status := []byte("Name:\tfrontierwatch\nVmHWM:\t  200000 kB\nVmRSS:\t  150000 kB\n")
	if kb, err := parseStatusKB(status, "VmRSS"); err != nil || kb != 150000 {
		t.Errorf("VmRSS = %d, %v", kb, err)
	}
	for _, bad := range []string{"VmRSS:\t12 MB\n", "VmRSS:\t-1 kB\n", "Name:\tx\n"} {
		if _, err := parseStatusKB([]byte(bad), "VmRSS"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseStatCPU(t *testing.T) {
	stat := "4242 (front ier)watch) S 1 4242 4242 0 -1 4194560 27000 0 12 0 1234 567 0 0 20 0 12 0 4000 2000000000 50000\n"
	if d, err := parseStatCPU([]byte(stat)); err != nil || d != 18010*time.Millisecond {
		t.Errorf("CPU = %v, %v; want 18.01s", d, err)
	}
	for _, bad := range []string{"4242 (x) S 1 2 3", "no parenthesis", "1 (x) S 1 2 3 4 5 6 7 8 9 10 -1 5 0 0"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if d, err := procCPU(os.Getpid()); err != nil || d < 0 {
		t.Errorf("procCPU of this process: %v, %v", d, err)
	}
}

func TestFitLine(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	if f, ok := fitLine(x, []float64{10, 12, 14, 16, 18}); !ok || math.Abs(f.slope-2) > 1e-9 || f.se > 1e-9 || f.n != 5 {
		t.Errorf("exact line: %+v, %v; want slope 2, no error", f, ok)
	}
	// No trend: the residuals around the mean 0.2 square to 4.8, over
	// n-2 = 3 degrees of freedom, and x's squared deviations sum to 10.
	f, ok := fitLine(x, []float64{1, -1, 1, -1, 1})
	if !ok || math.Abs(f.slope) > 1e-9 || math.Abs(f.se-math.Sqrt(4.8/3/10)) > 1e-9 {
		t.Errorf("alternating: %+v, %v; want slope 0, se %v", f, ok, math.Sqrt(4.8/3/10))
	}
	if _, ok := fitLine([]float64{1, 2}, []float64{1, 1}); ok {
		t.Error("two points are fitted")
	}
	if _, ok := fitLine([]float64{2, 2, 2}, []float64{1, 3, 5}); ok {
		t.Error("one x is fitted")
	}
}

func TestParseWrk(t *testing.T) {
	out := "Running 10s test @ http://127.0.0.1:1\n  2 threads and 4 connections\n" + resultPrefix +
		`{"requests":500,"duration_us":10000000,"bytes":1000,"connect":0,"read":1,"write":0,"timeout":2,"status_over_399":3,` +
		`"s2xx":497,"s3xx":0,"s4xx":2,"s5xx":1,"sother":0,"p50":1500,"p90":3000,"p99":9000,"p999":12000,"max":15000,"mean":2000.5,"threads":2}` + "\n"
	r, err := parseWrk([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if r.nonOK() != 3 || r.socketErrors() != 3 || r.rate() != 50 || r.P99 != 9000 {
		t.Errorf("non-2xx %v, socket errors %v, rate %v, p99 %v", r.nonOK(), r.socketErrors(), r.rate(), r.P99)
	}
	if _, err := parseWrk([]byte("Running 10s test\n")); err == nil {
		t.Error("no result line: no error")
	}
	if _, err := parseWrk([]byte(resultPrefix + `{"requests":0,"threads":2}` + "\n")); err == nil {
		t.Error("no request: no error")
	}
}

// sawtooth adds a memory sawtooth of amplitude mb, period one minute, as a
// garbage-collected process under load shows.
func sawtooth(r *report, mb float64) {
	for i := range r.samples {
		phase := math.Mod(r.samples[i].At.Minutes(), 1)
		r.samples[i].RSSKB += int64(mb * (2*phase - 1) * 1e6 / 1024)
	}
}

// TestCriteria checks that each criterion fails the run when it should.
func TestCriteria(t *testing.T) {
	o := options{sources: 100, duration: 10 * time.Minute, every: time.Minute, sample: 10 * time.Second,
		maxGrowth: 1, minSpan: 2 * time.Minute, timeout: 10 * time.Second}
	good := func() *report {
		r := &report{o: o, cleanStop: true,
			res:    wrkResult{Requests: 1000, S2xx: 1000, DurationUS: 600e6, Threads: 2},
			before: scrape{pollsBy: map[string]float64{"ok": 100}},
			after:  scrape{pollsBy: map[string]float64{"ok": 150, "not_modified": 50}},
		}
		for i := range 61 {
			at := time.Duration(i) * o.sample
			// Steady, with noise of ±3 MB.
			r.samples = append(r.samples, sample{At: at, RSSKB: 300_000 + int64(3000*math.Sin(float64(i))), Heap: 100e6})
		}
		return r
	}
	grow := func(mbPerMin float64) func(*report) {
		return func(r *report) {
			for i := range r.samples {
				r.samples[i].RSSKB += int64(mbPerMin * r.samples[i].At.Minutes() * 1e6 / 1024)
			}
		}
	}
	tests := []struct {
		name   string
		change func(*report)
		pass   bool
	}{
		{"steady", func(*report) {}, true},
		{"slow growth", grow(0.5), true},
		{"leak", grow(2), false},
		{"shrinking", grow(-5), true},
		{"sawtooth of ±25 MB, flat", func(r *report) { sawtooth(r, 25) }, true},
		{"sawtooth of ±25 MB over a 5 MB/min leak", func(r *report) { sawtooth(r, 25); grow(5)(r) }, false},
		{"one 500", func(r *report) { r.res.S5xx, r.res.S2xx = 1, 999 }, false},
		{"one 429", func(r *report) { r.res.S4xx = 1 }, false},
		{"one timeout", func(r *report) { r.res.Timeout = 1 }, false},
		{"one reset", func(r *report) { r.res.Read = 1 }, false},
		{"no polls", func(r *report) { r.after = r.before }, false},
		{"poll errors", func(r *report) { r.after.pollErrors = 1 }, false},
		{"failed sample", func(r *report) { r.samples[3].Err = "GET /metrics: 503" }, false},
		{"failed probe", func(r *report) { r.probes = []probe{{name: "x", n: 5, failed: 1}} }, false},
		{"unclean stop", func(r *report) { r.cleanStop, r.stopErr = false, fmt.Errorf("killed") }, false},
		{"short run: memory and polls not judged", func(r *report) {
			r.o.duration, r.o.every = 10*time.Second, 7*time.Minute // "@every 7m0s": no poll due
			r.samples = r.samples[:2]
			grow(100)(r)
			r.after = r.before
		}, true},
		{"staggered schedule: polls due in a load shorter than it", func(r *report) {
			r.o.every = 30 * time.Minute
			r.after = r.before
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			tt.change(r)
			if got := r.passed(); got != tt.pass {
				t.Errorf("passed = %v, want %v; criteria: %+v", got, tt.pass, r.criteria())
			}
			var out bytes.Buffer
			r.write(&out)
			verdict := "Verdict: PASS."
			if !tt.pass {
				verdict = "Verdict: FAIL."
			}
			if !strings.Contains(out.String(), verdict) || strings.Contains(out.String(), "✗") == tt.pass {
				t.Errorf("report disagrees with passed=%v:\n%s", tt.pass, out.String())
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234", 2.6: "3"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
	for us, want := range map[float64]string{1500: "1.50 ms", 25_000: "25.0 ms", 250_000: "250 ms"} {
		if got := ms(us); got != want {
			t.Errorf("ms(%v) = %q, want %q", us, got, want)
		}
	}
}
