package main

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// report is the result of a whole benchmark, ready to print.
type report struct {
	o    options
	ms   []measurement
	host string
}

func newReport(o options) *report { return &report{o: o} }

func (r *report) add(m measurement) { r.ms = append(r.ms, m) }

// of returns the measurements of setup s, run by run.
func (r *report) of(s setup) []measurement {
	var out []measurement
	for _, m := range r.ms {
		if m.setup == s {
			out = append(out, m)
		}
	}
	return out
}

// median of f over the measurements of s; ok is false when there are none
// or f is unknown (negative) for one.
func (r *report) median(s setup, f func(measurement) time.Duration) (time.Duration, bool) {
	var ds []time.Duration
	for _, m := range r.of(s) {
		d := f(m)
		if d < 0 {
			return 0, false
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return 0, false
	}
	return medianOf(ds), true
}

func medianOf(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func wallOf(m measurement) time.Duration  { return m.wall }
func cpuOf(m measurement) time.Duration   { return m.cpu }
func pgCPUOf(m measurement) time.Duration { return m.pgCPU }

// check is one correctness check over every measurement.
type check struct {
	what     string
	failures []string
}

// checks verifies what every measurement saw: the feed server sent each
// feed once in full, the archive (or the parser) has every item, the
// instances' polls add up to one per feed, they stopped cleanly and logged
// no error.
func (r *report) checks() []check {
	feeds, want := int64(r.o.feeds), int64(r.o.feeds*r.o.items)
	served := check{what: fmt.Sprintf("the feed server sent each of the %s feeds exactly once in full (no 304 from a second poll, no 404)", hostinfo.Thousands(feeds))}
	stored := check{what: fmt.Sprintf("the archive holds %s articles and %s polled sources after the instances stopped (the baseline parsed %s items)", hostinfo.Thousands(want), hostinfo.Thousands(feeds), hostinfo.Thousands(want))}
	polls := check{what: fmt.Sprintf("the instances' polls (their /metrics `%s`) add up to %s, all ok", pollsMetric, hostinfo.Thousands(feeds))}
	exits := check{what: "every instance exited 0 after SIGTERM"}
	logs := check{what: "no ERROR record in the instances' logs before SIGTERM"}
	for _, m := range r.ms {
		name := fmt.Sprintf("run %d, %s", m.run, m.setup)
		if m.served.full != feeds || m.served.notMod != 0 || m.served.miss != 0 {
			served.failures = append(served.failures, fmt.Sprintf("%s: %d full, %d not modified, %d not found",
				name, m.served.full, m.served.notMod, m.served.miss))
		}
		if m.articles != want || (m.setup.kind != kindBaseline && m.polled != feeds) {
			stored.failures = append(stored.failures, fmt.Sprintf("%s: %d articles, %d polled sources", name, m.articles, m.polled))
		}
		if m.setup.kind == kindBaseline {
			continue
		}
		var total, ok int64
		for _, p := range m.polls {
			for status, n := range p {
				total += n
				if status == "ok" {
					ok += n
				}
			}
		}
		if total != feeds || ok != feeds || len(m.polls) != m.setup.instances {
			polls.failures = append(polls.failures, fmt.Sprintf("%s: %s", name, pollsText(m.polls)))
		}
		for i, err := range m.exits {
			if err != nil {
				exits.failures = append(exits.failures, fmt.Sprintf("%s, instance %d: %v", name, i+1, err))
			}
		}
		if len(m.exits) != m.setup.instances {
			exits.failures = append(exits.failures, fmt.Sprintf("%s: %d of %d instances stopped", name, len(m.exits), m.setup.instances))
		}
		if m.logs.errors > 0 {
			logs.failures = append(logs.failures, fmt.Sprintf("%s: %d", name, m.logs.errors))
		}
	}
	return []check{served, stored, polls, exits, logs}
}

// ok reports whether every check passed.
func (r *report) ok() bool {
	for _, c := range r.checks() {
		if len(c.failures) > 0 {
			return false
		}
	}
	return len(r.ms) > 0
}

// pollsText shows the polls of each instance, "512 / 488", with any
// status but ok named.
func pollsText(polls []map[string]int64) string {
	var parts []string
	for _, p := range polls {
		s := strconv.FormatInt(p["ok"], 10)
		for _, status := range slices.Sorted(maps.Keys(p)) {
			if status != "ok" && p[status] > 0 {
				s += fmt.Sprintf(" (+%d %s)", p[status], status)
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " / ")
}

func (r *report) write(w io.Writer) {
	o := r.o
	total := o.feeds * o.items
	host := r.host
	if host == "" {
		host = hostinfo.Machine()
	}
	counts := make([]string, len(o.instances))
	for i, k := range o.instances {
		counts[i] = strconv.Itoa(k)
	}
	fmt.Fprintf(w, "## Scale-out: %s feeds × %d items on one PostgreSQL, %s instances, %d runs\n\n",
		hostinfo.Thousands(o.feeds), o.items, strings.Join(counts, ", "), o.runs)
	fmt.Fprintf(w, "    go run ./bench/scaleout -feeds %d -items %d -instances %s -concurrency %d -runs %d\n\n",
		o.feeds, o.items, strings.Join(counts, ","), o.concurrency, o.runs)
	fmt.Fprintf(w, "Machine: %s.\n\n", host)
	fmt.Fprintf(w, "Wall time: from starting the instances (processes of `frontierwatch run`, %d poll workers each, "+
		"every source due at start) until every source has a last poll and all %s articles are in the archive; "+
		"migration ran before, once. Medians over the runs; CPU is user + system over that time.\n\n", o.concurrency, hostinfo.Thousands(total))

	one := setup{kind: kindPostgres, instances: 1}
	oneWall, haveOne := r.median(one, wallOf)
	baseWall, haveBase := r.median(setup{kind: kindBaseline}, wallOf)
	fmt.Fprintln(w, "| setup | wall (median) | min | articles/s | vs 1 instance | vs baseline | CPU: instances | CPU: PostgreSQL backends | cores busy | polls per instance |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, s := range o.setups() {
		ms := r.of(s)
		if len(ms) == 0 {
			continue
		}
		wall, _ := r.median(s, wallOf)
		cpu, _ := r.median(s, cpuOf)
		pgCPU, havePG := r.median(s, pgCPUOf)
		minWall := slices.MinFunc(ms, func(a, b measurement) int { return int(a.wall - b.wall) }).wall
		label, speedup, vsBase, instCPU, pg, busy, polls := "", "", "", secs(cpu), "—", "", ""
		switch s.kind {
		case kindBaseline:
			label = fmt.Sprintf("baseline: gofeed `ParseURL`, concurrency %d, no storage", o.concurrency)
			instCPU = secs(cpu) + " (the parser)"
		case kindSQLite:
			label = "SQLite, 1 instance (reference)"
		case kindPostgres:
			label = fmt.Sprintf("PostgreSQL, %d instance%s", s.instances, plural(s.instances))
			if haveOne {
				speedup = fmt.Sprintf("%.2f×", ratio(oneWall, wall))
			}
		}
		if haveBase && s.kind != kindBaseline {
			vsBase = fmt.Sprintf("%.1f×", ratio(wall, baseWall))
		}
		if s.kind != kindBaseline {
			busyCPU := cpu
			if havePG {
				pg, busyCPU = secs(pgCPU), cpu+pgCPU
			}
			busy = fmt.Sprintf("%.2f", ratio(busyCPU, wall))
			var ps []string
			for _, m := range ms {
				ps = append(ps, pollsText(m.polls))
			}
			polls = strings.Join(ps, "; ")
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			label, secs(wall), secs(minWall), rate(total, wall), speedup, vsBase, instCPU, pg, busy, polls)
	}

	fmt.Fprintln(w, "\nRun by run (ready: when the last instance served HTTP; first poll: when the first source's poll was stored; "+
		"half: when half the sources had been polled; all after the start):")
	fmt.Fprintln(w, "\n| run | setup | wall | migrate | ready | first poll | half | CPU per instance | CPU: PostgreSQL | PostgreSQL commits | poll jobs (sources with more than one) | polls per instance | log warnings / errors (after SIGTERM) |")
	fmt.Fprintln(w, "|--:|---|--:|--:|--:|--:|--:|---|--:|--:|--:|---|--:|")
	for _, m := range r.ms {
		if m.setup.kind == kindBaseline {
			fmt.Fprintf(w, "| %d | %s | %s | | | | | %s | | | | | |\n", m.run, m.setup, secs(m.wall), secs(m.cpu))
			continue
		}
		var cpus []string
		for _, c := range m.instCPU {
			cpus = append(cpus, secs(c))
		}
		var ready time.Duration
		for _, d := range m.ready {
			ready = max(ready, d)
		}
		pg, commits, jobs := "—", "—", "—"
		if m.pollJobs >= 0 {
			jobs = fmt.Sprintf("%s (%d)", hostinfo.Thousands(m.pollJobs), m.dupSources)
		}
		if m.pgCPU >= 0 {
			pg = secs(m.pgCPU)
		}
		if m.pgCommits >= 0 {
			commits = hostinfo.Thousands(m.pgCommits)
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d / %d (%d / %d) |\n", m.run, m.setup, secs(m.wall),
			secs(m.migrate), secs(ready), secs(m.firstPoll), secs(m.halfPolled), strings.Join(cpus, " / "), pg, commits, jobs,
			pollsText(m.polls), m.logs.warnings, m.logs.errors, m.stopping.warnings, m.stopping.errors)
	}

	fmt.Fprintln(w, "\nChecks:")
	fmt.Fprintln(w)
	for _, c := range r.checks() {
		fmt.Fprintf(w, "- %s %s\n", mark(len(c.failures) == 0), c.what)
		for _, f := range c.failures {
			fmt.Fprintf(w, "  - %s\n", f)
		}
	}
	var again []string
	for _, m := range r.ms {
		for _, l := range m.refetched {
			again = append(again, fmt.Sprintf("run %d, %s: %s", m.run, m.setup, l))
		}
		if m.refetchedCount > len(m.refetched) {
			again = append(again, fmt.Sprintf("run %d, %s: and %d more", m.run, m.setup, m.refetchedCount-len(m.refetched)))
		}
	}
	if len(again) > 0 {
		fmt.Fprintln(w, "\nFeeds requested more than once (times UTC):")
		fmt.Fprintln(w)
		for _, l := range again {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	var jobs []string
	for _, m := range r.ms {
		for _, l := range m.jobLines {
			jobs = append(jobs, fmt.Sprintf("run %d, %s: %s", m.run, m.setup, l))
		}
	}
	if len(jobs) > 0 {
		fmt.Fprintln(w, "\nSources with more than one poll job (River's river_job; the first few per measurement, times UTC): "+
			"a second job is harmless when its worker finds the source polled since and skips it, a double poll when the feed server saw a second request.")
		fmt.Fprintln(w)
		for _, l := range jobs {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	var lines []string
	for _, m := range r.ms {
		for _, l := range m.logLines {
			lines = append(lines, fmt.Sprintf("run %d, %s: %s", m.run, m.setup, l))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintln(w, "\nWarnings and errors logged by the instances (the first few):")
		fmt.Fprintln(w)
		for _, l := range lines {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	fmt.Fprintf(w, "\nWhat limits it: the machine has %d CPUs, and the instances, PostgreSQL, the feed server and this harness share them "+
		"(with whatever else runs: see the load average). \"Cores busy\" is (CPU of the instances + CPU of the PostgreSQL backends serving the "+
		"benchmark's database) / wall time; PostgreSQL's WAL writer, checkpointer and the feed server are not in it. Close to %d, the CPUs "+
		"are the limit and more instances cannot help on this machine; well below it while the load average is high, the benchmark "+
		"got only that share of the CPUs, and more instances (more runnable threads) also win a larger share from the other work. "+
		"-items defaults to 10 because PostgreSQL's write path is slow (about 1,000 articles/s in the archive's CommitPoll benchmark, "+
		"and more CPU in PostgreSQL than in frontierwatch here), so that a whole run takes about two minutes on an idle machine.\n", runtime.NumCPU(), runtime.NumCPU())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// secs formats d in seconds with three significant digits or so.
func secs(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 0.1:
		return fmt.Sprintf("%.2f s", s)
	default:
		return fmt.Sprintf("%.1f ms", s*1000)
	}
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return hostinfo.Thousands(int64(float64(n) / d.Seconds()))
}
