package archive

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	DeliverySilenced  = "silenced"
)

// MilestoneSource is one article that reports a milestone.
type MilestoneSource struct {
	Site      string    `json:"site"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	Published time.Time `json:"published,omitzero"`
}

// Milestone returns one milestone with its figure and the articles that
// report it (oldest first).
func (s *Store) Milestone(ctx context.Context, id int64) (MilestoneHit, []MilestoneSource, error) {
	ms, err := s.milestones(ctx, " WHERE m.id = ?", []any{id}, 1)
	if err != nil {
		return MilestoneHit{}, nil, err
	}
	if len(ms) == 0 {
		return MilestoneHit{}, nil, fmt.Errorf("archive: milestone %d: %w", id, ErrNotFound)
	}
	rows, err := s.rdb().QueryContext(ctx, `SELECT ms.site, a.url, a.title, a.source, coalesce(a.published_at, a.fetched_at)
		FROM milestone_sources ms JOIN articles a ON a.id = ms.article_id
		WHERE ms.milestone_id = ? ORDER BY ms.added_at, a.id`, id)
	if err != nil {
		return MilestoneHit{}, nil, fmt.Errorf("archive: milestone %d sources: %w", id, err)
	}
	defer rows.Close()
	var srcs []MilestoneSource
	for rows.Next() {
		var m MilestoneSource
		var pub int64
		if err := rows.Scan(&m.Site, &m.URL, &m.Title, &m.Source, &pub); err != nil {
			return MilestoneHit{}, nil, fmt.Errorf("archive: milestone %d sources: %w", id, err)
		}
		m.Published = time.UnixMilli(pub).UTC()
		srcs = append(srcs, m)
	}
	return ms[0], srcs, rows.Err()
}

// RecordDelivery records an attempt to deliver a milestone on a channel:
// its new state and, for a failed attempt, the error.
func (s *Store) RecordDelivery(ctx context.Context, milestoneID int64, channel, state, errMsg string, at time.Time) error {
	var finished any
	if state != DeliveryPending {
		finished = at.UnixMilli()
	}
	_, err := s.wdb().ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, finished_at = ?
		WHERE milestone_id = ? AND channel = ?`, state, truncate(errMsg, 2000), finished, milestoneID, channel)
	if err != nil {
		return fmt.Errorf("archive: record delivery: %w", err)
	}
	return nil
}

// PendingDeliveries returns the milestones waiting for delivery on a
// channel (a digest's content), oldest first.
func (s *Store) PendingDeliveries(ctx context.Context, channel string, limit int) ([]int64, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT milestone_id FROM deliveries WHERE channel = ? AND state = 'pending'
		ORDER BY created_at, milestone_id LIMIT ?`, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: pending deliveries: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DeliveryCounts counts deliveries by state, over every channel or those
// given.
func (s *Store) DeliveryCounts(ctx context.Context, channels ...string) (map[string]int, error) {
	q := `SELECT state, count(*) FROM deliveries`
	var args []any
	if len(channels) > 0 {
		q += ` WHERE channel IN (?` + strings.Repeat(", ?", len(channels)-1) + `)`
		for _, c := range channels {
			args = append(args, c)
		}
	}
	rows, err := s.rdb().QueryContext(ctx, q+` GROUP BY state`, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: delivery counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
