package archive

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

const sqliteMigrationDir = "migrations/sqlite"

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the NNNN_name.sql files of dir in version order.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies the pending migrations: the archive's own schema, then
// River's job tables. It is idempotent, and safe when several processes run
// it at once: each migration runs in a BEGIN IMMEDIATE transaction that
// re-checks whether it is still pending. Open already calls it.
func (s *Store) Migrate(ctx context.Context) error {
	if s.d.pg {
		return s.migratePostgres(ctx)
	}
	ms, err := loadMigrations(migrationFS, sqliteMigrationDir)
	if err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("archive: migrate: create schema_migrations: %w", err)
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return fmt.Errorf("archive: migrate: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := s.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("archive: migrate %s: %w", m.name, err)
		}
	}
	if err := s.migrateRiver(ctx); err != nil {
		return fmt.Errorf("archive: migrate river: %w", err)
	}
	return nil
}

func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// applyMigration runs m in its own transaction unless another process
// applied it meanwhile.
func (s *Store) applyMigration(ctx context.Context, m migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, s.now().UnixMilli()); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "applied migration", "component", "archive", "migration", m.name)
	return tx.Commit()
}

// migrateRiver applies River's SQLite migrations. They run inside one
// BEGIN IMMEDIATE transaction of ours: River's Migrate reads the applied
// versions before it takes a lock, so two processes migrating a new file at
// once would both try to create river_migration; inside our transaction the
// read and the changes are serialised. (MigrateTx is deprecated because some
// PostgreSQL migrations cannot share a transaction; River's SQLite ones can.)
func (s *Store) migrateRiver(ctx context.Context) error {
	logger := slog.New(minLevel{s.logger.Handler(), slog.LevelWarn}).With("component", "rivermigrate")
	m, err := rivermigrate.New(riversqlite.New(s.w), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	//nolint:staticcheck // See above: the outer transaction is what makes it safe.
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// minLevel is a handler that drops records below a level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
