package archive

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SeriesQuery selects the figures of one metric for a chart.
type SeriesQuery struct {
	Metric           string // required
	Subject          string // case-insensitive substring; empty means any
	Benchmark        string // case-insensitive, exact; empty means any
	Since, Until     time.Time
	IncludeForecasts bool
	// Limit caps the figures Series reads (the first by time stated);
	// 0 means all. SeriesValues ignores it.
	Limit int
}

// SeriesPoint is a figure as a chart needs it: its value, when it was
// stated, and where (the article's source, site and URL).
type SeriesPoint struct {
	FigureID, ArticleID int64
	Value, Min, Max     *float64
	Qualifier           string
	Subject, Benchmark  string
	AsOf                string
	Surface             string
	Seen                time.Time // the article's published time, else its fetch time
	Source, Site, URL   string
}

// Series calls fn with the figures of q.Metric that q selects, oldest
// first (by the time it was stated), with their articles' sources, up to
// q.Limit (0: all of them: a chart needs them all). It streams, so a long
// series costs no more memory than fn keeps. An error from fn stops the
// walk and is returned as it is.
func (s *Store) Series(ctx context.Context, q SeriesQuery, fn func(SeriesPoint) error) error {
	where, args := seriesWhere(q)
	lim := ""
	if q.Limit > 0 {
		lim = " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := s.rdb().QueryContext(ctx, `SELECT f.id, f.article_id, f.value, f.min, f.max, f.qualifier, f.subject,
		f.benchmark, f.as_of, f.surface, f.seen_at, a.source, a.site, a.url
	FROM figures f JOIN articles a ON a.id = f.article_id
	WHERE `+where+`
	ORDER BY f.seen_at, f.id`+lim, args...)
	if err != nil {
		return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
	}
	defer rows.Close()
	var v, lo, hi sql.NullFloat64
	var seen int64
	for rows.Next() {
		var p SeriesPoint
		if err := rows.Scan(&p.FigureID, &p.ArticleID, &v, &lo, &hi, &p.Qualifier, &p.Subject, &p.Benchmark, &p.AsOf,
			&p.Surface, &seen, &p.Source, &p.Site, &p.URL); err != nil {
			return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
		}
		p.Value, p.Min, p.Max = nullFloat(v), nullFloat(lo), nullFloat(hi)
		p.Seen = time.UnixMilli(seen).UTC()
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
	}
	return nil
}

// seriesWhere is the WHERE clause of q's figures, on "f": always of its
// metric (an empty one selects nothing).
func seriesWhere(q SeriesQuery) (string, []any) {
	conds, args := figureConds(FigureQuery{Subject: q.Subject, Benchmark: q.Benchmark, Since: q.Since, Until: q.Until,
		IncludeForecasts: q.IncludeForecasts})
	where := "f.metric = ?"
	if conds != "" {
		where += " AND " + conds
	}
	return where, append([]any{q.Metric}, args...)
}

// SeriesValue is what a trend fit needs of a figure.
type SeriesValue struct {
	Value, Min, Max *float64
	AsOf            string
	Seen            time.Time
}

// SeriesValues calls fn with the values of every figure q selects (its
// Limit aside), oldest first. It reads the figures alone, without their
// articles, so fitting a long series is cheap.
func (s *Store) SeriesValues(ctx context.Context, q SeriesQuery, fn func(SeriesValue) error) error {
	where, args := seriesWhere(q)
	rows, err := s.rdb().QueryContext(ctx, `SELECT f.value, f.min, f.max, f.as_of, f.seen_at FROM figures f
	WHERE `+where+` ORDER BY f.seen_at, f.id`, args...)
	if err != nil {
		return fmt.Errorf("archive: series values of %s: %w", q.Metric, err)
	}
	defer rows.Close()
	var v, lo, hi sql.NullFloat64
	var seen int64
	for rows.Next() {
		var p SeriesValue
		if err := rows.Scan(&v, &lo, &hi, &p.AsOf, &seen); err != nil {
			return fmt.Errorf("archive: series values of %s: %w", q.Metric, err)
		}
		p.Value, p.Min, p.Max = nullFloat(v), nullFloat(lo), nullFloat(hi)
		p.Seen = time.UnixMilli(seen).UTC()
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: series values of %s: %w", q.Metric, err)
	}
	return nil
}

// MetricCount is how many figures (forecasts apart) of a metric are stored,
// and when the first and last were stated.
type MetricCount struct {
	Metric      string    `json:"metric"`
	Figures     int       `json:"figures"`
	First, Last time.Time `json:"-"`
}

// MetricCounts returns the metrics that have at least one non-forecast
// figure, by name.
func (s *Store) MetricCounts(ctx context.Context) ([]MetricCount, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT metric, count(*), min(seen_at), max(seen_at)
		FROM figures WHERE forecast = 0 GROUP BY metric ORDER BY metric`)
	if err != nil {
		return nil, fmt.Errorf("archive: metric counts: %w", err)
	}
	defer rows.Close()
	var out []MetricCount
	for rows.Next() {
		var c MetricCount
		var first, last int64
		if err := rows.Scan(&c.Metric, &c.Figures, &first, &last); err != nil {
			return nil, fmt.Errorf("archive: metric counts: %w", err)
		}
		c.First, c.Last = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
