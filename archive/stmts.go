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
