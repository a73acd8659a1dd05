package crashtest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/figures"
)

// drainWait bounds how long the last run may take to archive everything
// and deliver every alert. A delivery or feed poll a kill interrupted
// stays "running" in the job queue until River's rescuer retries it: a
// minute after it started, once its own timeout has passed, and only on
// the elected leader, which a restarted daemon becomes 10–20 s after its
// killed predecessor. So this is minutes, not seconds.
const drainWait = 4 * time.Minute

// siteDrainWait replaces drainWait when a kill interrupted a crawl of the
// site source: its job has a ten-minute budget (daemon.siteCrawlBudget),
// and River's rescuer retries it only once that has passed. The harness
// holds kills back while a crawl runs (see crashRun); this is for the
// rare crawl that starts between that check and the kill.
const siteDrainWait = 13 * time.Minute

// TestCrashSafety kills the daemon with SIGKILL at random moments during
// ingest and delivery, restarts it, and checks that nothing committed was
// lost or duplicated, every milestone was delivered once (retries carry
// the same idempotency key), and the database is intact. See the package
// comment for the world it watches and the environment variables.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon as a process for a few minutes; skipped with -short")
	}
	trials := envInt(t, "FRONTIERWATCH_TEST_CRASH_TRIALS", 20)
	seed := rand.Uint64()
	if v := os.Getenv("FRONTIERWATCH_TEST_CRASH_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("FRONTIERWATCH_TEST_CRASH_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d (replay with FRONTIERWATCH_TEST_CRASH_SEED=%d), %d trials", seed, seed, trials)
	start := time.Now()

	c := newContent()
	checkContent(t, c)
	dir := t.TempDir()
	bin := filepath.Join(dir, "frontierwatch")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/frontierwatch").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Logf("built the daemon in %v", time.Since(start).Round(time.Millisecond))

	// The reference: the same world without kills, run alongside.
	refDone := make(chan runResult, 1)
	go func() { refDone <- referenceRun(bin, filepath.Join(dir, "reference"), c, seed) }()

	crash := crashRun(t, bin, filepath.Join(dir, "crash"), c, seed, trials)
	ref := <-refDone
	if ref.err != nil {
		t.Errorf("reference run: %v\n%s", ref.err, ref.logTail)
	}
	if crash.err != nil {
		t.Errorf("crash run: %v\n%s", crash.err, crash.logTail)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("reference run: %d articles, %d milestones in %v", len(ref.snap.articles), len(ref.snap.milestones), ref.took.Round(time.Millisecond))
	checkReference(t, c, ref)
	checkRun(t, "crash run", crash)
	compareRuns(t, ref, crash)
	if t.Failed() {
		t.Logf("crash run log (end):\n%s", crash.logTail)
	}
	t.Logf("wall time %v", time.Since(start).Round(time.Millisecond))
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// checkContent checks that the world states the figures it is designed to
// and no others, so that the milestones the checks expect are the ones
// the news makes.
func checkContent(t *testing.T, c *content) {
	t.Helper()
	ex := figures.New()
	check := func(id, text string, pub time.Time, want []figure) {
		var got []figure
		for _, f := range ex.Extract(text, pub) {
			v := 0.0
			if f.Value != nil {
				v = *f.Value
			}
			got = append(got, figure{f.Metric, v})
		}
		if !slices.Equal(got, want) {
			t.Fatalf("world: %s states %v, designed to state %v:\n%s", id, got, want, text)
		}
	}
	for _, it := range c.items {
		text := htmlText(it.Summary)
		if it.Page != "" {
			text = htmlText(it.Page)
		}
		check(it.ID, text, it.Pub, it.Figures)
	}
	for _, p := range c.posts {
		check(p.ID, htmlText(p.HTML), p.Pub, p.Figures)
	}
}

// htmlText is the paragraphs of an HTML snippet as text, roughly.
func htmlText(h string) string {
	var b strings.Builder
	for _, part := range strings.Split(h, "<p>")[1:] {
		p, _, _ := strings.Cut(part, "</p>")
		b.WriteString(strings.NewReplacer("&#39;", "'", "&amp;", "&", "&#34;", `"`).Replace(p) + "\n")
	}
	return b.String()
}

// runResult is one run of the world: what the archive and the receiver
// hold at the end.
type runResult struct {
	err     error
	snap    *snapshot
	rcv     receiverStats
	want    map[string]string // canonical URL → item or post ID
	took    time.Duration
	logTail string
	log     string // the daemon's log file
}

// referenceRun runs the world once without kills: items appear a step at
// a time while the daemon polls, then it drains and stops.
func referenceRun(bin, dir string, c *content, seed uint64) (res runResult) {
	start := time.Now()
	defer func() { res.took = time.Since(start) }()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return runResult{err: err}
	}
	w := newWorld(c, seed^0x5eed)
	defer w.Close()
	rcv := newReceiver(hookSecret, seed^0x5eed)
	defer rcv.Close()
	in, err := newInstance(bin, dir, w, rcv)
	if err != nil {
		return runResult{err: err}
	}
	res.log = in.log
	defer func() { res.logTail = in.logTail(60) }()
	p, err := in.start("reference")
	if err != nil {
		return runResult{err: err}
	}
	for s := 1; s <= steps; s++ {
		w.publish(s)
		time.Sleep(250 * time.Millisecond)
	}
	return finish(p, in, w, rcv, res, drainWait)
}

// finish waits (up to wait) until p has archived everything w published
// and delivered every alert, stops it with SIGTERM, and reads the archive.
func finish(p *proc, in *instance, w *world, rcv *receiver, res runResult, wait time.Duration) runResult {
	want, err := w.expected()
	if err != nil {
		p.kill()
		res.err = err
		return res
	}
	res.want = want
	db, err := openArchive(in.db)
	if err != nil {
		p.kill()
		res.err = err
		return res
	}
	defer db.Close()
	var pr progress
	deadline := time.Now().Add(wait)
	for {
		if exited, err := p.exited(); exited {
			res.err = fmt.Errorf("the daemon exited by itself: %v", err)
			return res
		}
		pr, err = readProgress(db, want, rcv)
		if err == nil && pr.done() {
			break
		}
		if problems := rcv.stats().problems; len(problems) > 0 {
			p.kill()
			res.err = fmt.Errorf("the webhook received bad alerts: %v", problems)
			return res
		}
		if time.Now().After(deadline) {
			p.kill()
			snap, _ := readSnapshot(db)
			jobs := ""
			if snap != nil {
				jobs = fmt.Sprint(snap.jobs)
			}
			res.err = fmt.Errorf("not done %v after the last start: %v (%v); River jobs %s; running:%s", wait, pr, err, jobs, runningJobs(db))
			return res
		}
		time.Sleep(300 * time.Millisecond)
	}
	if err := p.stop(time.Minute); err != nil {
		res.err = err
		return res
	}
	if res.snap, err = readSnapshot(db); err != nil {
		res.err = fmt.Errorf("read the archive: %w", err)
		return res
	}
	res.rcv = rcv.stats()
	return res
}

// crashRun is the trials: publish, start, kill, restart; then a last run
// that drains.
func crashRun(t *testing.T, bin, dir string, c *content, seed uint64, trials int) (res runResult) {
	start := time.Now()
	defer func() { res.took = time.Since(start) }()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return runResult{err: err}
	}
	r := rand.New(rand.NewPCG(seed, 0))
	w := newWorld(c, seed)
	defer w.Close()
	rcv := newReceiver(hookSecret, seed)
	defer rcv.Close()
	in, err := newInstance(bin, dir, w, rcv)
	if err != nil {
		return runResult{err: err}
	}
	res.log = in.log
	defer func() { res.logTail = in.logTail(80) }()

	landed := map[string]int{}
	var modes []string
	var db *sql.DB // the archive, read-only, once it exists
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	held, siteKilled := 0, 0
	for i := range trials {
		// The last steps are left for the final run.
		w.publish((i + 1) * (steps - 2) / trials)
		mode := killModes[i%len(killModes)]
		if i == 0 {
			mode = "start" // the first start: the migrations, the first polls
		}
		wait := 200*time.Millisecond + time.Duration(r.Int64N(int64(2800*time.Millisecond)))
		jitter := time.Duration(r.Int64N(int64(50 * time.Millisecond)))
		if mode == "delivery" {
			rcv.setHold(true)
		}
		label := fmt.Sprintf("trial %d: kill %s", i+1, modeAs[mode])
		if mode == "random" || mode == "start" {
			label += fmt.Sprintf(" (%v)", wait.Round(time.Millisecond))
		}
		fetches0, hooks0 := w.requests.Load(), rcv.total()
		p, err := in.start(label)
		if err != nil {
			return runResult{err: err}
		}
		// The wait counts from when the daemon serves, except on the first
		// start, where a kill may land during the migrations.
		if mode != "start" && !p.waitServing(30*time.Second) {
			p.kill()
			return runResult{err: fmt.Errorf("trial %d: the daemon did not start serving", i+1), logTail: in.logTail(80)}
		}
		// Wait for the moment (at most 4 s: a restart may find no work).
		deadline := time.Now().Add(4 * time.Second)
		until := func(cond func() bool) {
			for !cond() && time.Now().Before(deadline) {
				time.Sleep(2 * time.Millisecond)
			}
		}
		if db == nil {
			db, _ = openArchive(in.db)
		}
		switch mode {
		case "delivery":
			until(rcv.busy)
		case "fetch":
			// A feed's fetch, not the site's (see below).
			until(func() bool { return w.feeds.Load() > 0 && (db == nil || !siteCrawling(db)) })
		case "storing":
			served := w.served.Load()
			until(func() bool { return w.served.Load() > served })
		default:
			time.Sleep(wait)
		}
		time.Sleep(jitter)
		// A crawl of the site source that a kill interrupts blocks the
		// site for ten minutes (see siteDrainWait): hold the kill back
		// until the crawl is over.
		if db != nil && siteCrawling(db) {
			held++
			for deadline := time.Now().Add(10 * time.Second); siteCrawling(db) && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
		}
		where := "other"
		switch {
		case rcv.busy():
			where = "delivery"
		case w.inFlight.Load() > 0:
			where = "fetch"
		case w.fetchRecently(300 * time.Millisecond):
			where = "storing"
		}
		if exited, err := p.exited(); exited {
			return runResult{err: fmt.Errorf("trial %d: the daemon exited by itself: %v", i+1, err), logTail: in.logTail(80)}
		}
		p.kill()
		rcv.setHold(false)
		if db != nil && siteCrawling(db) {
			siteKilled++
		}
		landed[where]++
		modes = append(modes, fmt.Sprintf("%d:%s→%s(%d/%d)", i+1, mode, where, w.requests.Load()-fetches0, rcv.total()-hooks0))
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range landed {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		t.Logf("kills %s: %d", landedAs[k], landed[k])
	}
	t.Logf("kills by trial, aimed→landed (requests to the world/webhook during the trial): %s", strings.Join(modes, " "))
	t.Logf("%d trials took %v; %d kills held back while the site was crawled, %d crawls killed all the same", trials, time.Since(start).Round(time.Millisecond), held, siteKilled)

	w.publish(steps)
	last := time.Now()
	p, err := in.start("last run: drain, then SIGTERM")
	if err != nil {
		return runResult{err: err}
	}
	wait := drainWait
	if siteKilled > 0 {
		wait = siteDrainWait
	}
	res = finish(p, in, w, rcv, res, wait)
	t.Logf("last run drained and stopped in %v", time.Since(last).Round(time.Millisecond))
	return res
}

// killModes is the moment each trial aims its kill at, in turn: a random
// moment 0.2–3 s after the daemon serves, a feed or page request in
// flight, a webhook request in flight (the receiver holds it), and just
// after a feed or page answered (the poll is being parsed, analysed and
// stored). The first trial kills at a random moment of the first start.
var killModes = []string{"random", "fetch", "delivery", "storing"}

var modeAs = map[string]string{
	"start":    "at a random moment of the first start",
	"random":   "at a random moment",
	"fetch":    "during a fetch",
	"delivery": "during a delivery",
	"storing":  "just after a fetch",
}

// landedAs says where a kill landed: what was in flight when SIGKILL was
// sent (the receiver and the world's servers know).
var landedAs = map[string]string{
	"delivery": "during a delivery (a webhook request in flight)",
	"fetch":    "during a fetch (a feed, page or site request in flight)",
	"storing":  "within 300 ms after a fetch ended (parsing, analysing, storing)",
	"other":    "elsewhere (start-up, scheduling, idle)",
}

// checkReference checks that the reference run made what the world is
// designed to make, so that comparing with it means something.
func checkReference(t *testing.T, c *content, ref runResult) {
	t.Helper()
	checkRun(t, "reference run", ref)
	perMetric := map[string]int{}
	for _, m := range ref.snap.milestones {
		perMetric[m.Claim.Metric]++
	}
	benchmarkRecords := 0
	for _, it := range c.items {
		for _, f := range it.Figures {
			if f.Metric == "benchmark_score" {
				benchmarkRecords++
			}
		}
	}
	want := map[string]int{"task_horizon": len(horizonAt), "share_of_code_by_ai": len(codeAt), "benchmark_score": benchmarkRecords,
		"rnd_speedup": 1, "doubling_time": 1, "productivity_multiplier": 1}
	for metric, n := range want {
		if perMetric[metric] != n {
			t.Errorf("reference run: %d %s milestones, the world is designed to make %d: %v", perMetric[metric], metric, n, ref.snap.milestones)
		}
	}
}

// checkRun checks one run's archive and receiver on their own.
func checkRun(t *testing.T, name string, r runResult) {
	t.Helper()
	s := r.snap
	// Every published article once, nothing else.
	for u := range r.want {
		if _, ok := s.articles[u]; !ok {
			t.Errorf("%s: article %s (%s) lost", name, u, r.want[u])
		}
	}
	for u := range s.articles {
		if _, ok := r.want[u]; !ok {
			t.Errorf("%s: article %s archived, never published under that URL (a duplicate?)", name, u)
		}
	}
	// Stories: the stored counts agree with the articles, and every
	// syndicated story is one story on as many sites as copies.
	count := map[int64][2]int{}
	sites := map[int64]map[string]bool{}
	for _, a := range s.articles {
		if a.StoryID == 0 {
			t.Errorf("%s: article %d has no story", name, a.ID)
			continue
		}
		n := count[a.StoryID]
		n[0]++
		count[a.StoryID] = n
		if sites[a.StoryID] == nil {
			sites[a.StoryID] = map[string]bool{}
		}
		sites[a.StoryID][a.Site] = true
	}
	for id, n := range count {
		n[1] = len(sites[id])
		if s.stories[id] != n {
			t.Errorf("%s: story %d stored as %v (articles, sites), has %v", name, id, s.stories[id], n)
		}
	}
	byID := invert(r.want)
	for story, feeds := range stories {
		ids := map[int64]bool{}
		for feed, step := range feeds {
			a := s.articles[byID[fmt.Sprintf("%s-%d", feed, step)]]
			ids[a.StoryID] = true
		}
		if len(ids) != 1 {
			t.Errorf("%s: the copies of story %q are in %d stories", name, story, len(ids))
			continue
		}
		for id := range ids {
			if got := s.stories[id]; got != [2]int{len(feeds), len(feeds)} {
				var members []string
				for u, a := range s.articles {
					if a.StoryID == id {
						members = append(members, r.want[u])
					}
				}
				sort.Strings(members)
				t.Errorf("%s: story %q has %d articles on %d sites (%v), want %d on %d", name, story, got[0], got[1], members, len(feeds), len(feeds))
			}
		}
	}
	// Milestones: each delivered, none twice.
	claims := map[claim]int64{}
	ids := map[int64]milestoneRow{}
	for _, m := range s.milestones {
		ids[m.ID] = m
		if prev, ok := claims[m.Claim]; ok {
			t.Errorf("%s: milestones %d and %d are the same claim %v", name, prev, m.ID, m.Claim)
		}
		claims[m.Claim] = m.ID
		if !m.Alert || m.Delivery != "delivered" || r.rcv.delivered[deliveryKey(m.ID)] == 0 {
			t.Errorf("%s: milestone %d (%v): alert %v, delivery %q, %d requests and %d answered deliveries at the receiver",
				name, m.ID, m.Claim, m.Alert, m.Delivery, r.rcv.requests[deliveryKey(m.ID)], r.rcv.delivered[deliveryKey(m.ID)])
		}
	}
	keysPerClaim := map[claim][]string{}
	for key, cl := range r.rcv.claims {
		keysPerClaim[cl] = append(keysPerClaim[cl], key)
		var id int64
		if _, err := fmt.Sscanf(key, "fw-m%d-hook", &id); err != nil {
			t.Errorf("%s: alert with key %q", name, key)
			continue
		}
		if m, ok := ids[id]; !ok || m.Claim != cl {
			t.Errorf("%s: alert %s announced %v, the archive's milestone %d is %v (exists: %v)", name, key, cl, id, m.Claim, ok)
		}
	}
	for cl, keys := range keysPerClaim {
		if len(keys) > 1 {
			sort.Strings(keys)
			t.Errorf("%s: %v was announced by %d distinct alerts: %v", name, cl, len(keys), keys)
		}
	}
	for _, p := range r.rcv.problems {
		t.Errorf("%s: receiver: %s", name, p)
	}
	// The database.
	if !slices.Equal(s.integrity, []string{"ok"}) {
		t.Errorf("%s: PRAGMA integrity_check: %v", name, s.integrity)
	}
	if len(s.foreign) > 0 {
		t.Errorf("%s: PRAGMA foreign_key_check: %v", name, s.foreign)
	}
	retried, requests := 0, 0
	for _, n := range r.rcv.requests {
		requests += n
		if n > 1 {
			retried++
		}
	}
	t.Logf("%s: %d articles in %d stories, %d milestones; webhook: %d requests for %d alerts, %d alerts sent more than once, %d answered 503, %d stalled, %d dropped by their client; %d jobs rescued after a kill; River jobs %v",
		name, len(s.articles), len(s.stories), len(s.milestones), requests, len(r.rcv.requests), retried, r.rcv.refused, r.rcv.stalled, r.rcv.dropped, s.rescued, s.jobs)
}

// compareRuns checks that the crash run made what the reference run made:
// the same milestones and the same stories.
func compareRuns(t *testing.T, ref, crash runResult) {
	t.Helper()
	set := func(r runResult) []string {
		var out []string
		for _, m := range r.snap.milestones {
			out = append(out, fmt.Sprintf("%v on %d sites, confirmed %v", m.Claim, m.Sites, m.Confirmed))
		}
		sort.Strings(out)
		return out
	}
	if a, b := set(ref), set(crash); !slices.Equal(a, b) {
		t.Errorf("milestones differ from the reference run's:\nreference:\n  %s\ncrash run:\n  %s", strings.Join(a, "\n  "), strings.Join(b, "\n  "))
	}
	if a, b := partition(ref), partition(crash); !slices.Equal(a, b) {
		t.Errorf("stories differ from the reference run's:\nreference: %v\ncrash run: %v", a, b)
	}
}

// partition is a run's stories as sorted lists of item IDs.
func partition(r runResult) []string {
	groups := map[int64][]string{}
	for u, a := range r.snap.articles {
		groups[a.StoryID] = append(groups[a.StoryID], r.want[u])
	}
	var out []string
	for _, g := range groups {
		sort.Strings(g)
		out = append(out, strings.Join(g, "+"))
	}
	sort.Strings(out)
	return out
}

func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
