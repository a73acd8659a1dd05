package server

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// hostile stores an article whose every field tries to inject markup.
func hostile(t *testing.T, f *fixture) int64 {
	t.Helper()
	ctx := context.Background()
	src, err := f.store.UpsertSource(ctx, frontierwatch.Source{Name: "evil", Kind: frontierwatch.KindFeed, URL: "https://evil.example/feed", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	ins, err := f.store.CommitPoll(ctx, archive.PollUpdate{SourceID: src.ID, At: fixedAt}, []frontierwatch.Article{{
		URL:   "javascript:alert(1)//evil.example/x",
		Title: `<script>alert("title")</script> agents`, Text: `agents <img src=x onerror=alert(1)> "quoted" & more`,
		Site: `evil.example"><b>`, Published: fixedAt.Add(-time.Hour),
	}}, func(ctx context.Context, tx *archive.Tx, ins []frontierwatch.Article) error {
		_, err := tx.InsertFigure(ctx, ins[0].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(32),
			Unit: "hours", Subject: `<i>Model</i>`, Surface: `</script><script>alert(2)</script>`}, Key: "task_horizon", SeenAt: fixedAt})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ins[0].ID
}

func getPage(t *testing.T, u string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %.500s", u, resp.StatusCode, want, b.String())
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET %s: content type %q", u, ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("GET %s: CSP %q", u, csp)
	}
	return b.String()
}

func TestPages(t *testing.T) {
	f := newFixture(t)
	evil := hostile(t, f)
	srv := newServer(t, f, Options{NextRun: func(name string) time.Time { return fixedAt.Add(25 * time.Minute) }})

	// Search works without JavaScript: results, highlights, site counts,
	// a next-page link that works.
	page := getPage(t, srv.URL+"/?q=autonomous+agents&limit=10", 200)
	for _, want := range []string{`<mark>Autonomous</mark>`, `class="result"`, `rel="next"`, `value="autonomous agents"`} {
		if !strings.Contains(page, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>") && !strings.Contains(page, `<script src=`) {
		t.Error("an inline script")
	}
	next := regexp.MustCompile(`rel="next" href="([^"]+)"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no next link")
	}
	page2 := getPage(t, srv.URL+html.UnescapeString(next[1]), 200)
	if !strings.Contains(page2, "back to the first page") || !strings.Contains(page2, `class="result"`) {
		t.Error("second page")
	}
	if p := getPage(t, srv.URL+`/?q="report+3"`, 200); !strings.Contains(p, "2 sites") {
		t.Error("story site count missing")
	}
	// Errors are shown in the page, with the status of the API.
	if p := getPage(t, srv.URL+"/?since=yesterday", 400); !strings.Contains(p, "is not a date") {
		t.Error("bad date not explained")
	}

	// Everything is escaped; javascript: links are dropped.
	for _, u := range []string{"/?q=agents", "/articles/" + itoa(evil), "/charts", "/charts/task_horizon", "/sources", "/milestones"} {
		p := getPage(t, srv.URL+u, 200)
		for _, bad := range []string{`<script>alert`, `<img src=x`, `<i>Model</i>`, `href="javascript:`, `"><b>`} {
			if strings.Contains(p, bad) {
				t.Errorf("%s contains unescaped %s", u, bad)
			}
		}
	}

	// The chart page carries its points and the doubling time.
	p := getPage(t, srv.URL+"/charts/task_horizon", 200)
	for _, want := range []string{`data-points="6"`, "doubles every", `/static/uplot/uPlot.iife.min.js`, `id="points"`} {
		if !strings.Contains(p, want) {
			t.Errorf("chart page lacks %s", want)
		}
	}
	p = getPage(t, srv.URL+"/charts", 200)
	if strings.Count(p, `class="chart-card"`) != 2 || !strings.Contains(p, "Not enough figures for a trend (2 of 3)") {
		t.Error("charts page: want task_horizon and doubling_time cards")
	}
	getPage(t, srv.URL+"/charts/vibes", 404)

	p = getPage(t, srv.URL+"/sources", 200)
	for _, want := range []string{"503 Service Unavailable", "in 25 min", `data-source="lab"`, "1 failing"} {
		if !strings.Contains(p, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
	p = getPage(t, srv.URL+"/milestones", 200)
	if !strings.Contains(p, "beats 8 hours") || !strings.Contains(p, "16 hours") {
		t.Error("milestones page")
	}
	p = getPage(t, srv.URL+"/articles/"+itoa(f.ids["/post-03"]), 200)
	if !strings.Contains(p, "Same story elsewhere") || !strings.Contains(p, "lab.example") {
		t.Error("article page lacks its story")
	}
	getPage(t, srv.URL+"/articles/999999", 404)
	getPage(t, srv.URL+"/no/such/page", 404)

	// Static files are served with their types.
	for path, ct := range map[string]string{"/static/app.css": "text/css", "/static/chart.js": "text/javascript",
		"/static/uplot/uPlot.iife.min.js": "text/javascript", "/static/uplot/LICENSE": ""} {
		status, h, _ := call(t, http.MethodGet, srv.URL+path, "", "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), ct) {
			t.Errorf("%s: %d %q", path, status, h.Get("Content-Type"))
		}
	}
}

func TestSnippetParts(t *testing.T) {
	s := "a " + archive.HighlightStart + "b<" + archive.HighlightEnd + " c"
	if got := bracketSnippet(s); got != "a [b<] c" {
		t.Errorf("brackets: %q", got)
	}
	if got := string(markSnippet(s)); got != "a <mark>b&lt;</mark> c" {
		t.Errorf("mark: %q", got)
	}
	// Unbalanced markers never leak into the output.
	for _, in := range []string{archive.HighlightEnd + "x", archive.HighlightStart + "x", "x" + archive.HighlightStart + archive.HighlightStart + "y"} {
		for _, p := range snippetParts(in) {
			if strings.ContainsAny(p.Text, archive.HighlightStart+archive.HighlightEnd) {
				t.Errorf("%q: marker in %q", in, p.Text)
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		f    figureView
		want string
	}{
		{figureView{Value: fl(12), Unit: "hours", Qualifier: frontierwatch.UpTo}, "up to 12 hours"},
		{figureView{Value: fl(1), Unit: "hours", Qualifier: frontierwatch.About}, "about 1 hour"},
		{figureView{Value: fl(1), Unit: "x"}, "1x"},
		{figureView{Min: fl(4), Max: fl(8), Unit: "hours", Qualifier: frontierwatch.Range}, "4–8 hours"},
		{figureView{Value: fl(52), Unit: "x"}, "52x"},
		{figureView{Value: fl(71.5), Unit: "percent"}, "71.5%"},
		{figureView{Value: fl(1200), Unit: "count"}, "1,200 count"},
		{figureView{Unit: "hours"}, "?"},
	} {
		if got := formatFigure(c.f); got != c.want {
			t.Errorf("formatFigure(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
	now := fixedAt
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(-30 * time.Second), "just now"},
		{now.Add(-5 * time.Minute), "5 min ago"},
		{now.Add(3 * time.Hour), "in 3 h"},
		{now.Add(-72 * time.Hour), "3 days ago"},
		{now.AddDate(-1, 0, 0), "1 Jun 2025"},
		{time.Time{}, ""},
	} {
		if got := ago(now, c.t); got != c.want {
			t.Errorf("ago(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	if got := safeURL("javascript:alert(1)"); got != "#" {
		t.Errorf("safeURL kept %q", got)
	}
	if got := withCursor(&url.URL{Path: "/api/v1/articles", RawQuery: "q=a&cursor=old"}, "new"); got != "/api/v1/articles?cursor=new&q=a" {
		t.Errorf("withCursor: %q", got)
	}
}
