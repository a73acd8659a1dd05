package archive

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache holds statements prepared once on the writer connection. Every
// write transaction runs on that one connection, so a statement used in a
// transaction (through tx.StmtContext) is not parsed again: SQLite's
// prepare was 15% of a first poll's CPU when each call re-parsed its SQL.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// txQueries are the statements prepared at Open. They must be prepared
// before any transaction runs: preparing on the one-connection writer pool
// while a transaction holds that connection would wait forever.
var txQueries []string

// txQuery registers a statement to prepare at Open and returns it.
func txQuery(q string) string {
	txQueries = append(txQueries, q)
	return q
}

// prepareAll prepares the registered statements on the writer.
func (s *Store) prepareAll(ctx context.Context) error {
	if s.d.pg {
		return nil // pgx caches the statements of each connection itself
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	s.stmts.m = make(map[string]*sql.Stmt, len(txQueries))
	for _, q := range txQueries {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("archive: prepare %.40q: %w", q, err)
		}
		s.stmts.m[q] = st
	}
	return nil
}

// stmt returns the prepared form of query, or nil when it was not
// registered (then it runs as text).
func (s *Store) stmt(query string) *sql.Stmt {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	return s.stmts.m[query]
}

// closeStmts closes the prepared statements (at Close).
func (s *Store) closeStmts() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
}

// txExec runs a cached statement in tx.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return s.on(tx).ExecContext(ctx, query, args...)
}

// txQueryRow runs a cached single-row query in tx.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := s.stmt(query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return s.on(tx).QueryRowContext(ctx, query, args...)
}

// maxReadStmts bounds the reader statements kept prepared: searches make
// one SQL text per combination of filters, so the set is small but open.
const maxReadStmts = 128

// readStmts holds statements prepared on the reader pool, by SQL text:
// parsing and planning a search's statements was 7% of its time.
type readStmts struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
}

// rquery runs a read query on the reader pool through a prepared
// statement (SQLite; PostgreSQL's driver caches its own). When the cache
// is full the query runs as text.
func (s *Store) rquery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.d.pg {
		return s.rdb().QueryContext(ctx, query, args...)
	}
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.rdb().QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// readStmt returns the prepared form of query, preparing it on first use;
// nil when the cache is full (or the store closed).
//
// The lock is not held while preparing: that waits for a free reader
// connection, and searches with their statements prepared must not wait
// behind it.
func (s *Store) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.rstmts.mu.Lock()
	st, ok := s.rstmts.m[query]
	full := len(s.rstmts.m) >= maxReadStmts
	s.rstmts.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.rstmts.mu.Lock()
	defer s.rstmts.mu.Unlock()
	if prev, ok := s.rstmts.m[query]; ok { // prepared meanwhile by another search
		st.Close()
		return prev, nil
	}
	if len(s.rstmts.m) >= maxReadStmts || s.rstmts.closed {
		st.Close() // full meanwhile, or the store is closing: run it as text
		return nil, nil
	}
	if s.rstmts.m == nil {
		s.rstmts.m = make(map[string]*sql.Stmt)
	}
	s.rstmts.m[query] = st
	return st, nil
}

// closeReadStmts closes the reader statements (at Close).
func (s *Store) closeReadStmts() {
	s.rstmts.mu.Lock()
	defer s.rstmts.mu.Unlock()
	for _, st := range s.rstmts.m {
		st.Close()
	}
	s.rstmts.m, s.rstmts.closed = nil, true
}
