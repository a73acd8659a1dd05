package archive

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// FigureQuery selects figures: by metric, subject (case-insensitive
// substring), the time they were stated (the article's published time, else
// its fetch time), and whether forecasts are included.
type FigureQuery struct {
	Metric           string
	Subject          string
	Since, Until     time.Time
	Benchmark        string // case-insensitive, exact; empty means any
	IncludeForecasts bool
	Limit            int // default DefaultLimit, at most MaxLimit
}

// figureConds is the condition (on "f", without WHERE; "" when there is
// none) and arguments that select q's figures. Listings and series share it.
func figureConds(q FigureQuery) (string, []any) {
	var where []string
	var args []any
	if q.Metric != "" {
		where, args = append(where, "f.metric = ?"), append(args, q.Metric)
	}
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
	return strings.Join(where, " AND "), args
}

// FigureHit is a stored figure with the article that states it.
type FigureHit struct {
	frontierwatch.Figure
	Seen         time.Time `json:"seen"`
	ArticleURL   string    `json:"article_url"`
	ArticleTitle string    `json:"article_title"`
	Source       string    `json:"source"`
	Site         string    `json:"site"`
	StoryID      int64     `json:"story_id"`
}

// Figures lists stored figures, oldest first, so a metric reads as a series.
func (s *Store) Figures(ctx context.Context, q FigureQuery) ([]FigureHit, error) {
	w, args := figureConds(q)
	if w != "" {
		w = " WHERE " + w
	}
	args = append(args, limit(q.Limit))
	rows, err := s.rdb().QueryContext(ctx, figureHitSelect+w+`
	ORDER BY f.seen_at, f.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: figures: %w", err)
	}
	defer rows.Close()
	out := []FigureHit{}
	for rows.Next() {
		h, err := scanFigureHit(rows)
		if err != nil {
			return nil, fmt.Errorf("archive: figures: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// figureHitSelect selects what scanFigureHit reads.
const figureHitSelect = `SELECT f.id, f.article_id, f.metric, f.value, f.min, f.max, f.unit, f.qualifier,
		f.subject, f.benchmark, f.as_of, f.forecast, f.surface, f.sentence, f.seen_at,
		a.url, a.title, a.source, a.site, coalesce(a.story_id, 0)
	FROM figures f JOIN articles a ON a.id = f.article_id`

func scanFigureHit(sc scanner) (FigureHit, error) {
	var h FigureHit
	var v, lo, hi sql.NullFloat64
	var qual string
	var seen int64
	if err := sc.Scan(&h.ID, &h.ArticleID, &h.Metric, &v, &lo, &hi, &h.Unit, &qual, &h.Subject, &h.Benchmark,
		&h.AsOf, &h.Forecast, &h.Surface, &h.Sentence, &seen, &h.ArticleURL, &h.ArticleTitle, &h.Source, &h.Site, &h.StoryID); err != nil {
		return h, err
	}
	h.Value, h.Min, h.Max = nullFloat(v), nullFloat(lo), nullFloat(hi)
	h.Qualifier = frontierwatch.Qualifier(qual)
	h.Seen = time.UnixMilli(seen).UTC()
	return h, nil
}

// ArticleFigures returns the figures an article states, in order.
func (s *Store) ArticleFigures(ctx context.Context, articleID int64) ([]frontierwatch.Figure, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT id, article_id, metric, value, min, max, unit, qualifier, subject,
		benchmark, as_of, forecast, surface, sentence FROM figures WHERE article_id = ? ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("archive: article figures: %w", err)
	}
	defer rows.Close()
	var out []frontierwatch.Figure
	for rows.Next() {
		var f frontierwatch.Figure
		var v, lo, hi sql.NullFloat64
		var qual string
		if err := rows.Scan(&f.ID, &f.ArticleID, &f.Metric, &v, &lo, &hi, &f.Unit, &qual, &f.Subject, &f.Benchmark,
			&f.AsOf, &f.Forecast, &f.Surface, &f.Sentence); err != nil {
			return nil, fmt.Errorf("archive: article figures: %w", err)
		}
		f.Value, f.Min, f.Max = nullFloat(v), nullFloat(lo), nullFloat(hi)
		f.Qualifier = frontierwatch.Qualifier(qual)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MilestoneQuery selects milestones by detection time and metric.
type MilestoneQuery struct {
	Since, Until time.Time
	Metric       string
	Limit        int
}

// MilestoneHit is a stored milestone with what supports it.
type MilestoneHit struct {
	frontierwatch.Milestone
	Unit        string     `json:"unit"`
	Benchmark   string     `json:"benchmark,omitempty"`
	Threshold   string     `json:"threshold,omitempty"`
	Sites       int        `json:"sites"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
	Alert       bool       `json:"alert"` // false: from before alerts.since
	Figure      FigureHit  `json:"figure"`
}

// Milestones lists milestones, newest first, with their first figure and
// the sites that report them.
func (s *Store) Milestones(ctx context.Context, q MilestoneQuery) ([]MilestoneHit, error) {
	var where []string
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "m.detected_at >= ?"), append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		where, args = append(where, "m.detected_at < ?"), append(args, q.Until.UnixMilli())
	}
	if q.Metric != "" {
		where, args = append(where, "m.metric = ?"), append(args, q.Metric)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	return s.milestones(ctx, w, args, limit(q.Limit))
}

// milestones runs a milestone query with the given WHERE clause.
func (s *Store) milestones(ctx context.Context, where string, args []any, n int) ([]MilestoneHit, error) {
	args = append(args, n)
	rows, err := s.rdb().QueryContext(ctx, `SELECT m.id, m.kind, m.metric, m.subject, m.value, m.beats, m.detected_at,
		m.unit, m.benchmark, m.threshold, m.sites, m.confirmed_at, m.alert, m.figure_id,
		(SELECT group_concat(site, ' ') FROM (SELECT DISTINCT site FROM milestone_sources WHERE milestone_id = m.id ORDER BY site) AS milestone_sites)
	FROM milestones m`+where+` ORDER BY m.detected_at DESC, m.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: milestones: %w", err)
	}
	var out []MilestoneHit
	var figIDs []int64
	for rows.Next() {
		var h MilestoneHit
		var beats sql.NullFloat64
		var detected int64
		var confirmed sql.NullInt64
		var kind string
		var sites sql.NullString
		var fid int64
		if err := rows.Scan(&h.ID, &kind, &h.Metric, &h.Subject, &h.Value, &beats, &detected, &h.Unit, &h.Benchmark,
			&h.Threshold, &h.Sites, &confirmed, &h.Alert, &fid, &sites); err != nil {
			rows.Close()
			return nil, fmt.Errorf("archive: milestones: %w", err)
		}
		h.Kind = frontierwatch.MilestoneKind(kind)
		h.Beats = nullFloat(beats)
		h.DetectedAt = time.UnixMilli(detected).UTC()
		if confirmed.Valid {
			c := time.UnixMilli(confirmed.Int64).UTC()
			h.ConfirmedAt = &c
		}
		h.Sources = strings.Fields(sites.String)
		h.Figures = []int64{fid}
		out = append(out, h)
		figIDs = append(figIDs, fid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: milestones: %w", err)
	}
	for i, fid := range figIDs {
		f, err := s.figure(ctx, fid)
		if err != nil {
			return nil, err
		}
		out[i].Figure = f
	}
	return out, nil
}

// figure reads one figure with its article.
func (s *Store) figure(ctx context.Context, id int64) (FigureHit, error) {
	h, err := scanFigureHit(s.rdb().QueryRowContext(ctx, figureHitSelect+` WHERE f.id = ?`, id))
	if err != nil {
		return h, fmt.Errorf("archive: figure %d: %w", id, err)
	}
	return h, nil
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

func limit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}
