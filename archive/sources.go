package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// maxErrorLen caps the stored text of a poll error.
const maxErrorLen = 2000

const sourceColumns = `id, name, kind, url, schedule, full_text, enabled, follow, allowed_domains,
	max_depth, max_pages, delay_ms, origin, etag, last_modified, last_polled_at, last_ok_at,
	last_error_at, last_error, failures, next_attempt_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryRower is a *sql.DB or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanSource(sc scanner) (frontierwatch.Source, error) {
	var (
		src                     frontierwatch.Source
		kind, follow, domains   string
		delayMS                 int64
		polled, ok, errAt, next sql.NullInt64
	)
	err := sc.Scan(&src.ID, &src.Name, &kind, &src.URL, &src.Schedule, &src.FullText, &src.Enabled,
		&follow, &domains, &src.MaxDepth, &src.MaxPages, &delayMS, &src.Origin,
		&src.State.ETag, &src.State.LastModified, &polled, &ok, &errAt, &src.State.LastError,
		&src.State.Failures, &next)
	if err != nil {
		return src, err
	}
	src.Kind = frontierwatch.SourceKind(kind)
	src.Delay = time.Duration(delayMS) * time.Millisecond
	if err := unmarshalList(follow, &src.Follow); err != nil {
		return src, fmt.Errorf("source %q: follow: %w", src.Name, err)
	}
	if err := unmarshalList(domains, &src.AllowedDomains); err != nil {
		return src, fmt.Errorf("source %q: allowed_domains: %w", src.Name, err)
	}
	src.State.LastPolledAt = fromMillis(polled)
	src.State.LastOKAt = fromMillis(ok)
	src.State.LastErrorAt = fromMillis(errAt)
	src.State.NextAttemptAt = fromMillis(next)
	return src, nil
}

// UpsertSource inserts src, or updates the definition of the source of the
// same name while keeping its poll state. An empty Origin means
// OriginUser. It returns the stored source with its ID and State.
func (s *Store) UpsertSource(ctx context.Context, src frontierwatch.Source) (frontierwatch.Source, error) {
	out, err := s.upsertSource(ctx, s.wdb(), src)
	if err != nil {
		return out, fmt.Errorf("archive: upsert source %q: %w", src.Name, err)
	}
	return out, nil
}

func (s *Store) upsertSource(ctx context.Context, q queryRower, src frontierwatch.Source) (frontierwatch.Source, error) {
	if src.Name == "" {
		return src, errors.New("source without a name")
	}
	if src.Origin == "" {
		src.Origin = frontierwatch.OriginUser
	}
	follow, err := marshalList(src.Follow)
	if err != nil {
		return src, err
	}
	domains, err := marshalList(src.AllowedDomains)
	if err != nil {
		return src, err
	}
	row := q.QueryRowContext(ctx, `INSERT INTO sources (name, kind, url, schedule, full_text, enabled,
		follow, allowed_domains, max_depth, max_pages, delay_ms, origin, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (name) DO UPDATE SET
		kind = excluded.kind, url = excluded.url, schedule = excluded.schedule,
		full_text = excluded.full_text, enabled = excluded.enabled, follow = excluded.follow,
		allowed_domains = excluded.allowed_domains, max_depth = excluded.max_depth,
		max_pages = excluded.max_pages, delay_ms = excluded.delay_ms, origin = excluded.origin
	RETURNING `+sourceColumns,
		src.Name, string(src.Kind), src.URL, src.Schedule, src.FullText, src.Enabled,
		follow, domains, src.MaxDepth, src.MaxPages, src.Delay.Milliseconds(), src.Origin,
		s.now().UnixMilli())
	return scanSource(row)
}

// SyncConfigSources makes the config's sources the stored ones, in one
// transaction: each of srcs is upserted with Origin "config", and sources of
// origin "config" that srcs no longer lists are deleted (their articles
// stay). Sources added by the user are left alone, unless srcs names one of
// them: then the config's definition takes it over.
func (s *Store) SyncConfigSources(ctx context.Context, srcs []frontierwatch.Source) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: sync config sources: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	listed := make(map[string]bool, len(srcs))
	for _, src := range srcs {
		src.Origin = frontierwatch.OriginConfig
		if _, err := s.upsertSource(ctx, s.on(tx), src); err != nil {
			return fmt.Errorf("archive: sync config sources: %q: %w", src.Name, err)
		}
		listed[src.Name] = true
	}
	rows, err := s.on(tx).QueryContext(ctx, `SELECT name FROM sources WHERE origin = ?`, frontierwatch.OriginConfig)
	if err != nil {
		return fmt.Errorf("archive: sync config sources: %w", err)
	}
	var gone []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("archive: sync config sources: %w", err)
		}
		if !listed[name] {
			gone = append(gone, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: sync config sources: %w", err)
	}
	for _, name := range gone {
		if _, err := s.on(tx).ExecContext(ctx, `DELETE FROM sources WHERE name = ?`, name); err != nil {
			return fmt.Errorf("archive: sync config sources: delete %q: %w", name, err)
		}
		s.logger.InfoContext(ctx, "removed source no longer in config", "component", "archive", "source", name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: sync config sources: %w", err)
	}
	return nil
}

// Sources returns every source, ordered by name, with its poll state.
func (s *Store) Sources(ctx context.Context) ([]frontierwatch.Source, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("archive: sources: %w", err)
	}
	defer rows.Close()
	var out []frontierwatch.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("archive: sources: %w", err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: sources: %w", err)
	}
	return out, nil
}

// Source returns the source called name; the error wraps ErrNotFound when
// there is none.
func (s *Store) Source(ctx context.Context, name string) (frontierwatch.Source, error) {
	src, err := scanSource(s.rdb().QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return src, fmt.Errorf("archive: source %q: %w", name, err)
	}
	return src, nil
}

// DeleteSource deletes the source called name; its articles stay. The error
// wraps ErrNotFound when there is no such source.
func (s *Store) DeleteSource(ctx context.Context, name string) error {
	res, err := s.wdb().ExecContext(ctx, `DELETE FROM sources WHERE name = ?`, name)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("archive: delete source %q: %w", name, err)
	}
	return nil
}

// RecordFailure records a failed poll of the source at time at: it counts
// one more consecutive failure, keeps msg as the last error, and sets the
// earliest next attempt. It returns the number of consecutive failures.
func (s *Store) RecordFailure(ctx context.Context, sourceID int64, at time.Time, msg string, next time.Time) (failures int, err error) {
	err = s.wdb().QueryRowContext(ctx, `UPDATE sources SET failures = failures + 1, last_polled_at = ?,
		last_error_at = ?, last_error = ?, next_attempt_at = ?
	WHERE id = ? RETURNING failures`,
		millis(at), millis(at), truncate(msg, maxErrorLen), millis(next), sourceID).Scan(&failures)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("archive: record failure of source %d: %w", sourceID, err)
	}
	return failures, nil
}

// RecordNotModified records a poll at time at that the server answered with
// "304 Not Modified": a success that resets the failures and the backoff.
// It is a single UPDATE.
func (s *Store) RecordNotModified(ctx context.Context, sourceID int64, at time.Time) error {
	res, err := s.wdb().ExecContext(ctx, `UPDATE sources SET failures = 0, last_error = '',
		last_polled_at = ?, last_ok_at = ?, next_attempt_at = NULL
	WHERE id = ?`, millis(at), millis(at), sourceID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("archive: record not modified of source %d: %w", sourceID, err)
	}
	return nil
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// millis is t as stored: unix milliseconds, or NULL for the zero time.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMillis reads a stored time back, in UTC.
func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func marshalList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

func unmarshalList(s string, l *[]string) error {
	if s == "" || s == "[]" {
		*l = nil
		return nil
	}
	return json.Unmarshal([]byte(s), l)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
