package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Copying an archive from one database to another (SQLite to PostgreSQL,
// and back, or between two files): table by table, in batches, keeping the
// IDs so that references between tables stay valid. Each batch is one
// transaction on the target whose INSERTs skip the rows already there (ON
// CONFLICT DO NOTHING), so a copy that was interrupted resumes where it
// stopped when run again, and a copy run twice copies nothing the second
// time. River's tables (the job queue) and the migrations' bookkeeping are
// not copied: the target's Open migrated it already.
//
// Rows of the target that clash with the source's (the same ID or URL with
// other content) are kept as they are: copying into an archive that has
// its own articles merges what does not clash and skips the rest.

// copyBatch is how many rows one transaction on the target inserts.
const copyBatch = 1000

// copyMaxParams bounds the parameters of one INSERT: PostgreSQL allows
// 65535 and each statement is a round trip; SQLite allows 32766 but binds
// a long list in quadratic time (16,000 take seconds), and its statements
// cost no round trip.
const (
	copyMaxParamsPG     = 30000
	copyMaxParamsSQLite = 1000
)

// copyTable describes one table to copy: its columns (the first ones are
// its key, by which rows are read in order) and whether the key is a
// single integer id (which a resumed copy starts after).
type copyTable struct {
	name string
	key  []string
	cols []string // key columns first
	id   bool
}

// copyTables are the archive's tables in an order that respects their
// references (stories before the articles that belong to them, articles
// before their figures, figures before milestones, …).
var copyTables = []copyTable{
	{name: "sources", key: []string{"id"}, id: true, cols: []string{"id", "name", "kind", "url", "schedule", "full_text", "enabled", "follow",
		"allowed_domains", "max_depth", "max_pages", "delay_ms", "origin", "created_at", "etag", "last_modified", "last_polled_at",
		"last_ok_at", "last_error_at", "last_error", "failures", "next_attempt_at"}},
	{name: "stories", key: []string{"id"}, id: true, cols: []string{"id", "first_seen", "articles", "sites"}},
	{name: "articles", key: []string{"id"}, id: true, cols: []string{"id", "url", "source", "guid", "title", "author", "published_at",
		"fetched_at", "text", "language", "content_hash", "simhash", "story_id", "topics", "simhash_tail", "site"}},
	{name: "figures", key: []string{"id"}, id: true, cols: []string{"id", "article_id", "metric", "key", "value", "min", "max", "comparable",
		"unit", "qualifier", "subject", "benchmark", "as_of", "forecast", "surface", "sentence", "seen_at"}},
	{name: "milestones", key: []string{"id"}, id: true, cols: []string{"id", "kind", "metric", "key", "subject", "benchmark", "value", "unit",
		"beats", "threshold", "figure_id", "story_id", "detected_at", "confirmed_at", "sites", "alert"}},
	{name: "milestone_sources", key: []string{"milestone_id", "article_id"}, cols: []string{"milestone_id", "article_id", "figure_id", "site", "added_at"}},
	{name: "deliveries", key: []string{"id"}, id: true, cols: []string{"id", "milestone_id", "channel", "state", "attempts", "last_error",
		"created_at", "finished_at"}},
	{name: "skipped_urls", key: []string{"url"}, cols: []string{"url", "source", "at"}},
	{name: "meta", key: []string{"key"}, cols: []string{"key", "value"}},
	{name: "silences", key: []string{"id"}, id: true, cols: []string{"id", "metric", "subject", "source", "until", "reason", "created_at"}},
	{name: "crawl_urls", key: []string{"source_id", "key"}, cols: []string{"source_id", "key", "url", "depth", "state", "attempts",
		"last_error", "title", "published_at", "found_at", "updated_at"}},
	{name: "crawl_validators", key: []string{"source_id", "url"}, cols: []string{"source_id", "url", "etag", "last_modified", "updated_at"}},
}

// CopyTables returns the names of the tables Copy copies, in its order.
func CopyTables() []string {
	out := make([]string, len(copyTables))
	for i, t := range copyTables {
		out[i] = t.name
	}
	return out
}

// Copy copies every archived row of from into to, keeping IDs, and returns
// how many rows it inserted. Both stores are open (Open migrated them);
// Copy opens and closes nothing. It is resumable: rows already in to are
// skipped, so running it again after an interruption copies the rest, and
// running it once more copies nothing. Afterwards new rows of to get IDs
// after the copied ones, and on SQLite the full-text index covers them.
//
// progress, when not nil, is called with a table's name, how many of the
// source's rows are done and how many it has: once when the table starts
// and after each batch.
func Copy(ctx context.Context, from, to *Store, progress func(table string, done, total int64)) (copied int64, err error) {
	if from == nil || to == nil {
		return 0, errors.New("archive: copy: nil store")
	}
	if from == to || (from.path != "" && from.path == to.path) || (from.dsn != "" && from.dsn == to.dsn) {
		return 0, errors.New("archive: copy: source and target are the same database")
	}
	for _, t := range copyTables {
		n, err := copyOne(ctx, from, to, t, progress)
		copied += n
		if err != nil {
			return copied, fmt.Errorf("archive: copy %s: %w", t.name, err)
		}
		if t.name == "articles" {
			if _, err := to.IndexPending(ctx, 0); err != nil {
				return copied, fmt.Errorf("archive: copy: %w", err)
			}
		}
	}
	if err := resetSequences(ctx, to); err != nil {
		return copied, fmt.Errorf("archive: copy: reset ids: %w", err)
	}
	return copied, nil
}

// copyOne copies table t in batches and returns how many rows it inserted.
func copyOne(ctx context.Context, from, to *Store, t copyTable, progress func(string, int64, int64)) (int64, error) {
	var total int64
	if err := from.r.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&total); err != nil {
		return 0, err
	}
	// Resume: an id table continues after the target's last id; the
	// others start over (their conflicting rows are skipped).
	var after []any
	var done int64
	if t.id {
		var maxID sql.NullInt64
		if err := to.w.QueryRowContext(ctx, `SELECT max(id) FROM `+t.name).Scan(&maxID); err != nil {
			return 0, err
		}
		if maxID.Valid {
			after = []any{maxID.Int64}
			q := `SELECT count(*) FROM ` + t.name + ` WHERE id <= ` + placeholder(from.d.pg, 1)
			if err := from.r.QueryRowContext(ctx, q, maxID.Int64).Scan(&done); err != nil {
				return 0, err
			}
		}
	}
	if progress != nil {
		progress(t.name, done, total)
	}
	var copied int64
	for {
		rows, err := readBatch(ctx, from, t, after)
		if err != nil {
			return copied, err
		}
		if len(rows) == 0 {
			return copied, nil
		}
		n, err := writeBatch(ctx, to, t, rows)
		copied += n
		if err != nil {
			return copied, err
		}
		done += int64(len(rows))
		if progress != nil {
			progress(t.name, done, max(done, total))
		}
		last := rows[len(rows)-1]
		after = last[:len(t.key)]
		if len(rows) < copyBatch {
			return copied, nil
		}
	}
}

// readBatch reads up to copyBatch rows of t from the source, in key order,
// after the key values after (from the start when nil).
func readBatch(ctx context.Context, s *Store, t copyTable, after []any) ([][]any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s", strings.Join(t.cols, ", "), t.name)
	if after != nil {
		ph := make([]string, len(after))
		for i := range after {
			ph[i] = placeholder(s.d.pg, i+1)
		}
		fmt.Fprintf(&b, " WHERE (%s) > (%s)", strings.Join(t.key, ", "), strings.Join(ph, ", "))
	}
	fmt.Fprintf(&b, " ORDER BY %s LIMIT %d", strings.Join(t.key, ", "), copyBatch)
	rows, err := s.r.QueryContext(ctx, b.String(), after...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = copyValue(v)
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// copyValue normalises a scanned value for binding on either backend: the
// archive has no binary columns, so bytes are text; integers are int64.
func copyValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

// writeBatch inserts rows into t on the target in one transaction, skipping
// rows that conflict with existing ones, and returns how many it inserted.
func writeBatch(ctx context.Context, s *Store, t copyTable, rows [][]any) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	limit := copyMaxParamsSQLite
	if s.d.pg {
		limit = copyMaxParamsPG
	}
	per := max(1, limit/len(t.cols))
	var n int64
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		res, err := tx.ExecContext(ctx, insertSQL(s.d.pg, t, len(chunk)), flatten(chunk)...)
		if err != nil {
			return 0, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += k
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// insertSQL is the INSERT of n rows of t that skips conflicting rows.
func insertSQL(pg bool, t copyTable, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	p := 0
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			p++
			b.WriteString(placeholder(pg, p))
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	return b.String()
}

func flatten(rows [][]any) []any {
	out := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// placeholder is the i-th (1-based) parameter in the backend's syntax.
func placeholder(pg bool, i int) string {
	if pg {
		return "$" + strconv.Itoa(i)
	}
	return "?" + strconv.Itoa(i)
}

// resetSequences makes the next generated id of each id table follow the
// largest one, on PostgreSQL, whose identity columns do not move when ids
// are given. SQLite's AUTOINCREMENT and rowids follow explicit ids by
// themselves.
func resetSequences(ctx context.Context, s *Store) error {
	if !s.d.pg {
		return nil
	}
	for _, t := range copyTables {
		if !t.id {
			continue
		}
		q := `SELECT setval(pg_get_serial_sequence('` + t.name + `', 'id'),
			coalesce((SELECT max(id) FROM ` + t.name + `), 0) + 1, false)`
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}
