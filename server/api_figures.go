package server

import (
	"cmp"
	"encoding/csv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// figureView is a figure as the API shows it, with the article that
// states it.
type figureView struct {
	ID           int64                   `json:"id"`
	Metric       string                  `json:"metric"`
	Value        *float64                `json:"value"`
	Min          *float64                `json:"min"`
	Max          *float64                `json:"max"`
	Unit         string                  `json:"unit"`
	Qualifier    frontierwatch.Qualifier `json:"qualifier"`
	Subject      string                  `json:"subject"`
	Benchmark    string                  `json:"benchmark"`
	AsOf         string                  `json:"as_of"`
	Forecast     bool                    `json:"forecast"`
	Surface      string                  `json:"surface"`
	Sentence     string                  `json:"sentence"`
	Seen         time.Time               `json:"seen"`
	ArticleID    int64                   `json:"article_id"`
	ArticleURL   string                  `json:"article_url"`
	ArticleTitle string                  `json:"article_title"`
	Source       string                  `json:"source"`
	Site         string                  `json:"site"`
	StoryID      int64                   `json:"story_id"`
}

func newFigureView(h archive.FigureHit) figureView {
	return figureView{ID: h.ID, Metric: h.Metric, Value: h.Value, Min: h.Min, Max: h.Max, Unit: h.Unit,
		Qualifier: h.Qualifier, Subject: h.Subject, Benchmark: h.Benchmark, AsOf: h.AsOf, Forecast: h.Forecast,
		Surface: h.Surface, Sentence: h.Sentence, Seen: h.Seen, ArticleID: h.ArticleID, ArticleURL: h.ArticleURL,
		ArticleTitle: h.ArticleTitle, Source: h.Source, Site: h.Site, StoryID: h.StoryID}
}

// apiFigures is GET /api/v1/figures, as JSON or CSV.
func (s *server) apiFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var fq archive.FigureQuery
	var err error
	format := strings.ToLower(strings.TrimSpace(q.Get("format")))
	if format != "" && format != "json" && format != "csv" {
		s.fail(w, r, badParam("format", "%q is not json or csv", truncateRunes(format, 32)))
		return
	}
	if fq.Metric, err = s.metricParam(q); err == nil {
		if fq.Subject, err = textParam(q, "subject", maxTextParam); err == nil {
			if fq.Since, fq.Until, err = timeRange(q); err == nil {
				if fq.IncludeForecasts, err = parseBool(q, "forecasts"); err == nil {
					fq.Limit, err = parseLimit(q, defaultLimit, maxLimit)
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hits, err := s.store.Figures(r.Context(), fq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if format == "csv" {
		writeFiguresCSV(w, hits)
		return
	}
	out := struct {
		Figures []figureView `json:"figures"`
	}{make([]figureView, 0, len(hits))}
	for _, h := range hits {
		out.Figures = append(out.Figures, newFigureView(h))
	}
	writeJSON(w, http.StatusOK, out)
}

// figureCSVHeader are the columns of the figures CSV.
var figureCSVHeader = []string{"id", "metric", "value", "min", "max", "unit", "qualifier", "subject", "benchmark",
	"as_of", "forecast", "seen", "source", "site", "article_id", "article_url", "article_title", "surface", "sentence"}

func writeFiguresCSV(w http.ResponseWriter, hits []archive.FigureHit) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="figures.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(figureCSVHeader)
	for _, h := range hits {
		_ = cw.Write([]string{strconv.FormatInt(h.ID, 10), h.Metric, num(h.Value), num(h.Min), num(h.Max), h.Unit,
			string(h.Qualifier), cell(h.Subject), cell(h.Benchmark), h.AsOf, strconv.FormatBool(h.Forecast),
			h.Seen.UTC().Format(time.RFC3339), cell(h.Source), cell(h.Site), strconv.FormatInt(h.ArticleID, 10),
			cell(h.ArticleURL), cell(h.ArticleTitle), cell(h.Surface), cell(h.Sentence)})
	}
	cw.Flush()
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// cell defuses text that a spreadsheet would run as a formula (CSV
// injection): a leading =, +, -, @, tab or carriage return gets a quote.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// apiMilestones is GET /api/v1/milestones: newest first.
func (s *server) apiMilestones(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var mq archive.MilestoneQuery
	var err error
	if mq.Since, mq.Until, err = timeRange(q); err == nil {
		if mq.Metric, err = s.metricParam(q); err == nil {
			mq.Limit, err = parseLimit(q, defaultLimit, maxLimit)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hits, err := s.store.Milestones(r.Context(), mq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if hits == nil {
		hits = []archive.MilestoneHit{}
	}
	writeJSON(w, http.StatusOK, struct {
		Milestones []archive.MilestoneHit `json:"milestones"`
	}{hits})
}

// metricView describes a metric and how many figures the archive has.
type metricView struct {
	Name      string `json:"name"`
	Unit      string `json:"unit"`
	Direction string `json:"direction"` // higher | lower (is better)
	Figures   int    `json:"figures"`
}

// metricViews lists every known metric, in definition order, with counts.
func (s *server) metricViews(r *http.Request) ([]metricView, error) {
	counts, err := s.store.MetricCounts(r.Context())
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range counts {
		n[c.Metric] = c.Figures
	}
	out := make([]metricView, 0, len(s.order))
	for _, name := range s.order {
		d := s.metrics[name]
		out = append(out, metricView{Name: name, Unit: d.Unit, Direction: direction(d.HigherIsBetter), Figures: n[name]})
	}
	return out, nil
}

func direction(higher bool) string {
	if higher {
		return "higher"
	}
	return "lower"
}

// apiMetrics is GET /api/v1/metrics.
func (s *server) apiMetrics(w http.ResponseWriter, r *http.Request) {
	ms, err := s.metricViews(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Metrics []metricView `json:"metrics"`
	}{ms})
}

// seriesPoint is one figure of a series. The API writes it with
// appendPoint (a 100,000-point series is encoded several times faster than
// by encoding/json); the json tags say the same names.
type seriesPoint struct {
	// T is where the figure sits on the time axis: the middle of the
	// period its as_of names, else (or when as_of is more than a month
	// after the article) the time it was stated.
	T         time.Time `json:"t"`
	TimeBasis string    `json:"time_basis"` // as_of | seen
	// Value is what is plotted and fitted: the figure's value, or the
	// geometric mean of a range's bounds, or its one bound.
	Value      float64   `json:"value"`
	FigureID   int64     `json:"figure_id"`
	Min        *float64  `json:"min"`
	Max        *float64  `json:"max"`
	Qualifier  string    `json:"qualifier"`
	Subject    string    `json:"subject"`
	Benchmark  string    `json:"benchmark"`
	AsOf       string    `json:"as_of"`
	Seen       time.Time `json:"seen"`
	Surface    string    `json:"surface"`
	Source     string    `json:"source"`
	Site       string    `json:"site"`
	ArticleID  int64     `json:"article_id"`
	ArticleURL string    `json:"article_url"`
}

// series is a metric's figures over time and their trend.
type series struct {
	Metric    string        `json:"metric"`
	Unit      string        `json:"unit"`
	Direction string        `json:"direction"`
	Total     int           `json:"total"`     // points selected (before limit)
	Truncated bool          `json:"truncated"` // points holds the first limit of them
	Trend     *Trend        `json:"trend"`
	Points    []seriesPoint `json:"points"`
}

// Limits of the points a series returns; the trend always fits them all.
const (
	defaultSeriesLimit = 10000
	maxSeriesLimit     = 100000
)

// plotValue is the value a figure plots at: its value, else the geometric
// mean of its range, else its one bound; ok is false when it has none.
func plotValue(v, lo, hi *float64) (float64, bool) {
	switch {
	case v != nil:
		return *v, true
	case lo != nil && hi != nil && *lo > 0 && *hi > 0:
		return math.Sqrt(*lo * *hi), true
	case lo != nil:
		return *lo, true
	case hi != nil:
		return *hi, true
	}
	return 0, false
}

// pointTime places a figure on the time axis.
func pointTime(asOf string, seen time.Time) (time.Time, string) {
	if t, ok := asOfTime(asOf); ok && !t.After(seen.AddDate(0, 1, 0)) {
		return t, "as_of"
	}
	return seen, "seen"
}

// readSeries reads a metric's series; an unknown metric is not found.
func (s *server) readSeries(r *http.Request, metric string, limit int) (series, error) {
	d, ok := s.metrics[metric]
	if !ok {
		return series{}, notFound("unknown metric %q (known: %s)", truncateRunes(metric, 64), strings.Join(s.order, ", "))
	}
	q := r.URL.Query()
	sq := archive.SeriesQuery{Metric: metric}
	var err error
	if sq.Since, sq.Until, err = timeRange(q); err != nil {
		return series{}, err
	}
	if sq.Subject, err = textParam(q, "subject", maxTextParam); err != nil {
		return series{}, err
	}
	if sq.Benchmark, err = textParam(q, "benchmark", maxTextParam); err != nil {
		return series{}, err
	}
	out := series{Metric: metric, Unit: d.Unit, Direction: direction(d.HigherIsBetter), Points: []seriesPoint{}}
	// One query with the articles for up to limit points, converted as
	// they come; when there are more, the fit reads the values of all of
	// them without the articles.
	out.Points = make([]seriesPoint, 0, min(limit, 256))
	var fit fitter
	read := 0
	sq.Limit = limit + 1
	if err := s.store.Series(r.Context(), sq, func(h archive.SeriesPoint) error {
		if read++; read > limit {
			out.Truncated = true // the extra row only tells that there are more
			return nil
		}
		v, ok := plotValue(h.Value, h.Min, h.Max)
		if !ok {
			return nil
		}
		t, basis := pointTime(h.AsOf, h.Seen)
		fit.add(t, v)
		out.Total++
		out.Points = append(out.Points, seriesPoint{T: t, TimeBasis: basis, Value: v, FigureID: h.FigureID, Min: h.Min,
			Max: h.Max, Qualifier: h.Qualifier, Subject: h.Subject, Benchmark: h.Benchmark, AsOf: h.AsOf, Seen: h.Seen,
			Surface: h.Surface, Source: h.Source, Site: h.Site, ArticleID: h.ArticleID, ArticleURL: h.URL})
		return nil
	}); err != nil {
		return series{}, err
	}
	if out.Truncated {
		fit, out.Total = fitter{}, 0
		err := s.store.SeriesValues(r.Context(), sq, func(p archive.SeriesValue) error {
			if v, ok := plotValue(p.Value, p.Min, p.Max); ok {
				t, _ := pointTime(p.AsOf, p.Seen)
				fit.add(t, v)
				out.Total++
			}
			return nil
		})
		if err != nil {
			return series{}, err
		}
	}
	sortPoints(out.Points)
	out.Trend = fit.trend(!d.HigherIsBetter)
	return out, nil
}

// comparePoints orders points by time, then figure.
func comparePoints(a, b seriesPoint) int {
	if c := a.T.Compare(b.T); c != 0 {
		return c
	}
	return cmp.Compare(a.FigureID, b.FigureID)
}

// sortPoints orders points by time, then figure. They come ordered by
// the time they were stated, so most series are sorted already; those
// placed by their as_of are not.
func sortPoints(ps []seriesPoint) {
	if !slices.IsSortedFunc(ps, comparePoints) {
		slices.SortStableFunc(ps, comparePoints)
	}
}

// apiSeries is GET /api/v1/metrics/{metric}/series.
func (s *server) apiSeries(w http.ResponseWriter, r *http.Request) {
	limit, err := parseLimit(r.URL.Query(), defaultSeriesLimit, maxSeriesLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.readSeries(r, r.PathValue("metric"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSeries(w, out)
}
