package hostile

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// minBehaviours is how many distinct hostile behaviours the suite must have.
const minBehaviours = 100

// only narrows the cycle to some behaviours (and the good sources), to
// look at them alone: go test ./hostile -run TestHostile -args -only=robots
var only = flag.String("only", "", "poll only the behaviours whose names match this regexp, beside the good sources")

// allBehaviours is the table: every family, then the good sources polled in
// the same cycle.
func allBehaviours() []*behaviour {
	var all []*behaviour
	all = append(all, feedBehaviours()...)
	all = append(all, pageBehaviours()...)
	all = append(all, siteBehaviours()...)
	all = append(all, goodBehaviours()...)
	return all
}

// TestHostile polls every hostile behaviour beside good sources in one
// cycle of a daemon, as `frontierwatch poll` does: each hostile source ends
// within its bound as an error recorded on it (or, for legitimately usable
// answers, as correctly stored articles), the heap stays under its cap, and
// every good source's articles are archived. A second cycle then finds the
// failed sources backing off without asking their servers again.
func TestHostile(t *testing.T) {
	all := allBehaviours()
	if *only != "" {
		re := regexp.MustCompile(*only)
		all = slices.DeleteFunc(all, func(b *behaviour) bool { return b.family != "good" && !re.MatchString(b.name) })
	}
	hostile := 0
	names := map[string]bool{}
	families := map[string]int{}
	for _, b := range all {
		if names[b.name] {
			t.Fatalf("behaviour %q twice", b.name)
		}
		names[b.name] = true
		if b.family != "good" {
			hostile++
			families[b.family]++
		}
	}
	if hostile < minBehaviours && *only == "" {
		t.Fatalf("%d hostile behaviours, want at least %d", hostile, minBehaviours)
	}
	t.Logf("%d hostile behaviours in %d families %v, %d good sources", hostile, len(families), families, len(all)-hostile)

	q := newQuitter(t)
	// The bombs are built before any server is asked for them.
	gzipBomb()
	nestedGzipBomb()
	deflateBomb()
	var yaml strings.Builder
	benches := map[string]*bench{}
	for _, b := range all {
		bn := &bench{t: t, q: q}
		url := b.setup(bn)
		if b.kind == pageKind {
			base, name := url, b.name
			bn.feed = newServer(t, q, false)
			bn.feed.handle("/feed", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write(pageFeed(name, base))
			})
			url = bn.feed.URL + "/feed"
		}
		benches[b.name] = bn
		yaml.WriteString(sourceYAML(b.name, b.kind, url))
	}
	cfg := suiteConfig(t, yaml.String())
	ctx := context.Background()
	d, err := daemon.New(ctx, cfg, daemon.OneShot())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	st := d.Store()
	srcs, err := d.Sources(ctx)
	if err != nil || len(srcs) != len(all) {
		t.Fatalf("%d sources, %v; want %d", len(srcs), err, len(all))
	}
	srcs = cycleOrder(srcs, all)

	var maxBound time.Duration
	for _, b := range all {
		maxBound = max(maxBound, b.bound())
	}
	// A safety net only: every poll is checked against its own bound. When
	// it is reached the servers hang up, so that a poll that would wait
	// forever ends and fails its bound instead of the whole test hanging.
	safety := 2*maxBound + time.Minute
	cycleCtx, cancel := context.WithTimeout(ctx, safety+30*time.Second)
	defer cancel()
	watchdog := time.AfterFunc(safety, q.close)
	defer watchdog.Stop()
	outcomes := map[string]*outcome{}
	ends := map[string]time.Time{}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	heap := sampleHeap(20 * time.Millisecond)
	start := time.Now()
	sum, err := d.PollAll(cycleCtx, srcs, true, func(r daemon.Report) {
		outcomes[r.Source] = &outcome{report: r, reported: true}
		ends[r.Source] = time.Now()
	})
	elapsed := time.Since(start)
	peak, peakAt := heap.end()
	t.Logf("cycle of %d sources: %v, %+v; heap in use %s before, %s at its peak", len(srcs), elapsed.Round(time.Millisecond), sum, mibs(base), mibs(peak))
	if err != nil {
		t.Errorf("cycle: %v", err)
	}
	var slowest []daemon.Report
	for _, o := range outcomes {
		slowest = append(slowest, o.report)
	}
	slices.SortFunc(slowest, func(a, b daemon.Report) int { return int(b.Duration - a.Duration) })
	var line strings.Builder
	for _, r := range slowest[:min(12, len(slowest))] {
		fmt.Fprintf(&line, " %s %v", r.Source, r.Duration.Round(100*time.Millisecond))
	}
	t.Logf("slowest polls:%s", line.String())
	if peak > base+heapCap {
		var during []string
		for name, end := range ends {
			if o := outcomes[name]; !peakAt.Before(end.Add(-o.report.Duration)) && !peakAt.After(end) {
				during = append(during, name)
			}
		}
		slices.Sort(during)
		t.Errorf("heap in use peaked at %s, %s over the %s before the cycle (cap %s), while polling %v",
			mibs(peak), mibs(peak-base), mibs(base), mibs(heapCap), during)
	}

	for _, b := range all {
		o := outcomes[b.name]
		if o == nil {
			o = &outcome{}
		}
		o.b, o.bench, o.store, o.d = b, benches[b.name], st, d
		if o.src, err = st.Source(ctx, b.name); err != nil {
			t.Fatal(err)
		}
		o.articles = storedArticles(ctx, t, st, b.name)
		outcomes[b.name] = o
		t.Run(b.family+"/"+b.name, func(t *testing.T) { checkOutcome(t, o) })
	}

	// The second cycle, as the scheduler would run it: the failed sources
	// are backing off and their servers hear nothing.
	t.Run("backoff", func(t *testing.T) {
		hitsBefore := map[string]int64{}
		for _, b := range all {
			hitsBefore[b.name] = benches[b.name].hits()
		}
		srcs, err := d.Sources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var failed []frontierwatch.Source
		for _, s := range srcs {
			if s.State.Failures > 0 {
				failed = append(failed, s)
			}
		}
		again := map[string]daemon.Report{}
		if _, err := d.PollAll(ctx, failed, false, func(r daemon.Report) { again[r.Source] = r }); err != nil {
			t.Fatal(err)
		}
		for _, s := range failed {
			if r := again[s.Name]; r.Status != daemon.StatusBackingOff {
				t.Errorf("%s: second cycle status %s, want %s", s.Name, r.Status, daemon.StatusBackingOff)
			}
			if n := benches[s.Name].hits(); n != hitsBefore[s.Name] {
				t.Errorf("%s: its server was asked %d more times while the source backs off", s.Name, n-hitsBefore[s.Name])
			}
		}
	})
}

// checkOutcome asserts what one behaviour must end as.
func checkOutcome(t *testing.T, o *outcome) {
	b, w, r := o.b, o.b.want, o.report
	if !o.reported {
		t.Fatalf("no report: the poll did not end within the cycle")
	}
	if r.Duration > b.bound() {
		t.Errorf("poll took %v, over its bound %v", r.Duration.Round(time.Millisecond), b.bound())
	}
	status := w.status
	if status == "" {
		status = daemon.StatusError
		if w.ok {
			status = daemon.StatusOK
		}
	}
	if r.Status != status {
		t.Errorf("status %s (error %v, recorded %q), want %s", r.Status, r.Err, o.src.State.LastError, status)
	}
	st := o.src.State
	switch status {
	case daemon.StatusError:
		if st.LastError == "" || st.Failures != 1 || st.LastErrorAt.IsZero() {
			t.Errorf("failure not recorded: %+v", st)
		}
		if !st.NextAttemptAt.After(st.LastErrorAt) {
			t.Errorf("no backoff recorded: next attempt %v, error at %v", st.NextAttemptAt, st.LastErrorAt)
		}
		if w.msg != "" && !slices.ContainsFunc(strings.Split(w.msg, " | "), func(m string) bool {
			return strings.Contains(strings.ToLower(st.LastError), strings.ToLower(m))
		}) {
			t.Errorf("recorded error %q, want it to say %q", st.LastError, w.msg)
		}
		if w.err != nil && !errors.Is(r.Err, w.err) {
			t.Errorf("error %v, want one that is %v", r.Err, w.err)
		}
		if len(o.articles) != 0 {
			t.Errorf("%d articles stored from a failed poll", len(o.articles))
		}
	case daemon.StatusOK:
		if st.LastError != "" || st.Failures != 0 {
			t.Errorf("a usable answer recorded a failure: %+v", st)
		}
		if r.New != w.items || len(o.articles) != w.items {
			t.Errorf("%d new, %d stored; want %d", r.New, len(o.articles), w.items)
		}
	}
	for _, a := range o.articles {
		for field, v := range map[string]string{"title": a.Title, "text": a.Text, "url": a.URL} {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				t.Errorf("article %s: %s is not clean UTF-8: %q", a.URL, field, clip(v))
			}
			if m := mojibake(v); m != "" {
				t.Errorf("article %s: %s has mojibake %q: %q", a.URL, field, m, clip(v))
			}
		}
	}
	if b.kind == pageKind && w.check == nil {
		keepsFeedText(t, o)
	}
	if w.check != nil {
		w.check(t, o)
	}
}

// mojibake returns a sequence typical of UTF-8 decoded as Latin-1 or
// windows-1252 ("é" as "Ã©", "“" as "â€œ", a no-break space as "Â "), or
// "". None of the suite's texts has these characters.
func mojibake(s string) string {
	for _, m := range []string{"Ã", "Â", "â€"} {
		if strings.Contains(s, m) {
			return m
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// pageItems is how many items the good feed of a pageKind behaviour has.
const pageItems = 2

// pageFeed is the good feed of a pageKind behaviour: items whose links are
// base/1, base/2… and whose summaries name the behaviour.
func pageFeed(name, base string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s/</link>`, name, base)
	for i := 1; i <= pageItems; i++ {
		fmt.Fprintf(&b, `<item><title>%s item %d</title><link>%s/%d</link><description>Summary %d of %s.</description></item>`,
			name, i, base, i, i, name)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// keepsFeedText: the feed's items are all stored with their feed text,
// since the pages gave nothing usable.
func keepsFeedText(t *testing.T, o *outcome) {
	t.Helper()
	for i := 1; i <= pageItems; i++ {
		want := fmt.Sprintf("Summary %d of %s.", i, o.b.name)
		if !slices.ContainsFunc(o.articles, func(a frontierwatch.Article) bool { return strings.Contains(a.Text, want) }) {
			t.Errorf("no stored article has the feed text %q", want)
		}
	}
}

// hits is how many requests the behaviour's servers have had.
func (b *bench) hits() int64 {
	var n int64
	for _, s := range []*server{b.srv, b.feed} {
		if s != nil {
			n += s.total.Load()
		}
	}
	if b.raw != nil {
		n += b.raw.conns.Load()
	}
	return n
}

// cycleOrder orders the sources for the cycle: the ones that wait out
// timeouts start early, so that the cycle does not wait on them at its end,
// but one for every two others, so that they do not fill all the slots
// while the processor idles.
func cycleOrder(srcs []frontierwatch.Source, all []*behaviour) []frontierwatch.Source {
	waits := map[string]int{}
	for _, b := range all {
		waits[b.name] = b.waits
	}
	var slow, fast []frontierwatch.Source
	for _, s := range srcs {
		if waits[s.Name] > 0 {
			slow = append(slow, s)
		} else {
			fast = append(fast, s)
		}
	}
	slices.SortStableFunc(slow, func(a, b frontierwatch.Source) int { return waits[b.Name] - waits[a.Name] })
	out := make([]frontierwatch.Source, 0, len(srcs))
	for len(slow) > 0 || len(fast) > 0 {
		if len(slow) > 0 {
			out, slow = append(out, slow[0]), slow[1:]
		}
		n := min(2, len(fast))
		out, fast = append(out, fast[:n]...), fast[n:]
	}
	return out
}
