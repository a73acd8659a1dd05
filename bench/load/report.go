package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// report is the result of a load test, ready to print.
type report struct {
	o          options
	args       []string
	machine    string
	wrkVersion string
	daemonGo   string
	wrkArgs    string
	wrkOut     string
	endpoints  []endpoint

	firstCycle    time.Duration
	first         scrape // at the end of the first cycle
	before, after scrape // around the load
	afterErr      error

	res     wrkResult
	samples []sample
	probes  []probe // each kind of request alone, after the load

	fedFull, fedNotMod, fedOther int64 // feed server answers during the load

	logErrors      int
	firstLogErrors []string
	cleanStop      bool
	stopErr        error
}

// criterion is one pass/fail line of the report.
type criterion struct {
	name   string
	result string
	ok     bool
	judged bool // false: not enough data to judge (it does not fail)
}

// memoryGrowth fits RSS (MB) against time (minutes) over the second half
// of the load; span is the time the samples cover.
func (r *report) memoryGrowth() (f fit, span time.Duration, ok bool) {
	return r.growth(func(s sample) float64 { return float64(s.RSSKB) * 1024 / 1e6 })
}

// heapGrowth is memoryGrowth for the Go heap in use.
func (r *report) heapGrowth() (fit, bool) {
	f, _, ok := r.growth(func(s sample) float64 { return s.Heap / 1e6 })
	return f, ok
}

func (r *report) growth(val func(sample) float64) (f fit, span time.Duration, ok bool) {
	var x, y []float64
	var lo, hi time.Duration = -1, -1
	for _, s := range r.secondHalf() {
		x = append(x, s.At.Minutes())
		y = append(y, val(s))
		if lo < 0 {
			lo = s.At
		}
		hi = s.At
	}
	f, ok = fitLine(x, y)
	return f, hi - lo, ok
}

// secondHalf are the complete samples taken in the second half of the load.
func (r *report) secondHalf() []sample {
	var out []sample
	for _, s := range r.samples {
		if s.At >= r.o.duration/2 && s.Err == "" {
			out = append(out, s)
		}
	}
	return out
}

// criteria are the run's pass/fail conditions.
func (r *report) criteria() []criterion {
	var cs []criterion
	non := r.res.nonOK()
	cs = append(cs, criterion{name: "error responses (outside 2xx)", judged: true, ok: non == 0,
		result: fmt.Sprintf("%s of %s (3xx %s, 4xx %s, 5xx %s, other %s)", num(non), num(r.res.Requests),
			num(r.res.S3xx), num(r.res.S4xx), num(r.res.S5xx), num(r.res.SOther))})
	sock := r.res.socketErrors()
	cs = append(cs, criterion{name: "socket errors", judged: true, ok: sock == 0,
		result: fmt.Sprintf("%s (connect %s, read %s, write %s, timeout %s at %s)", num(sock), num(r.res.Connect),
			num(r.res.Read), num(r.res.Write), num(r.res.Timeout), r.o.timeout)})

	g, span, ok := r.memoryGrowth()
	mem := criterion{name: fmt.Sprintf("RSS not growing faster than %.1f MB/min over the second half (slope − 2 SE ≤ %.1f)", r.o.maxGrowth, r.o.maxGrowth)}
	switch {
	case !ok || span < r.o.minSpan:
		mem.result = fmt.Sprintf("not judged: %d samples over %s, a slope needs %s", len(r.secondHalf()), span.Round(time.Second), r.o.minSpan)
	default:
		mem.judged, mem.ok = true, g.slope-2*g.se <= r.o.maxGrowth
		mem.result = fmt.Sprintf("%+.2f ± %.2f MB/min (least squares ± standard error, %d samples over %s)", g.slope, g.se, g.n, span.Round(time.Second))
	}
	cs = append(cs, mem)

	polls := r.after.polls() - r.before.polls()
	errs := r.after.pollErrors - r.before.pollErrors
	pc := criterion{name: "polling went on, without errors"}
	switch {
	case r.afterErr != nil:
		pc.judged, pc.result = true, "no final /metrics: "+r.afterErr.Error()
	case !r.pollsDue():
		pc.result = fmt.Sprintf("not judged: no poll is due during the load (%s) on the schedule (%s); %s polls, %s errors",
			r.o.duration, schedule(0, r.o.every), num(polls), num(errs))
	default:
		pc.judged, pc.ok = true, polls > 0 && errs == 0
		pc.result = fmt.Sprintf("%s polls ended during the load, %s failed", num(polls), num(errs))
	}
	cs = append(cs, pc)

	failed := 0
	for _, s := range r.samples {
		if s.Err != "" {
			failed++
		}
	}
	probeFailed, probeN := 0, 0
	for _, p := range r.probes {
		probeFailed += p.failed
		probeN += p.n
	}
	cs = append(cs, criterion{name: "the harness's own requests answered", judged: true, ok: failed == 0 && probeFailed == 0,
		result: fmt.Sprintf("samples (/proc, /metrics): %d of %d failed; requests timed alone: %d of %d failed", failed, len(r.samples), probeFailed, probeN)})
	stop := criterion{name: "clean stop on SIGTERM after the load", judged: true, ok: r.cleanStop, result: "exit 0"}
	if r.stopErr != nil {
		stop.result = r.stopErr.Error()
	}
	cs = append(cs, stop)
	return cs
}

// pollsDue reports whether the schedules make polls due during the load:
// staggered cron schedules do as soon as a slot falls in it, "@every"
// (which fires for every source at once) when the load is longer than the
// interval.
func (r *report) pollsDue() bool {
	if strings.HasPrefix(schedule(0, r.o.every), "@every") {
		return r.o.duration > r.o.every
	}
	return float64(r.o.sources)*r.o.duration.Seconds()/r.o.every.Seconds() >= 1
}

// passed reports whether every judged criterion passed.
func (r *report) passed() bool {
	for _, c := range r.criteria() {
		if c.judged && !c.ok {
			return false
		}
	}
	return true
}

func (r *report) write(w io.Writer) {
	o, res := r.o, r.res
	fmt.Fprintf(w, "## Load: %s sources, %s of wrk on the API\n\n", num(float64(o.sources)), o.duration)
	fmt.Fprintf(w, "    go run ./bench/load %s\n\n", strings.Join(r.args, " "))
	load := r.loadAverages()
	fmt.Fprintf(w, "Machine: %s; daemon built with %s; %s. 1-minute load average during the run: %s (the machine is shared).\n\n",
		r.machine, orDash(r.daemonGo), r.wrkVersion, load)
	fmt.Fprintf(w, "World: %s RSS feeds × %d items on 127.0.0.1; every %s each feed gains %d new items (the oldest drop off). "+
		"Every source is polled every %s (`%s`, `%s`, …), poll.concurrency %d, SQLite archive, full text off, every item kept. "+
		"The API's per-client rate limit is off (`server.rate_limit.disabled: true`): wrk's connections all come from 127.0.0.1.\n\n",
		num(float64(o.sources)), o.items, o.epoch, o.newItems, o.every, schedule(0, o.every), schedule(1, o.every), o.concurrency)
	firstPoll := "–"
	if d, ok := meanPoll(scrape{}, r.first); ok {
		firstPoll = d.Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "First cycle: %s from start to every source polled and the search index answering; %s articles archived, %s poll errors, mean poll %s.\n\n",
		r.firstCycle.Round(time.Second), num(r.first.archived()), num(r.first.pollErrors), firstPoll)

	fmt.Fprintf(w, "Load: `wrk %s` (%s threads × %s connections, closed loop), a Lua script rotating through %s paths in this mix:\n\n",
		r.wrkArgs, itoa(o.threads), itoa(o.connections), itoa(r.distinctPaths()))
	fmt.Fprintln(w, "| share | request | distinct paths |")
	fmt.Fprintln(w, "|--:|---|--:|")
	for _, e := range r.endpoints {
		fmt.Fprintf(w, "| %d%% | %s | %d |\n", e.share, e.name, len(e.paths))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "| result | |")
	fmt.Fprintln(w, "|---|--:|")
	fmt.Fprintf(w, "| requests | %s in %s |\n", num(res.Requests), (time.Duration(res.DurationUS) * time.Microsecond).Round(time.Millisecond))
	fmt.Fprintf(w, "| requests/s | %.1f |\n", res.rate())
	fmt.Fprintf(w, "| latency p50 / p90 / p99 / p99.9 | %s / %s / %s / %s |\n", ms(res.P50), ms(res.P90), ms(res.P99), ms(res.P999))
	fmt.Fprintf(w, "| latency mean / max | %s / %s |\n", ms(res.Mean), ms(res.Max))
	fmt.Fprintf(w, "| error responses (outside 2xx) | %s |\n", num(res.nonOK()))
	fmt.Fprintf(w, "| socket errors (connect / read / write / timeout) | %s / %s / %s / %s |\n",
		num(res.Connect), num(res.Read), num(res.Write), num(res.Timeout))
	fmt.Fprintf(w, "| data read | %.1f MB |\n", res.Bytes/1e6)
	if cores, ok := r.daemonCores(); ok {
		fmt.Fprintf(w, "| daemon CPU, mean | %.2f cores of %d |\n", cores, runtime.NumCPU())
	}
	fmt.Fprintln(w)

	r.writeMemory(w)
	r.writePolling(w)
	r.writeTimeline(w)
	r.writeProbes(w)

	fmt.Fprintln(w, "| criterion | result | |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, c := range r.criteria() {
		mark := "✓"
		switch {
		case !c.judged:
			mark = "–"
		case !c.ok:
			mark = "✗"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.name, c.result, mark)
	}
	verdict := "PASS"
	if !r.passed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\nVerdict: %s.\n", verdict)
	if r.logErrors > 0 {
		fmt.Fprintf(w, "\nThe daemon logged %d errors; the first:\n\n", r.logErrors)
		for _, l := range r.firstLogErrors {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

func (r *report) writeMemory(w io.Writer) {
	var rss, heap []float64
	for _, s := range r.samples {
		if s.Err == "" {
			rss = append(rss, float64(s.RSSKB)*1024/1e6)
			heap = append(heap, s.Heap/1e6)
		}
	}
	if len(rss) == 0 {
		fmt.Fprintln(w, "Memory: no complete sample.")
		fmt.Fprintln(w)
		return
	}
	g, _, gok := r.memoryGrowth()
	hg, hok := r.heapGrowth()
	slopeText := func(f fit, ok bool) string {
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%+.2f ± %.2f MB/min", f.slope, f.se)
	}
	fmt.Fprintf(w, "Memory of the daemon process, sampled every %s (%d samples):\n\n", r.o.sample, len(rss))
	fmt.Fprintln(w, "| | start | min | max | end | slope, second half |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
	fmt.Fprintf(w, "| RSS (VmRSS) | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %s |\n",
		rss[0], slices.Min(rss), slices.Max(rss), rss[len(rss)-1], slopeText(g, gok))
	fmt.Fprintf(w, "| Go heap in use | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %s |\n",
		heap[0], slices.Min(heap), slices.Max(heap), heap[len(heap)-1], slopeText(hg, hok))
	fmt.Fprintln(w)
}

func (r *report) writePolling(w io.Writer) {
	fmt.Fprintln(w, "Polling during the load (the daemon's /metrics before and after; the feed server's answers):")
	fmt.Fprintln(w)
	if r.afterErr != nil {
		fmt.Fprintf(w, "no final /metrics: %v\n\n", r.afterErr)
		return
	}
	var statuses []string
	for k := range r.after.pollsBy {
		statuses = append(statuses, k)
	}
	slices.Sort(statuses)
	var parts []string
	for _, k := range statuses {
		if d := r.after.pollsBy[k] - r.before.pollsBy[k]; d != 0 {
			parts = append(parts, fmt.Sprintf("%s %s", k, num(d)))
		}
	}
	fmt.Fprintf(w, "- polls ended: %s (%s); the schedules make about %s due in %s\n", num(r.after.polls()-r.before.polls()),
		orDash(strings.Join(parts, ", ")), num(float64(r.o.sources)*r.o.duration.Seconds()/r.o.every.Seconds()), r.o.duration)
	fmt.Fprintf(w, "- polls failed: %s\n", num(r.after.pollErrors-r.before.pollErrors))
	if d, ok := meanPoll(r.before, r.after); ok {
		fmt.Fprintf(w, "- mean poll duration: %s\n", d.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "- articles archived: %s (archive: %s before, %s after)\n",
		num(r.after.archived()-r.before.archived()), num(r.before.archived()), num(r.after.archived()))
	fmt.Fprintf(w, "- feed server answers: %s full, %s not modified, %s other\n\n",
		num(float64(r.fedFull)), num(float64(r.fedNotMod)), num(float64(r.fedOther)))
}

// writeTimeline prints about one sample a minute (every sample when there
// are few).
func (r *report) writeTimeline(w io.Writer) {
	if len(r.samples) == 0 {
		return
	}
	step := 1
	if per := int(time.Minute / r.o.sample); len(r.samples) > 20 && per > 1 {
		step = per
	}
	fmt.Fprintln(w, "| t | RSS | heap in use | polls since start | articles | daemon CPU since last row | load avg |")
	fmt.Fprintln(w, "|--:|--:|--:|--:|--:|--:|--:|")
	p0 := r.samples[0].Polls
	var prev *sample
	for i, s := range r.samples {
		if i%step != 0 && i != len(r.samples)-1 {
			continue
		}
		if s.Err != "" {
			fmt.Fprintf(w, "| %s | sample failed: %s | | | | | |\n", s.At.Round(time.Second), truncate(s.Err, 100))
			continue
		}
		cpu := ""
		if prev != nil && s.At > prev.At {
			cpu = fmt.Sprintf("%.2f cores", (s.CPU-prev.CPU).Seconds()/(s.At-prev.At).Seconds())
		}
		fmt.Fprintf(w, "| %s | %.1f MB | %.1f MB | %s | %s | %s | %.2f |\n", s.At.Round(time.Second),
			float64(s.RSSKB)*1024/1e6, s.Heap/1e6, num(s.Polls-p0), num(s.Archived), cpu, s.Load1)
		prev = &r.samples[i]
	}
	fmt.Fprintln(w)
}

// daemonCores is the daemon's mean CPU use during the load, in cores.
func (r *report) daemonCores() (float64, bool) {
	var ok []sample
	for _, s := range r.samples {
		if s.Err == "" {
			ok = append(ok, s)
		}
	}
	if len(ok) < 2 || ok[len(ok)-1].At <= ok[0].At {
		return 0, false
	}
	a, b := ok[0], ok[len(ok)-1]
	return (b.CPU - a.CPU).Seconds() / (b.At - a.At).Seconds(), true
}

// writeProbes prints the latency of each kind of request alone.
func (r *report) writeProbes(w io.Writer) {
	if len(r.probes) == 0 {
		return
	}
	fmt.Fprintf(w, "Each kind of request alone after the load (%d requests each, one at a time, polling still on):\n\n", r.probes[0].n)
	fmt.Fprintln(w, "| request | p50 | max | failed |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, p := range r.probes {
		failed := itoa(p.failed)
		if p.firstErr != "" {
			failed += ": " + p.firstErr
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", p.name, ms(float64(p.p50.Microseconds())), ms(float64(p.max.Microseconds())), failed)
	}
	fmt.Fprintln(w)
}

// loadAverages summarises the 1-minute load average of the samples.
func (r *report) loadAverages() string {
	var v []float64
	for _, s := range r.samples {
		if s.Load1 >= 0 {
			v = append(v, s.Load1)
		}
	}
	if len(v) == 0 {
		return "unknown"
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	return fmt.Sprintf("min %.2f, mean %.2f, max %.2f", slices.Min(v), sum/float64(len(v)), slices.Max(v))
}

func (r *report) distinctPaths() int {
	n := 0
	for _, e := range r.endpoints {
		n += len(e.paths)
	}
	return n
}

// ms formats microseconds as milliseconds.
func ms(us float64) string {
	switch {
	case us >= 100_000:
		return fmt.Sprintf("%.0f ms", us/1000)
	case us >= 10_000:
		return fmt.Sprintf("%.1f ms", us/1000)
	default:
		return fmt.Sprintf("%.2f ms", us/1000)
	}
}

// num formats a count with thousands separators.
func num(v float64) string { return hostinfo.Thousands(int64(math.Round(v))) }

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
