package server

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontierwatch/frontierwatch/archive"
)

func TestArticlesSearch(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	var out struct {
		Articles   []articleView `json:"articles"`
		NextCursor *string       `json:"next_cursor"`
		Next       *string       `json:"next"`
	}
	getJSON(t, srv.URL+"/api/v1/articles?q=autonomous+agents&limit=5", http.StatusOK, &out)
	if len(out.Articles) != 5 || out.NextCursor == nil || out.Next == nil {
		t.Fatalf("first page: %d articles, next %v", len(out.Articles), out.NextCursor)
	}
	a := out.Articles[0]
	if a.Rank == nil || !strings.Contains(a.Snippet, "[") || !strings.Contains(a.SnippetHTML, "<mark>") {
		t.Errorf("hit without rank or highlights: %+v", a)
	}
	if a.Published == nil || a.Source == "" || a.URL == "" || a.Topics == nil {
		t.Errorf("hit fields: %+v", a)
	}
	// The story carried by two sites says so.
	getJSON(t, srv.URL+"/api/v1/articles?q=%22report+3%22", http.StatusOK, &out)
	sites := map[int64]int{}
	for _, a := range out.Articles {
		sites[a.ID] = a.StorySites
	}
	if sites[f.ids["/post-03"]] != 2 || sites[f.ids["lab/agents-03"]] != 2 {
		t.Errorf("story sites %v", sites)
	}
	// Filters.
	for _, c := range []struct {
		query string
		want  int
	}{
		{"q=chip", 1},
		{"source=lab", 1},
		{"q=agents&source=lab", 1},
		{"topic=autonomy&limit=1000", 24},
		{"metric=task_horizon&limit=1000", 6},
		{"metric=doubling_time&q=agents", 2},
		{"since=2024-01-08&until=2024-01-15", 2}, // post 1 on the 8th, post 2 on the 15th (until's day included)
		{"since=2024-01-08T00:00:00Z&until=2024-01-15T00:00:00Z", 1},
		{"q=nothingmatchesthis", 0},
		{"q=%22report+3", 2}, // not valid syntax: searched as words
	} {
		var out struct {
			Articles []articleView `json:"articles"`
		}
		getJSON(t, srv.URL+"/api/v1/articles?"+c.query, http.StatusOK, &out)
		if len(out.Articles) != c.want {
			t.Errorf("%s: %d articles, want %d", c.query, len(out.Articles), c.want)
		}
	}
	// Listing: newest first, no rank.
	var list struct {
		Articles []articleView `json:"articles"`
	}
	getJSON(t, srv.URL+"/api/v1/articles?limit=3", http.StatusOK, &list)
	if len(list.Articles) != 3 || list.Articles[0].Rank != nil || !list.Articles[0].Published.After(*list.Articles[1].Published) {
		t.Errorf("listing: %+v", list.Articles)
	}
}

// TestPaginationWalk walks every page of several queries and checks that
// each result comes exactly once and all come, in the order of one big
// page; also with a ranking window of 3 matches, so that full-text walks
// cross bands (see archive.SearchPage).
func TestPaginationWalk(t *testing.T) {
	t.Run("default window", func(t *testing.T) { testPaginationWalk(t, newFixture(t)) })
	t.Run("window 3", func(t *testing.T) { testPaginationWalk(t, newFixture(t, archive.WithRankWindow(3))) })
}

func testPaginationWalk(t *testing.T, f *fixture) {
	srv := newServer(t, f, Options{})
	for _, query := range []string{"q=agents", "q=agents+OR+chip", "", "topic=autonomy", "since=2024-02-01"} {
		var all struct {
			Articles []articleView `json:"articles"`
		}
		getJSON(t, srv.URL+"/api/v1/articles?limit=1000&"+query, http.StatusOK, &all)
		if len(all.Articles) < 10 {
			t.Fatalf("%s: only %d results", query, len(all.Articles))
		}
		for _, limit := range []string{"1", "4", "7"} {
			seen := map[int64]bool{}
			var order []int64
			next := "/api/v1/articles?limit=" + limit + "&" + query
			for pages := 0; next != ""; pages++ {
				if pages > 100 {
					t.Fatalf("%s: pagination does not end", query)
				}
				var page struct {
					Articles []articleView `json:"articles"`
					Next     *string       `json:"next"`
				}
				getJSON(t, srv.URL+next, http.StatusOK, &page)
				for _, a := range page.Articles {
					if seen[a.ID] {
						t.Fatalf("%s limit %s: article %d twice", query, limit, a.ID)
					}
					seen[a.ID] = true
					order = append(order, a.ID)
				}
				next = ""
				if page.Next != nil {
					next = *page.Next
				}
			}
			if len(order) != len(all.Articles) {
				t.Fatalf("%s limit %s: walked %d, want %d", query, limit, len(order), len(all.Articles))
			}
			for i := range order {
				if order[i] != all.Articles[i].ID {
					t.Fatalf("%s limit %s: order differs at %d", query, limit, i)
				}
			}
		}
	}
}

func TestBadParameters(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	// A valid cursor of one query.
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	getJSON(t, srv.URL+"/api/v1/articles?q=agents&limit=2", http.StatusOK, &page)
	good := *page.NextCursor
	tampered := []byte(good)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == good[len(good)/2] {
		t.Fatal("tampering changed nothing")
	}
	var stories struct {
		NextCursor *string `json:"next_cursor"`
	}
	getJSON(t, srv.URL+"/api/v1/stories?limit=2", http.StatusOK, &stories)
	for _, c := range []struct {
		path, code, inMessage string
		status                int
	}{
		{"/api/v1/articles?since=yesterday", codeBadParameter, `since: "yesterday" is not a date (want YYYY-MM-DD or RFC 3339)`, 400},
		{"/api/v1/articles?until=2024-13-01", codeBadParameter, "until:", 400},
		{"/api/v1/articles?since=2024-02-01&until=2024-01-01", codeBadParameter, "is not after since", 400},
		{"/api/v1/articles?limit=0", codeBadParameter, "limit:", 400},
		{"/api/v1/articles?limit=1001", codeBadParameter, "limit:", 400},
		{"/api/v1/articles?limit=ten", codeBadParameter, "limit:", 400},
		{"/api/v1/articles?metric=vibes", codeBadParameter, `metric: unknown metric "vibes"`, 400},
		{"/api/v1/articles?cursor=garbage!", codeBadParameter, "cursor:", 400},
		{"/api/v1/articles?q=agents&cursor=" + url.QueryEscape(string(tampered)), codeBadParameter, "cursor:", 400},
		{"/api/v1/articles?q=chips&cursor=" + good, codeBadParameter, "other search parameters", 400},
		{"/api/v1/articles?q=agents&cursor=" + *stories.NextCursor, codeBadParameter, "cursor:", 400},
		{"/api/v1/stories?cursor=" + good, codeBadParameter, "cursor:", 400},
		{"/api/v1/articles?q=" + strings.Repeat("a+", 40), codeBadQuery, "q:", 400},
		{"/api/v1/articles?q=" + strings.Repeat("x", 1001), codeBadParameter, "q:", 400},
		{"/api/v1/articles/abc", codeBadParameter, "id:", 400},
		{"/api/v1/articles/0", codeBadParameter, "id:", 400},
		{"/api/v1/articles/99999", codeNotFound, "no article 99999", 404},
		{"/api/v1/figures?format=xml", codeBadParameter, "format:", 400},
		{"/api/v1/figures?forecasts=maybe", codeBadParameter, "forecasts:", 400},
		{"/api/v1/figures?metric=vibes", codeBadParameter, "metric:", 400},
		{"/api/v1/milestones?since=last+week", codeBadParameter, "since:", 400},
		{"/api/v1/metrics/vibes/series", codeNotFound, `unknown metric "vibes"`, 404},
		{"/api/v1/metrics/task_horizon/series?limit=100001", codeBadParameter, "limit:", 400},
		{"/api/v1/metrics/task_horizon/series?until=soon", codeBadParameter, "until:", 400},
		{"/api/v1/silences?active=perhaps", codeBadParameter, "active:", 400},
		{"/api/v1/nope", codeNotFound, "no route GET /api/v1/nope", 404},
		{"/api/v2/articles", codeNotFound, "no route", 404},
	} {
		status, h, body := call(t, http.MethodGet, srv.URL+c.path, "", "")
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.path, status, c.status, body)
			continue
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: content type %q", c.path, ct)
		}
		e := errorOf(t, body)
		if e.Code != c.code || !strings.Contains(e.Message, c.inMessage) {
			t.Errorf("%s: error %+v, want code %s with %q", c.path, e, c.code, c.inMessage)
		}
	}
	// Wrong methods: 405 with Allow.
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, "/api/v1/articles", "GET, HEAD"},
		{http.MethodDelete, "/api/v1/articles/1", "GET, HEAD"},
		{http.MethodPatch, "/api/v1/sources", "GET, HEAD, POST"},
	} {
		status, h, body := call(t, c.method, srv.URL+c.path, "", "")
		if status != http.StatusMethodNotAllowed || errorOf(t, body).Code != codeMethodNotAllowed || h.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d allow %q %s", c.method, c.path, status, h.Get("Allow"), body)
		}
	}
}

func TestArticleDetail(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	var d struct {
		Article articleView  `json:"article"`
		Figures []figureView `json:"figures"`
		Story   *storyView   `json:"story"`
	}
	getJSON(t, srv.URL+"/api/v1/articles/"+itoa(f.ids["/post-04"]), http.StatusOK, &d)
	if d.Article.Text == "" || len(d.Figures) != 1 || d.Figures[0].Metric != "task_horizon" || *d.Figures[0].Value != 16 {
		t.Errorf("article 4: %+v", d)
	}
	if d.Story == nil || d.Story.Sites != 1 || len(d.Story.Articles) != 1 {
		t.Errorf("story of article 4: %+v", d.Story)
	}
	getJSON(t, srv.URL+"/api/v1/articles/"+itoa(f.ids["/post-03"]), http.StatusOK, &d)
	if d.Story == nil || d.Story.Sites != 2 || len(d.Story.Articles) != 2 || len(d.Figures) != 1 {
		t.Errorf("story of article 3: %+v", d.Story)
	}
}

func TestStoriesFiguresMilestones(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	// Stories, newest first, walked by cursor.
	var ids []int64
	next := "/api/v1/stories?limit=10"
	for next != "" {
		var page struct {
			Stories []storyView `json:"stories"`
			Next    *string     `json:"next"`
		}
		getJSON(t, srv.URL+next, http.StatusOK, &page)
		for i, s := range page.Stories {
			if i > 0 && s.FirstSeen.After(page.Stories[i-1].FirstSeen) {
				t.Errorf("stories not newest first")
			}
			if s.Title == "Agents report 03" && (s.Sites != 2 || len(s.Articles) != 2) {
				t.Errorf("story of post 3: %+v", s)
			}
			ids = append(ids, s.ID)
		}
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	if len(ids) != 25 {
		t.Errorf("%d stories, want 25 (26 articles, two in one story)", len(ids))
	}

	var figs struct {
		Figures []figureView `json:"figures"`
	}
	getJSON(t, srv.URL+"/api/v1/figures?metric=task_horizon", http.StatusOK, &figs)
	if len(figs.Figures) != 5 || *figs.Figures[0].Value != 1 || figs.Figures[0].ArticleURL == "" || figs.Figures[0].Source != "metr" {
		t.Errorf("figures: %+v", figs.Figures)
	}
	getJSON(t, srv.URL+"/api/v1/figures?metric=task_horizon&forecasts=true&subject=model+c", http.StatusOK, &figs)
	if len(figs.Figures) != 1 || figs.Figures[0].Subject != "Model C" {
		t.Errorf("subject filter: %+v", figs.Figures)
	}
	getJSON(t, srv.URL+"/api/v1/figures?metric=task_horizon&forecasts=true", http.StatusOK, &figs)
	if len(figs.Figures) != 6 {
		t.Errorf("with forecasts: %d", len(figs.Figures))
	}
	status, h, body := call(t, http.MethodGet, srv.URL+"/api/v1/figures?format=csv&metric=task_horizon", "", "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", status, h.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "id" || rows[1][2] != "1" || rows[5][2] != "16" {
		t.Errorf("csv rows %v %v", rows, err)
	}

	var ms struct {
		Milestones []struct {
			Kind   string   `json:"kind"`
			Value  float64  `json:"value"`
			Beats  *float64 `json:"beats"`
			Figure struct {
				ArticleURL string `json:"article_url"`
			} `json:"figure"`
			Sources []string `json:"sources"`
		} `json:"milestones"`
	}
	getJSON(t, srv.URL+"/api/v1/milestones", http.StatusOK, &ms)
	if len(ms.Milestones) != 1 || ms.Milestones[0].Kind != "record" || ms.Milestones[0].Value != 16 ||
		*ms.Milestones[0].Beats != 8 || ms.Milestones[0].Figure.ArticleURL == "" || len(ms.Milestones[0].Sources) != 1 {
		t.Errorf("milestones %+v", ms)
	}
	getJSON(t, srv.URL+"/api/v1/milestones?metric=doubling_time", http.StatusOK, &ms)
	if len(ms.Milestones) != 0 {
		t.Errorf("metric filter: %+v", ms)
	}

	var metrics struct {
		Metrics []metricView `json:"metrics"`
	}
	getJSON(t, srv.URL+"/api/v1/metrics", http.StatusOK, &metrics)
	if len(metrics.Metrics) != 7 || metrics.Metrics[0].Name != "task_horizon" || metrics.Metrics[0].Figures != 5 ||
		metrics.Metrics[1].Direction != "lower" {
		t.Errorf("metrics %+v", metrics)
	}
}

func TestSeriesEndpoint(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	var se series
	getJSON(t, srv.URL+"/api/v1/metrics/task_horizon/series", http.StatusOK, &se)
	if len(se.Points) != 5 || se.Total != 5 || se.Truncated || se.Unit != "hours" || se.Direction != "higher" {
		t.Fatalf("series %+v", se)
	}
	if se.Points[0].Source != "metr" || se.Points[0].ArticleURL == "" || se.Points[0].TimeBasis != "seen" {
		t.Errorf("point %+v", se.Points[0])
	}
	tr := se.Trend
	if tr == nil || tr.DoublingMonths == nil || math.Abs(*tr.DoublingMonths-7) > 1e-6 || math.Abs(tr.R2-1) > 1e-9 || tr.Points != 5 || tr.HalvingMonths != nil {
		t.Fatalf("trend %+v", tr)
	}
	if math.Abs(tr.Line[0].Value-1) > 1e-6 || math.Abs(tr.Line[1].Value-16) > 1e-6 {
		t.Errorf("fitted line %+v", tr.Line)
	}
	// limit caps the points, not the fit: the trend is the full one.
	full := *tr
	getJSON(t, srv.URL+"/api/v1/metrics/task_horizon/series?limit=2", http.StatusOK, &se)
	if len(se.Points) != 2 || !se.Truncated || se.Total != 5 || se.Trend == nil || se.Trend.Points != 5 {
		t.Fatalf("limited series: %d points, %+v", len(se.Points), se.Trend)
	}
	if lt := se.Trend; math.Abs(lt.SlopePerMonth-full.SlopePerMonth) > 1e-9 || math.Abs(lt.R2-full.R2) > 1e-9 ||
		!lt.From.Equal(full.From) || !lt.To.Equal(full.To) || lt.DoublingMonths == nil || math.Abs(*lt.DoublingMonths-7) > 1e-6 {
		t.Errorf("limited series' trend %+v, want the full one %+v", lt, full)
	}
	// since leaves two points: no trend.
	getJSON(t, srv.URL+"/api/v1/metrics/task_horizon/series?since="+monthsAfter(20).Format("2006-01-02"), http.StatusOK, &se)
	if len(se.Points) != 2 || se.Trend != nil {
		t.Errorf("two points: %+v", se)
	}
	// A lower-is-better metric with two figures, a known metric without any.
	getJSON(t, srv.URL+"/api/v1/metrics/doubling_time/series", http.StatusOK, &se)
	if se.Direction != "lower" || len(se.Points) != 2 || se.Trend != nil {
		t.Errorf("doubling_time %+v", se)
	}
	status, _, body := call(t, http.MethodGet, srv.URL+"/api/v1/metrics/rnd_speedup/series", "", "")
	if status != 200 || !strings.Contains(string(body), `"points":[]`) || !strings.Contains(string(body), `"trend":null`) {
		t.Errorf("empty series: %d %s", status, body)
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Checks: map[string]Check{"archive": f.store.Ping}, Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("fw_up 1\n"))
	})})
	var st map[string]string
	getJSON(t, srv.URL+"/healthz", http.StatusOK, &st)
	getJSON(t, srv.URL+"/readyz", http.StatusOK, &st)
	if st["archive"] != "ok" {
		t.Errorf("readyz %v", st)
	}
	status, _, body := call(t, http.MethodGet, srv.URL+"/metrics", "", "")
	if status != 200 || string(body) != "fw_up 1\n" {
		t.Errorf("metrics: %d %q", status, body)
	}
	// Without a metrics handler, /metrics is not a route.
	srv2 := newServer(t, f, Options{})
	if status, _, _ := call(t, http.MethodGet, srv2.URL+"/metrics", "", ""); status != 404 {
		t.Errorf("metrics without handler: %d", status)
	}
	// The old Handler still serves health alone.
	var ready map[string]string
	rec := httptestGet(Handler(map[string]Check{"x": func(ctxT) error { return errTest }}), "/readyz")
	if rec.Code != http.StatusServiceUnavailable || json.Unmarshal(rec.Body.Bytes(), &ready) != nil || ready["x"] != errTest.Error() {
		t.Errorf("Handler readyz: %d %s", rec.Code, rec.Body)
	}
}
