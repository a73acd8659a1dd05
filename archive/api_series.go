package archive

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SeriesQuery selects the figures of one metric for a chart.
type SeriesQuery struct {
	Metric           string // required
	Subject          string // case-insensitive substring; empty means any
	Benchmark        string // case-insensitive, exact; empty means any
	Since, Until     time.Time
	IncludeForecasts bool
}

// Series calls fn with every figure of q.Metric that q selects, oldest
// first (by the time it was stated), without a limit: a chart needs them
// all. It streams, so a long series costs no more memory than fn keeps. An
// error from fn stops the walk and is returned as it is.
func (s *Store) Series(ctx context.Context, q SeriesQuery, fn func(FigureHit) error) error {
	where := []string{"f.metric = ?"}
	args := []any{q.Metric}
	if q.Subject != "" {
		where, args = append(where, "instr(lower(f.subject), lower(?)) > 0"), append(args, q.Subject)
	}
	if q.Benchmark != "" {
		where, args = append(where, "lower(f.benchmark) = lower(?)"), append(args, strings.TrimSpace(q.Benchmark))
	}
	if !q.Since.IsZero() {
		where, args = append(where, "f.seen_at >= ?"), append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		where, args = append(where, "f.seen_at < ?"), append(args, q.Until.UnixMilli())
	}
	if !q.IncludeForecasts {
		where = append(where, "f.forecast = 0")
	}
	rows, err := s.r.QueryContext(ctx, figureHitSelect+` WHERE `+strings.Join(where, " AND ")+`
	ORDER BY f.seen_at, f.id`, args...)
	if err != nil {
		return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanFigureHit(rows)
		if err != nil {
			return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: series of %s: %w", q.Metric, err)
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
	rows, err := s.r.QueryContext(ctx, `SELECT metric, count(*), min(seen_at), max(seen_at)
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
