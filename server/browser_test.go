package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// chromiumPath is Debian's Chromium, which the browser test drives.
const chromiumPath = "/usr/bin/chromium"

// artifactDir is where the browser test saves its screenshots:
// $FRONTIERWATCH_TEST_ARTIFACTS, else a folder under the temporary directory.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("FRONTIERWATCH_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "frontierwatch-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// horizonHistory are task-horizon figures as articles report them, with
// the period they describe.
var horizonHistory = []struct {
	asOf, subject, site string
	hours               float64
}{
	{"2019-02", "GPT-2", "metr.example", 0.0025},
	{"2020-05", "GPT-3", "metr.example", 0.011},
	{"2022-03", "GPT-3.5", "news.example", 0.1},
	{"2023-03", "GPT-4", "metr.example", 0.09},
	{"2024-05", "GPT-4o", "lab.example", 0.15},
	{"2024-10", "Claude 3.5 Sonnet", "metr.example", 0.47},
	{"2024-12", "o1", "news.example", 0.65},
	{"2025-02", "Claude 3.7 Sonnet", "metr.example", 0.9},
	{"2025-04", "o3", "lab.example", 1.5},
	{"2025-08", "GPT-5", "metr.example", 2.3},
	{"2025-11", "Claude Opus 4.5", "news.example", 4.8},
	{"2026-02", "Claude Opus 4.6", "metr.example", 12},
}

// addHistory stores the history above as articles of a source "news"
// with one figure each, plus share-of-code figures.
func addHistory(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	src, err := f.store.UpsertSource(ctx, frontierwatch.Source{Name: "news", Kind: frontierwatch.KindFeed, URL: "https://news.example/rss", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var arts []frontierwatch.Article
	for i, h := range horizonHistory {
		at, _ := asOfTime(h.asOf)
		arts = append(arts, frontierwatch.Article{URL: fmt.Sprintf("https://%s/horizon-%d", h.site, i),
			Title: h.subject + " works autonomously for longer", Site: h.site, Published: at.AddDate(0, 0, 20),
			Text: fmt.Sprintf("In %s, %s completed tasks that take people %g hours, autonomously.", h.asOf, h.subject, h.hours)})
	}
	_, err = f.store.CommitPoll(ctx, archive.PollUpdate{SourceID: src.ID, At: fixedAt.Add(-2 * time.Hour)}, arts,
		func(ctx context.Context, tx *archive.Tx, ins []frontierwatch.Article) error {
			for i, h := range horizonHistory {
				if _, err := tx.InsertFigure(ctx, ins[i].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon",
					Value: fl(h.hours), Unit: "hours", Qualifier: frontierwatch.About, Subject: h.subject, AsOf: h.asOf,
					Surface: fmt.Sprintf("%g hours", h.hours)}, Key: "task_horizon", SeenAt: ins[i].Published}); err != nil {
					return err
				}
			}
			for i, share := range []float64{25, 30, 41, 50, 70, 90} {
				if _, err := tx.InsertFigure(ctx, ins[6+i].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "share_of_code_by_ai",
					Value: fl(share), Unit: "percent", Subject: "lab engineers", Surface: fmt.Sprintf("%g%%", share)},
					Key: "share_of_code_by_ai", SeenAt: ins[6+i].Published}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

// waitJS polls the page until js is true, across navigations (which
// interrupt a single evaluation), for at most 15 s.
func waitJS(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowser drives Chromium: search from the form, read the results,
// open a metric's chart, find its drawn points, its trend text and a
// point's source on hover, check that desktop and phone layouts do not
// scroll sideways and that the CSP blocks nothing, and save screenshots.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test needs Debian's Chromium at %s (apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	f := newFixture(t)
	addHistory(t, f)
	srv := newServer(t, f, Options{NextRun: func(name string) time.Time { return fixedAt.Add(17 * time.Minute) }})
	dir := artifactDir(t)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	// Record CSP violations from the first script on.
	watch := func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener("securitypolicyviolation",
				e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`})
		return err
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("start", chromedp.Do(ctx, chromedp.Func(watch), chromedp.EmulateViewport(1280, 900)))
	shot := func(name string, full bool) {
		t.Helper()
		take := chromedp.CaptureScreenshot()
		if full {
			take = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(ctx, take)
		must("screenshot "+name, err)
		p := filepath.Join(dir, name+".png")
		must("save "+name, os.WriteFile(p, png, 0o644))
		t.Logf("screenshot: %s", p)
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		must("evaluate "+js, err)
		return v
	}
	noSideScroll := func(where string) {
		t.Helper()
		if w := eval(`String(document.documentElement.scrollWidth) + " " + String(window.innerWidth)`); func() bool {
			var sw, iw int
			fmt.Sscan(w, &sw, &iw)
			return sw > iw
		}() {
			t.Errorf("%s scrolls sideways: scrollWidth and innerWidth %s", where, w)
		}
	}
	cspClean := func(where string) {
		t.Helper()
		if v := eval(`JSON.stringify(window.__csp || [])`); v != "[]" {
			t.Errorf("%s: CSP violations %s", where, v)
		}
	}

	// Search from the form.
	must("open search", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "people"),
		chromedp.Click(chromedp.CSS(`form.search button[type="submit"]`)),
	))
	// The click loads a new page: wait for it, not for the old one's list.
	waitJS(t, ctx, `location.search.includes("q=people") && document.readyState === "complete"`)
	if got := eval(`String(document.querySelectorAll("#results li.result").length)`); got != "12" {
		t.Errorf("%s results, want 12", got)
	}
	if got := eval(`document.querySelector("#results li.result mark").textContent`); !strings.EqualFold(got, "people") {
		t.Errorf("first highlight %q", got)
	}
	if loc := eval(`location.search`); !strings.Contains(loc, "q=people") {
		t.Errorf("the form did not GET: %s", loc)
	}
	cspClean("search")
	noSideScroll("search (desktop)")
	shot("search-desktop", true)

	// A metric's chart: uPlot drew the points and the trend.
	must("open chart", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/charts/task_horizon"),
		chromedp.WaitReady(chromedp.CSS(`.chart[data-points-drawn]`)),
	))
	if got := eval(`document.querySelector(".chart").getAttribute("data-points-drawn")`); got != "17" {
		t.Errorf("points drawn %s, want 17 (5 + 12 figures)", got)
	}
	if got := eval(`String(document.querySelectorAll(".chart canvas").length)`); got != "1" {
		t.Errorf("%s canvases", got)
	}
	if got := eval(`document.querySelector(".chart").getAttribute("data-trend-drawn")`); got != "true" {
		t.Error("no trend line drawn")
	}
	trend := eval(`document.querySelector("[data-trend]").textContent`)
	if !strings.Contains(trend, "doubles every") || !strings.Contains(trend, "months") {
		t.Errorf("trend text %q", trend)
	}
	if got := eval(`String(document.querySelectorAll("#points tbody tr").length)`); got != "17" {
		t.Errorf("%s rows in the table of points", got)
	}
	// Hovering the last point shows its source.
	pos := eval(`(() => { const u = document.querySelector(".chart").fwChart, r = u.over.getBoundingClientRect();
		const i = u.data[1].length - 1; let k = i; while (u.data[1][k] == null) k--;
		return (r.left + u.valToPos(u.data[0][k], "x")) + " " + (r.top + u.valToPos(u.data[1][k], "y")); })()`)
	var x, y float64
	fmt.Sscan(pos, &x, &y)
	must("hover", chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)))
	tip := eval(`document.querySelector(".chart-tip").textContent`)
	if !strings.Contains(tip, "16 hours · Model E — metr (metr.example)") {
		t.Errorf("tooltip of the last point %q", tip)
	}
	cspClean("chart")
	noSideScroll("chart (desktop)")
	shot("chart-desktop", true)

	must("open charts", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/charts"),
		chromedp.WaitReady(chromedp.CSS(`html[data-charts-ready="3"]`)),
	))
	cspClean("charts")
	shot("charts-desktop", true)

	// The same pages on a 375 px phone: no sideways scrolling.
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)))
	for _, p := range []struct{ name, path, ready string }{
		{"search-phone", "/?q=autonomous+agents", `#results`},
		{"chart-phone", "/charts/task_horizon", `.chart[data-points-drawn]`},
		{"sources-phone", "/sources", `#sources`},
		{"milestones-phone", "/milestones", `.timeline`},
	} {
		must(p.name, chromedp.Do(ctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitReady(chromedp.CSS(p.ready))))
		noSideScroll(p.name)
		cspClean(p.name)
		shot(p.name, false)
	}
	must("desktop", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	// Dark mode follows prefers-color-scheme.
	must("dark", chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}), chromedp.Navigate(srv.URL+"/charts"), chromedp.WaitReady(chromedp.CSS(`html[data-charts-ready="3"]`))))
	if bg := eval(`getComputedStyle(document.body).backgroundColor`); bg != "rgb(21, 23, 27)" {
		t.Errorf("dark mode background %s", bg)
	}
	shot("charts-dark", true)
	must("light", chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	})))
	for _, p := range []struct{ name, path, ready string }{
		{"sources-desktop", "/sources", "#sources"},
		{"milestones-desktop", "/milestones", ".timeline"},
		{"article-desktop", "/articles/" + itoa(f.ids["/post-03"]), ".article"},
	} {
		must(p.name, chromedp.Do(ctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitReady(chromedp.CSS(p.ready))))
		cspClean(p.name)
		shot(p.name, true)
	}
}
