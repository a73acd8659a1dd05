package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

// hitRow is one search result on the page.
type hitRow struct {
	ID            int64
	URL, Title    string
	Source, Site  string
	When, WhenISO string
	StorySites    int
	Snippet       []snippetPart
}

// pageSearch is GET /: the search form and its results, rendered on the
// server (no JavaScript needed), with "next page" links.
func (s *server) pageSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := struct {
		layout
		Q, Since, Until, Source, Metric, Topic string
		Filtered                               bool
		Sources, Metrics                       []string
		Hits                                   []hitRow
		Cursor                                 string
		Next, FirstPage, Error                 string
	}{layout: newLayout("", "search"), Q: q.Get("q"), Since: q.Get("since"), Until: q.Get("until"),
		Source: q.Get("source"), Metric: q.Get("metric"), Topic: q.Get("topic"), Cursor: q.Get("cursor"), Metrics: s.order}
	if data.Q != "" {
		data.Title = data.Q
	}
	data.Filtered = data.Since != "" || data.Until != "" || data.Source != "" || data.Metric != ""
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	for _, src := range srcs {
		data.Sources = append(data.Sources, src.Name)
	}
	status := http.StatusOK
	p, err := s.readSearch(r, q)
	var page archive.Page
	var next string
	if err == nil {
		page, next, err = s.search(r, p)
	}
	if err != nil {
		st, _, msg := s.classify(r, err)
		if st >= 500 {
			s.pageFail(w, r, err)
			return
		}
		status, data.Error = st, msg
	}
	now := s.now()
	for _, h := range page.Hits {
		when := seenOf(h.Article)
		data.Hits = append(data.Hits, hitRow{ID: h.ID, URL: safeURL(h.URL), Title: h.Title, Source: h.Source, Site: h.Site,
			When: ago(now, when), WhenISO: when.UTC().Format(time.RFC3339), StorySites: h.StorySites, Snippet: snippetParts(h.Snippet)})
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	if data.Cursor != "" {
		first := r.URL.Query()
		first.Del("cursor")
		data.FirstPage = "/?" + first.Encode()
	}
	s.render(w, r, status, "search", data)
}

// safeURL keeps http and https links and drops any other scheme (an
// archived URL is canonical http(s), but the page must never link
// javascript: even if one slipped in; html/template would also defuse it).
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "#"
	}
	return raw
}

// pageArticle is GET /articles/{id}.
func (s *server) pageArticle(w http.ResponseWriter, r *http.Request) {
	d, err := s.articleDetail(r, r.PathValue("id"), true)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	d.Article.URL = safeURL(d.Article.URL)
	when := d.Article.Fetched
	if d.Article.Published != nil {
		when = *d.Article.Published
	}
	var paras []string
	for _, p := range strings.Split(d.Article.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	s.render(w, r, http.StatusOK, "article", struct {
		layout
		Detail     articleDetail
		Related    []articleBrief
		Paragraphs []string
		When       string
	}{newLayout(d.Article.Title, "search"), d, d.Related, paras, when.UTC().Format("2 Jan 2006 15:04")})
}

// milestoneRow is one milestone on the timeline.
type milestoneRow struct {
	ID                     int64
	Kind, Metric, Subject  string
	Value, Beats           string
	Threshold              string
	Sites                  int
	Confirmed              bool
	When, WhenISO          string
	ArticleID              int64
	ArticleTitle, Sentence string
}

// pageMilestones is GET /milestones: a timeline grouped by month.
func (s *server) pageMilestones(w http.ResponseWriter, r *http.Request) {
	hits, err := s.store.Milestones(r.Context(), archive.MilestoneQuery{Limit: 500})
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	type group struct {
		Month string
		Items []milestoneRow
	}
	var groups []group
	for _, h := range hits {
		unit := h.Unit
		fv := figureView{Value: &h.Value, Unit: unit}
		row := milestoneRow{ID: h.ID, Kind: string(h.Kind), Metric: h.Metric, Subject: h.Subject, Value: formatFigure(fv),
			Threshold: h.Threshold, Sites: h.Sites, Confirmed: h.ConfirmedAt != nil,
			When: h.DetectedAt.UTC().Format("2 Jan 15:04"), WhenISO: h.DetectedAt.UTC().Format(time.RFC3339),
			ArticleID: h.Figure.ArticleID, ArticleTitle: h.Figure.ArticleTitle, Sentence: h.Figure.Sentence}
		if h.Beats != nil {
			row.Beats = formatFigure(figureView{Value: h.Beats, Unit: unit})
		}
		month := h.DetectedAt.UTC().Format("January 2006")
		if len(groups) == 0 || groups[len(groups)-1].Month != month {
			groups = append(groups, group{Month: month})
		}
		g := &groups[len(groups)-1]
		g.Items = append(g.Items, row)
	}
	s.render(w, r, http.StatusOK, "milestones", struct {
		layout
		Groups []group
	}{newLayout("Milestones", "milestones"), groups})
}

// chartCard is one metric's chart: its points for uPlot (as JSON in a data
// attribute, so no inline script is needed) and its trend in words.
type chartCard struct {
	Metric, Unit string
	Log          bool
	Count, Total int
	Truncated    bool
	Trend        string
	JSON         string
	Detail       bool
	Points       []seriesPoint
}

// chartData is what static/chart.js draws.
type chartData struct {
	Metric string      `json:"metric"`
	Unit   string      `json:"unit"`
	Log    bool        `json:"log"`
	X      []float64   `json:"x"` // unix seconds
	Y      []float64   `json:"y"`
	Labels []string    `json:"labels"`
	Trend  *chartTrend `json:"trend"`
}

type chartTrend struct {
	X0 float64 `json:"x0"` // unix seconds
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	// Slope is the change of ln(value) per second.
	Slope   float64 `json:"slope"`
	Summary string  `json:"summary"`
}

// pagePoints caps the figures one chart draws.
const pagePoints = 5000

// logMetrics are drawn on a log scale: they grow exponentially.
var logMetrics = map[string]bool{"task_horizon": true}

func (s *server) chartCard(r *http.Request, metric string, detail bool) (chartCard, error) {
	se, err := s.readSeries(r, metric, pagePoints)
	if err != nil {
		return chartCard{}, err
	}
	c := chartCard{Metric: metric, Unit: se.Unit, Log: logMetrics[metric], Count: len(se.Points), Total: se.Total,
		Truncated: se.Truncated, Trend: se.Trend.Summary(), Detail: detail}
	if detail {
		c.Points = se.Points
	}
	d := chartData{Metric: metric, Unit: se.Unit, Log: c.Log, X: []float64{}, Y: []float64{}, Labels: []string{}}
	for _, p := range se.Points {
		if c.Log && !(p.Value > 0) {
			continue // a log scale has no place for it
		}
		d.X = append(d.X, float64(p.T.Unix()))
		d.Y = append(d.Y, p.Value)
		label := formatNum(p.Value) + " " + se.Unit
		if p.Subject != "" {
			label += " · " + p.Subject
		}
		src := p.Source
		if p.Site != "" && p.Site != p.Source {
			src += " (" + p.Site + ")"
		}
		d.Labels = append(d.Labels, label+" — "+src+" — "+p.T.UTC().Format("2 Jan 2006"))
	}
	if t := se.Trend; t != nil {
		d.Trend = &chartTrend{X0: float64(t.Line[0].T.Unix()), Y0: t.Line[0].Value, X1: float64(t.Line[1].T.Unix()),
			Slope: t.SlopePerMonth / month.Seconds(), Summary: t.Summary()}
	}
	c.JSON = toJSON(d)
	return c, nil
}

// pageCharts is GET /charts: one chart per metric that has figures.
func (s *server) pageCharts(w http.ResponseWriter, r *http.Request) {
	ms, err := s.metricViews(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	var cards []chartCard
	for _, m := range ms {
		if m.Figures == 0 {
			continue
		}
		c, err := s.chartCard(r, m.Name, false)
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		cards = append(cards, c)
	}
	l := newLayout("Charts", "charts")
	l.Charts = true
	s.render(w, r, http.StatusOK, "charts", struct {
		layout
		Cards []chartCard
	}{l, cards})
}

// pageChart is GET /charts/{metric}: the chart and its figures.
func (s *server) pageChart(w http.ResponseWriter, r *http.Request) {
	metric := r.PathValue("metric")
	c, err := s.chartCard(r, metric, true)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusNotFound {
			s.renderError(w, r, http.StatusNotFound, "Unknown metric", he.message)
			return
		}
		s.pageFail(w, r, err)
		return
	}
	l := newLayout(metric, "charts")
	l.Charts = true
	s.render(w, r, http.StatusOK, "chart", struct {
		layout
		Card chartCard
	}{l, c})
}

// sourceRow is one source on the sources page.
type sourceRow struct {
	Name, Kind, URL, Schedule    string
	Enabled                      bool
	LastPolled, LastPolledISO    string
	LastOK                       string
	LastError, LastErrorAt       string
	Failures                     int
	NextRun, NextRunISO, Backoff string
}

// pageSources is GET /sources: each source's last poll, last error and
// next run.
func (s *server) pageSources(w http.ResponseWriter, r *http.Request) {
	views, err := s.sourceViews(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	now := s.now()
	iso := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	rel := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return ago(now, *t)
	}
	rows := make([]sourceRow, 0, len(views))
	failing := 0
	for _, v := range views {
		row := sourceRow{Name: v.Name, Kind: v.Kind, URL: safeURL(v.URL), Schedule: v.Schedule, Enabled: v.Enabled,
			LastPolled: rel(v.LastPolledAt), LastPolledISO: iso(v.LastPolledAt), LastError: v.LastError,
			LastErrorAt: rel(v.LastErrorAt), Failures: v.Failures, NextRun: rel(v.NextRun), NextRunISO: iso(v.NextRun)}
		if v.LastOKAt != nil && v.LastPolledAt != nil && !v.LastOKAt.Equal(*v.LastPolledAt) {
			row.LastOK = rel(v.LastOKAt)
		}
		if v.NextAttemptAt != nil && v.NextAttemptAt.After(now) {
			row.Backoff = ago(now, *v.NextAttemptAt)
		}
		if v.LastError != "" {
			failing++
		}
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "sources", struct {
		layout
		Sources []sourceRow
		Failing int
	}{newLayout("Sources", "sources"), rows, failing})
}
