package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/hostinfo"
)

// Targets of the benchmark (the issue's).
const (
	targetFirstRatio  = 1.5   // first cycle at most 1.5× the baseline
	targetSteadyRatio = 0.10  // steady cycle at most 10% of the first
	targetPeakMB      = 200.0 // peak RSS of the frontierwatch process
)

// report is the result of a whole benchmark, ready to print.
type report struct {
	o     options
	runs  []runResult
	parts []part
	host  string
}

func newReport(o options, runs []runResult, parts []part, host string) *report {
	return &report{o: o, runs: runs, parts: parts, host: host}
}

// stat is the median and the minimum of some durations.
type stat struct{ med, min time.Duration }

func statOf(ds []time.Duration) stat {
	if len(ds) == 0 {
		return stat{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med: med, min: s[0]}
}

func (r *report) collect(f func(runResult) time.Duration) stat {
	var ds []time.Duration
	for _, x := range r.runs {
		ds = append(ds, f(x))
	}
	return statOf(ds)
}

func (r *report) peak(f func(runResult) int64) float64 {
	var kb int64
	for _, x := range r.runs {
		kb = max(kb, f(x))
	}
	return float64(kb) * 1024 / 1e6
}

func (r *report) baseline() stat {
	return r.collect(func(x runResult) time.Duration { return x.baseline.Cycle })
}
func (r *report) first() stat {
	return r.collect(func(x runResult) time.Duration { return x.fw.Cycle })
}
func (r *report) steady() stat {
	return r.collect(func(x runResult) time.Duration { return x.fw.Steady })
}

// ratios are the targets' quantities, from the medians.
func (r *report) ratios() (firstVsBaseline, steadyVsFirst, fwPeakMB float64) {
	b, f, s := r.baseline(), r.first(), r.steady()
	return ratio(f.med, b.med), ratio(s.med, f.med), r.peak(func(x runResult) int64 { return x.fw.Peak })
}

// met reports whether every target was met.
func (r *report) met() bool {
	fb, sf, mb := r.ratios()
	return fb <= targetFirstRatio && sf <= targetSteadyRatio && mb < targetPeakMB
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (r *report) write(w io.Writer) {
	o := r.o
	total := o.feeds * o.items
	b, f, s := r.baseline(), r.first(), r.steady()
	cpu := func(g func(runResult) time.Duration) string { return secs(r.collect(g).med) }
	fb, sf, fwMB := r.ratios()

	fmt.Fprintf(w, "## Poll cycle: %d feeds × %d items, concurrency %d, %d runs\n\n", o.feeds, o.items, o.concurrency, len(r.runs))
	fmt.Fprintf(w, "    go run ./bench/pollcycle -feeds %d -items %d -concurrency %d -runs %d\n\n", o.feeds, o.items, o.concurrency, o.runs)
	fmt.Fprintf(w, "Machine: %s.\n\n", r.host)
	fmt.Fprintln(w, "| cycle | median | min | CPU (median) | articles/s | peak RSS | vs | target |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|---|")
	fmt.Fprintf(w, "| baseline: gofeed `ParseURL`, no storage | %s | %s | %s | %s | %.0f MB | 1.00× | |\n",
		secs(b.med), secs(b.min), cpu(func(x runResult) time.Duration { return x.baseline.CycleCPU }),
		rate(total, b.med), r.peak(func(x runResult) int64 { return x.baseline.Peak }))
	fmt.Fprintf(w, "| frontierwatch first cycle (stores %s articles) | %s | %s | %s | %s | %.0f MB | %.2f× baseline | ≤ %.1f× %s |\n",
		hostinfo.Thousands(total), secs(f.med), secs(f.min), cpu(func(x runResult) time.Duration { return x.fw.CycleCPU }),
		rate(total, f.med), r.peak(func(x runResult) int64 { return x.fw.HWMCycle }), fb, targetFirstRatio, mark(fb <= targetFirstRatio))
	fmt.Fprintf(w, "| frontierwatch steady cycle (every feed 304) | %s | %s | %s | | %.0f MB | %.1f%% of first | ≤ %.0f%% %s |\n",
		secs(s.med), secs(s.min), cpu(func(x runResult) time.Duration { return x.fw.SteadyCPU }),
		fwMB, 100*sf, 100*targetSteadyRatio, mark(sf <= targetSteadyRatio))
	fmt.Fprintf(w, "\nPeak RSS of the frontierwatch process (setup, first and steady cycle): %.0f MB; target < %.0f MB %s. "+
		"Each side runs in its own child process of the same binary; the feed server runs in the parent. "+
		"Before any work, after package initialisation, a child's peak RSS is already %.0f MB: "+
		"that is the binary's fixed cost, in the baseline's figure too.\n\n",
		fwMB, targetPeakMB, mark(fwMB < targetPeakMB), r.peak(func(x runResult) int64 { return x.baseline.HWMStart }))

	bc := r.collect(func(x runResult) time.Duration { return x.baseline.CycleCPU })
	fc := r.collect(func(x runResult) time.Duration { return x.fw.CycleCPU })
	fmt.Fprintf(w, "CPU time (user + system, median): the first cycle takes %.2f× the baseline's; "+
		"CPU time is less disturbed than wall time by other load on the machine.\n\n", ratio(fc.med, bc.med))
	fs := r.runs[0].fw.First
	fmt.Fprintf(w, "The first cycle's analysis (run 1): %s headline figures, %s milestones, %s articles joined an existing story, %s matched no topic (kept).\n\n",
		hostinfo.Thousands(fs.Figures), hostinfo.Thousands(fs.Milestones), hostinfo.Thousands(fs.Duplicates), hostinfo.Thousands(fs.Unmatched))
	ww := r.collect(func(x runResult) time.Duration { return x.fw.WriterWait })
	fmt.Fprintf(w, "Waiting for the archive's single writer connection during the first cycle (median, summed over the %d workers): %s, "+
		"%.0f%% of the workers' time.\n\n", o.concurrency, secs(ww.med), 100*ratio(ww.med, time.Duration(o.concurrency)*f.med))
	fmt.Fprintln(w, "| run | order | baseline | first | steady | first / baseline | steady / first | frontierwatch setup |")
	fmt.Fprintln(w, "|--:|---|--:|--:|--:|--:|--:|--:|")
	for i, x := range r.runs {
		order := "baseline, frontierwatch"
		if x.fwFirst {
			order = "frontierwatch, baseline"
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %.2f× | %.1f%% | %s |\n", i+1, order,
			secs(x.baseline.Cycle), secs(x.fw.Cycle), secs(x.fw.Steady),
			ratio(x.fw.Cycle, x.baseline.Cycle), 100*ratio(x.fw.Steady, x.fw.Cycle), secs(x.fw.Setup))
	}
	if len(r.parts) > 0 {
		fmt.Fprintln(w, "\nBreakdown: the parts of a cycle run one after the other over every feed (same concurrency, same packages):")
		fmt.Fprintln(w, "\n| part | wall | CPU |")
		fmt.Fprintln(w, "|---|--:|--:|")
		for _, p := range r.parts {
			fmt.Fprintf(w, "| %s | %s | %s |\n", p.Name, secs(p.Wall), secs(p.CPU))
		}
	}
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
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
	return hostinfo.Thousands(int(float64(n) / d.Seconds()))
}
