// Package archive owns all of frontierwatch's SQL: the schema and its
// migrations, sources and their poll state, archived articles and their
// full-text search, on SQLite (the default) or PostgreSQL (several
// instances on one database), with the same API and semantics.
//
// A Store keeps two connection pools on one database: a writer pool with a
// single connection, through which every write of the process goes (River's
// job queue shares it, see WriteDB), and a small read-only pool for searches
// and listings. SQLite runs in WAL mode, so readers never wait for the
// writer, and a busy timeout lets several processes share one file. On
// PostgreSQL the writer pool has several connections (see postgres.go).
package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) when a source or an article does not exist.
var ErrNotFound = errors.New("archive: not found")

// ErrBadQuery is returned (wrapped, with the reason) when a search query is
// not valid full-text query syntax, even after its words were quoted.
var ErrBadQuery = errors.New("archive: bad search query")

// Store is the archive database. It is safe for concurrent use.
type Store struct {
	w      *sql.DB // writer: one connection, every write goes through it
	r      *sql.DB // readers: query-only connections
	path   string
	dsn    string // PostgreSQL's URL (never logged: it may hold a password)
	logger *slog.Logger
	now    func() time.Time
	stmts  stmtCache
	rstmts readStmts
	d      *dialect // SQL rewriting for PostgreSQL; a no-op on SQLite

	rankWindow int // matches ranked together by a full-text search
}

// Option configures Open.
type Option func(*Store)

// WithLogger sets the logger (default slog.Default()). River's migrator logs
// through it at warning level and above only.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithClock sets the clock that stamps created_at of new sources (default
// time.Now). Poll times always come from the caller.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// Open opens the database at url, creating the file and its directory when
// missing, and applies every pending migration (the archive's and River's),
// so that one call prepares the whole database.
//
// url is "sqlite://./data/x.db" (relative path), "sqlite:///abs/x.db"
// (absolute path), a plain file path, or "postgres://user@host:5432/db?…"
// (also "postgresql://"): see postgres.go.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	s, err := open(ctx, url, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err // already "archive: migrate …"
	}
	if err := s.prepareAll(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// open opens the pools without migrating.
func open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	if isPostgresURL(url) {
		return openPostgres(ctx, url, opts...)
	}
	path, err := sqlitePath(url)
	if err == nil {
		path, err = filepath.Abs(path)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: open: %w", err)
	}
	s := &Store{path: path, logger: slog.Default(), now: time.Now, d: &dialect{}, rankWindow: DefaultRankWindow}
	for _, o := range opts {
		o(s)
	}
	s.w, s.r, err = openSQLite(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("archive: open %s: %w", path, err)
	}
	return s, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.closeStmts()
	s.closeReadStmts()
	return errors.Join(s.r.Close(), s.w.Close())
}

// WriteDB returns the writer pool, for River's driver: on SQLite the
// single-connection pool for riversqlite.New, on PostgreSQL a pool of
// several connections for riverdatabasesql.New. Never use it while a transaction on it is open in
// the same goroutine: with one connection, that waits forever.
func (s *Store) WriteDB() *sql.DB { return s.w }

// Postgres reports whether the store is on PostgreSQL (River's driver is
// then riverdatabasesql, not riversqlite).
func (s *Store) Postgres() bool { return s.d.pg }

// Path returns the database file's absolute path; "" on PostgreSQL.
func (s *Store) Path() string { return s.path }

// Ping checks that both pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("archive: ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("archive: ping reader: %w", err)
	}
	return nil
}

// sqlitePath turns a database URL into a file path.
func sqlitePath(url string) (string, error) {
	u := strings.TrimSpace(url)
	switch {
	case u == "":
		return "", errors.New("empty database url")
	case isPostgresURL(u):
		// Never echo the URL: it may carry a password.
		return "", errors.New("a postgres url is not a sqlite path")
	case strings.HasPrefix(u, "sqlite:"):
		u = strings.TrimPrefix(u, "sqlite:")
		u = strings.TrimPrefix(u, "//")
		if strings.ContainsAny(u, "?#") {
			return "", errors.New("sqlite url: query parameters are not supported")
		}
	case strings.Contains(u, "://"):
		scheme, _, _ := strings.Cut(u, "://")
		return "", fmt.Errorf("unsupported database url scheme %q", scheme)
	}
	if u == "" {
		return "", errors.New("sqlite url without a path")
	}
	if u == ":memory:" || strings.HasPrefix(u, "file::memory:") {
		return "", errors.New("in-memory databases are not supported (the reader and writer pools need one file)")
	}
	return u, nil
}
