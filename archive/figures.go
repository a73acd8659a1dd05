package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// Tx is the write transaction of one CommitPoll, handed to its hook so
// that figures, milestones and the deliveries they raise are stored
// atomically with the articles: a crash loses all of them or none.
type Tx struct {
	s  *Store
	tx *sql.Tx
	at time.Time
}

// SQL is the underlying transaction, for inserting jobs in it (River).
func (t *Tx) SQL() *sql.Tx { return t.tx }

// At is the time of the poll being committed.
func (t *Tx) At() time.Time { return t.at }

// FigureRow is a figure as stored, with what records compare.
type FigureRow struct {
	frontierwatch.Figure
	Key        string   // metric, or metric/benchmark
	Comparable *float64 // nil when the figure has no comparable value
	SeenAt     time.Time
}

// InsertFigure stores one figure of an article and returns its ID.
func (t *Tx) InsertFigure(ctx context.Context, articleID int64, f FigureRow) (int64, error) {
	id, err := t.s.insertID(ctx, t.tx, qInsertFigure,
		articleID, f.Metric, f.Key, f.Value, f.Min, f.Max, f.Comparable, f.Unit, string(f.Qualifier), f.Subject,
		f.Benchmark, f.AsOf, f.Forecast, f.Surface, f.Sentence, f.SeenAt.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("archive: insert figure: %w", err)
	}
	return id, nil
}

// Best returns the best comparable value among the non-forecast figures of
// key stored before figure beforeID: the largest, or the smallest when
// lower is better. known is false when there is none.
func (t *Tx) Best(ctx context.Context, key string, lower bool, beforeID int64) (best float64, known bool, err error) {
	q := qBestMax
	if lower {
		q = qBestMin
	}
	var v sql.NullFloat64
	err = t.s.txQueryRow(ctx, t.tx, q, key, beforeID).Scan(&v)
	if err != nil {
		return 0, false, fmt.Errorf("archive: best of %s: %w", key, err)
	}
	return v.Float64, v.Valid, nil
}

// MilestoneRow is a milestone as stored.
type MilestoneRow struct {
	Kind       frontierwatch.MilestoneKind
	Metric     string
	Key        string
	Subject    string
	Benchmark  string
	Value      float64
	Unit       string
	Beats      *float64
	Threshold  string
	FigureID   int64
	StoryID    int64
	DetectedAt time.Time
	Alert      bool // false: reported before alerts.since; never delivered
}

// InsertMilestone stores a new milestone and returns its ID.
func (t *Tx) InsertMilestone(ctx context.Context, m MilestoneRow) (int64, error) {
	id, err := t.s.insertID(ctx, t.tx, qInsertMilestone,
		string(m.Kind), m.Metric, m.Key, m.Subject, m.Benchmark, m.Value, m.Unit, m.Beats, m.Threshold,
		m.FigureID, m.StoryID, m.DetectedAt.UnixMilli(), m.Alert)
	if err != nil {
		return 0, fmt.Errorf("archive: insert milestone: %w", err)
	}
	return id, nil
}

// SameMilestone finds the milestone a later report of a claim belongs to:
// one of the same key made from an article of the same story, else one of
// the same key and subject whose value is within 2%. It returns 0 when
// there is none, and the milestone's kind.
func (t *Tx) SameMilestone(ctx context.Context, key, subject string, value float64, storyID int64) (int64, frontierwatch.MilestoneKind, error) {
	var id int64
	var kind string
	err := t.s.txQueryRow(ctx, t.tx, qSameMilestone, key, storyID, value, strings.TrimSpace(subject)).Scan(&id, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("archive: same milestone: %w", err)
	}
	return id, frontierwatch.MilestoneKind(kind), nil
}

// AddMilestoneSource records that an article reports a milestone and
// returns the milestone's count of distinct sites, whether it may alert,
// and whether this article was new to it.
func (t *Tx) AddMilestoneSource(ctx context.Context, milestoneID, articleID, figureID int64, site string) (sites int, alert, added bool, err error) {
	res, err := t.s.txExec(ctx, t.tx, qAddMilestoneSource, milestoneID, articleID, figureID, site, t.at.UnixMilli())
	if err != nil {
		return 0, false, false, fmt.Errorf("archive: milestone source: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := t.s.lockRow(ctx, t.tx, "milestones", milestoneID); err != nil {
		return 0, false, false, fmt.Errorf("archive: milestone source: %w", err)
	}
	err = t.s.txQueryRow(ctx, t.tx, qCountMilestoneSites, milestoneID).Scan(&sites, &alert)
	if err != nil {
		return 0, false, false, fmt.Errorf("archive: milestone source: %w", err)
	}
	return sites, alert, n > 0, nil
}

// Confirm marks a milestone confirmed (enough distinct sites), once; it
// reports whether this call confirmed it.
func (t *Tx) Confirm(ctx context.Context, milestoneID int64) (bool, error) {
	res, err := t.s.txExec(ctx, t.tx, qConfirmMilestone,
		t.at.UnixMilli(), milestoneID)
	if err != nil {
		return false, fmt.Errorf("archive: confirm milestone: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// AddDelivery records that a milestone is due on a channel, once: it
// reports false when the pair was recorded before (never deliver twice).
func (t *Tx) AddDelivery(ctx context.Context, milestoneID int64, channel, state string) (bool, error) {
	res, err := t.s.txExec(ctx, t.tx, qAddDelivery, milestoneID, channel, state, t.at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("archive: add delivery: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SkipURLs remembers URLs of articles that were not archived (they matched
// no topic), so they are known and not examined again.
func (t *Tx) SkipURLs(ctx context.Context, source string, urls []string) error {
	for _, u := range urls {
		if _, err := t.s.txExec(ctx, t.tx, qSkipURL,
			u, source, t.at.UnixMilli()); err != nil {
			return fmt.Errorf("archive: skip url: %w", err)
		}
	}
	return nil
}

// Meta returns a stored fact, or "" when it is not set.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.rdb().QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("archive: meta %q: %w", key, err)
	}
	return v, nil
}

// SetMetaOnce stores a fact unless it is already set, and returns the
// stored value (the earlier one when there was one).
func (s *Store) SetMetaOnce(ctx context.Context, key, value string) (string, error) {
	if _, err := s.wdb().ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, value); err != nil {
		return "", fmt.Errorf("archive: meta %q: %w", key, err)
	}
	var v string
	if err := s.wdb().QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("archive: meta %q: %w", key, err)
	}
	return v, nil
}

// withTx runs fn in a write transaction (tests and maintenance).
func (s *Store) withTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(&Tx{s: s, tx: tx, at: time.Now()}); err != nil {
		return err
	}
	return tx.Commit()
}

// Statements of write transactions, prepared once at Open.
var (
	qInsertFigure = txQuery(`INSERT INTO figures (article_id, metric, key, value, min, max, comparable,
		unit, qualifier, subject, benchmark, as_of, forecast, surface, sentence, seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qBestMax = txQuery(`SELECT max(comparable) FROM figures
		WHERE key = ? AND forecast = 0 AND comparable IS NOT NULL AND id < ?`)
	qBestMin = txQuery(`SELECT min(comparable) FROM figures
		WHERE key = ? AND forecast = 0 AND comparable IS NOT NULL AND id < ?`)
	qInsertMilestone = txQuery(`INSERT INTO milestones (kind, metric, key, subject, benchmark, value, unit,
		beats, threshold, figure_id, story_id, detected_at, alert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qSameMilestone = txQuery(`SELECT id, kind FROM milestones
		WHERE key = ?1 AND (
			(story_id = ?2 AND ?2 != 0 AND abs(value - ?3) <= 0.02 * max(abs(value), abs(?3)))
			OR (lower(subject) = lower(?4) AND abs(value - ?3) <= 0.02 * max(abs(value), abs(?3))))
		ORDER BY (story_id = ?2) DESC, id DESC LIMIT 1`)
	qAddMilestoneSource = txQuery(`INSERT INTO milestone_sources (milestone_id, article_id, figure_id, site, added_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qCountMilestoneSites = txQuery(`UPDATE milestones SET
		sites = (SELECT count(DISTINCT site) FROM milestone_sources WHERE milestone_id = ?1)
		WHERE id = ?1 RETURNING sites, alert`)
	qConfirmMilestone = txQuery(`UPDATE milestones SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL`)
	qAddDelivery      = txQuery(`INSERT INTO deliveries (milestone_id, channel, state, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (milestone_id, channel) DO NOTHING`)
	qSkipURL = txQuery(`INSERT INTO skipped_urls (url, source, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
)
