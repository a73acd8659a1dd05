package archive

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// The archive's SQL is written once, in SQLite's dialect. On PostgreSQL a
// dialect rewrites each statement text once (placeholders ? and ?N become
// $N, a few SQLite functions become PostgreSQL's) and caches the result,
// and converts bool arguments to integers (flags are INTEGER columns on
// both). On SQLite it changes nothing.

// dialect translates statements for one backend.
type dialect struct {
	pg    bool
	mu    sync.Mutex
	cache map[string]string
}

// pgReplacements are the SQLite spellings that PostgreSQL spells otherwise.
var pgReplacements = strings.NewReplacer(
	"instr(", "strpos(",
	"group_concat(site, ' ')", "string_agg(site, ' ' ORDER BY site)",
	"group_concat(id, ' ')", "string_agg(id::text, ' ' ORDER BY id)",
	"max(abs(value), abs(?3))", "greatest(abs(value), abs(?3))",
	// SQLite sorts NULL first, PostgreSQL last: DESC needs saying so.
	"(story_id = ?2) DESC", "(story_id = ?2) DESC NULLS LAST",
	// The topic filter of SearchPage: topics is a JSON array in a TEXT column.
	"json_each(CASE WHEN a.topics = '' THEN '[]' ELSE a.topics END) j\n\t\t\tWHERE json_extract(j.value, '$.topic') = ?",
	"jsonb_array_elements(CASE WHEN a.topics = '' THEN '[]' ELSE a.topics END::jsonb) j\n\t\t\tWHERE j->>'topic' = ?",
)

// rebind returns q in the backend's dialect.
func (d *dialect) rebind(q string) string {
	if d == nil || !d.pg {
		return q
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.cache[q]; ok {
		return r
	}
	r := pgPlaceholders(pgReplacements.Replace(q))
	if d.cache == nil {
		d.cache = map[string]string{}
	}
	d.cache[q] = r
	return r
}

// pgPlaceholders turns ? into $1, $2, … in order and ?N into $N, outside
// string literals and quoted identifiers.
func pgPlaceholders(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(q[i+1 : j])
				i = j - 1
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// args converts the arguments of a statement: on PostgreSQL a bool becomes
// 0 or 1, as flags are stored as integers on both backends.
func (d *dialect) args(args []any) []any {
	if d == nil || !d.pg {
		return args
	}
	var out []any
	for i, a := range args {
		if v, ok := a.(bool); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = int64(0)
			if v {
				out[i] = int64(1)
			}
		}
	}
	if out == nil {
		return args
	}
	return out
}

// dbtx is a *sql.DB, *sql.Conn or *sql.Tx.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// conn runs statements written in SQLite's dialect on a pool or a
// transaction of either backend.
type conn struct {
	d *dialect
	c dbtx
}

// rdb is the reader pool, wdb the writer pool, on a transaction of the writer.
func (s *Store) rdb() conn          { return conn{s.d, s.r} }
func (s *Store) wdb() conn          { return conn{s.d, s.w} }
func (s *Store) on(tx *sql.Tx) conn { return conn{s.d, tx} }

func (c conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.c.ExecContext(ctx, c.d.rebind(q), c.d.args(args)...)
}

func (c conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.c.QueryContext(ctx, c.d.rebind(q), c.d.args(args)...)
}

func (c conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.c.QueryRowContext(ctx, c.d.rebind(q), c.d.args(args)...)
}

// PrepareContext prepares q; the statement converts its arguments too.
func (c conn) PrepareContext(ctx context.Context, q string) (stmt, error) {
	st, err := c.c.PrepareContext(ctx, c.d.rebind(q))
	return stmt{c.d, st}, err
}

// stmt is a prepared statement that converts its arguments.
type stmt struct {
	d  *dialect
	st *sql.Stmt
}

func (s stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, s.d.args(args)...)
}

func (s stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, s.d.args(args)...)
}

func (s stmt) Close() error { return s.st.Close() }

// insertID runs an INSERT in tx and returns the new row's id: through
// LastInsertId on SQLite, through RETURNING id on PostgreSQL (whose driver
// has no LastInsertId). Cached statements stay cached on SQLite.
func (s *Store) insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	if s.d.pg {
		var id int64
		err := s.on(tx).QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
		return id, err
	}
	res, err := s.txExec(ctx, tx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// returningID is an INSERT that returns the new id on PostgreSQL.
func (d *dialect) returningID(q string) string {
	if d != nil && d.pg {
		return q + " RETURNING id"
	}
	return q
}

// lockRow locks the row of table with the given id until tx ends, on
// PostgreSQL; on SQLite, whose writer is alone, it does nothing. A recount
// (UPDATE … SET n = (SELECT count(*) …)) must come after it: in READ
// COMMITTED an UPDATE that waited for another transaction's lock still
// counts with the snapshot taken before the wait, and would miss that
// transaction's rows; the statement after the lock takes a new snapshot.
func (s *Store) lockRow(ctx context.Context, tx *sql.Tx, table string, id int64) error {
	if !s.d.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM `+table+` WHERE id = $1 FOR UPDATE`, id)
	return err
}
