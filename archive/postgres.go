package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// PostgreSQL specifics: the pools, the migrations under an advisory lock,
// and how a bad search query is told from a failure. The SQL of the store
// is shared with SQLite through the dialect (dialect.go); full-text search
// has its own queries (pgsearch.go).

const (
	// pgWriterConns is the writer pool's size: PostgreSQL has no single
	// writer, so writes of several goroutines run at once. River shares
	// this pool (riverdatabasesql.New(WriteDB())).
	pgWriterConns = 8
	pgReaderConns = 4

	pgMigrationDir = "migrations/postgres"

	// Advisory lock keys (any constants; "fw" and a purpose): the
	// archive's migrations and River's are applied by one process at a time.
	pgLockMigrate      int64 = 0x66770001
	pgLockMigrateRiver int64 = 0x66770002
)

// isPostgresURL reports whether url names a PostgreSQL database.
func isPostgresURL(url string) bool {
	u := strings.ToLower(strings.TrimSpace(url))
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// openPostgres opens the writer and the reader pool on the database at url
// (a libpq-style URL that pgx understands). Errors never carry the URL: it
// may hold a password.
func openPostgres(ctx context.Context, url string, opts ...Option) (*Store, error) {
	s := &Store{dsn: strings.TrimSpace(url), logger: slog.Default(), now: time.Now, d: &dialect{pg: true}, rankWindow: DefaultRankWindow}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.w, err = sql.Open("pgx", strings.TrimSpace(url)); err != nil {
		return nil, fmt.Errorf("archive: open postgres: %w", err)
	}
	s.w.SetMaxOpenConns(pgWriterConns)
	s.w.SetMaxIdleConns(pgWriterConns)
	s.w.SetConnMaxIdleTime(5 * time.Minute)
	if s.r, err = sql.Open("pgx", strings.TrimSpace(url)); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("archive: open postgres: %w", err)
	}
	s.r.SetMaxOpenConns(pgReaderConns)
	s.r.SetMaxIdleConns(pgReaderConns)
	s.r.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.w.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("archive: open postgres: %w", err)
	}
	return s, nil
}

// migratePostgres applies the pending migrations of migrations/postgres in
// one transaction that holds an advisory lock, so that processes migrating
// at once take turns and the later ones find nothing to do; then River's.
func (s *Store) migratePostgres(ctx context.Context) error {
	ms, err := loadMigrations(migrationFS, pgMigrationDir)
	if err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	if err := s.migratePostgresArchive(ctx, ms); err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	if err := s.migratePostgresRiver(ctx); err != nil {
		return fmt.Errorf("archive: migrate river: %w", err)
	}
	return nil
}

func (s *Store) migratePostgresArchive(ctx context.Context, ms []migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, pgLockMigrate); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		// Without arguments, pgx runs the text with the simple protocol,
		// which takes several statements.
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.version, s.now().UnixMilli()); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		s.logger.InfoContext(ctx, "applied migration", "component", "archive", "migration", m.name)
	}
	return tx.Commit()
}

// migratePostgresRiver applies River's PostgreSQL migrations through its
// database/sql driver, holding a session advisory lock on one connection
// of the writer pool while River migrates through the others.
func (s *Store) migratePostgresRiver(ctx context.Context) (err error) {
	logger := slog.New(minLevel{s.logger.Handler(), slog.LevelWarn}).With("component", "rivermigrate")
	m, err := rivermigrate.New(riverdatabasesql.New(s.w), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	c, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgLockMigrateRiver); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx is done.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, uerr := c.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, pgLockMigrateRiver); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlock: %w", uerr))
		}
	}()
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// isPGSyntaxError reports whether err is PostgreSQL rejecting a statement's
// syntax or a text-search query (SQLSTATE class 42, 22P02 for a malformed
// tsquery).
func isPGSyntaxError(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "42601" || pe.Code == "22P02"
}

// lockURLs takes, on PostgreSQL, a transaction advisory lock on each of
// the articles' URLs in one global order (of their hashes), before any is
// inserted. Without it, two transactions inserting shared URLs in opposite
// orders (an aggregator and the original feed) each wait for the other's
// unique-index entry: a deadlock. With it, the later one waits here until
// the earlier commits, then finds those URLs archived. On SQLite, whose
// writer is alone, it does nothing.
func (s *Store) lockURLs(ctx context.Context, tx *sql.Tx, arts []frontierwatch.Article) error {
	if !s.d.pg {
		return nil
	}
	urls := make([]string, len(arts))
	for i, a := range arts {
		urls[i] = a.URL
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(h) FROM
		(SELECT DISTINCT hashtextextended(u, 0) AS h FROM unnest($1::text[]) AS u ORDER BY h) AS hs`, urls)
	return err
}

// LockKeys serialises milestone detection on the given keys (metrics, or
// metric/benchmark) across the daemons sharing a PostgreSQL archive: a
// transaction holds the keys' advisory locks until it ends, so two daemons
// cannot both find "no milestone yet" for one claim and create two. Locks
// are taken in hash order (no deadlock between batches), with another seed
// than the URL locks. On SQLite, whose writer is alone, it does nothing.
func (t *Tx) LockKeys(ctx context.Context, keys []string) error {
	if !t.s.d.pg || len(keys) == 0 {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(h) FROM
		(SELECT DISTINCT hashtextextended(k, 1) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS hs`, keys)
	if err != nil {
		return fmt.Errorf("archive: lock milestone keys: %w", err)
	}
	return nil
}
