package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Silence mutes the alerts that match it until a time; it is stored when
// added through the API (the config file's silences are not stored). An
// empty field matches anything.
type Silence struct {
	ID        int64
	Metric    string
	Subject   string
	Source    string // a source name or a site
	Until     time.Time
	Reason    string
	CreatedAt time.Time
}

// AddSilence stores a silence and returns it with its ID and CreatedAt
// (the store's clock).
func (s *Store) AddSilence(ctx context.Context, sil Silence) (Silence, error) {
	if sil.Until.IsZero() {
		return sil, errors.New("archive: add silence: until is required")
	}
	sil.Metric, sil.Subject, sil.Source = strings.TrimSpace(sil.Metric), strings.TrimSpace(sil.Subject), strings.TrimSpace(sil.Source)
	sil.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	err := s.wdb().QueryRowContext(ctx, `INSERT INTO silences (metric, subject, source, until, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sil.Metric, sil.Subject, sil.Source, sil.Until.UnixMilli(),
		sil.Reason, sil.CreatedAt.UnixMilli()).Scan(&sil.ID)
	if err != nil {
		return sil, fmt.Errorf("archive: add silence: %w", err)
	}
	sil.Until = time.UnixMilli(sil.Until.UnixMilli()).UTC()
	return sil, nil
}

// Silences returns the stored silences that end after activeAt, oldest
// first; all of them when activeAt is zero.
func (s *Store) Silences(ctx context.Context, activeAt time.Time) ([]Silence, error) {
	q := `SELECT id, metric, subject, source, until, reason, created_at FROM silences`
	var args []any
	if !activeAt.IsZero() {
		q += ` WHERE until > ?`
		args = append(args, activeAt.UnixMilli())
	}
	rows, err := s.rdb().QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: silences: %w", err)
	}
	defer rows.Close()
	out := []Silence{}
	for rows.Next() {
		var sil Silence
		var until, created int64
		if err := rows.Scan(&sil.ID, &sil.Metric, &sil.Subject, &sil.Source, &until, &sil.Reason, &created); err != nil {
			return nil, fmt.Errorf("archive: silences: %w", err)
		}
		sil.Until, sil.CreatedAt = time.UnixMilli(until).UTC(), time.UnixMilli(created).UTC()
		out = append(out, sil)
	}
	return out, rows.Err()
}

// DeleteSilence deletes a stored silence; the error wraps ErrNotFound when
// there is none with that ID.
func (s *Store) DeleteSilence(ctx context.Context, id int64) error {
	res, err := s.wdb().ExecContext(ctx, `DELETE FROM silences WHERE id = ?`, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("archive: delete silence %d: %w", id, err)
	}
	return nil
}
