package archive

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

var quiet = WithLogger(slog.New(slog.DiscardHandler))

// openTest opens a store on a new file in a temporary directory: a copy
// of a database migrated once, as migrating is most of a test's time under
// the race detector.
//
// Under eachBackend's "postgres" subtest it opens a new PostgreSQL
// database instead.
func openTest(t testing.TB) *Store {
	t.Helper()
	if onPostgres(t) {
		return openPGTest(t)
	}
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "archive-template-")
		if err != nil {
			template.err = err
			return
		}
		template.path = filepath.Join(dir, "template.db")
		s, err := Open(context.Background(), template.path, quiet)
		if err != nil {
			template.err = err
			return
		}
		_, err = s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		template.err = errors.Join(err, s.Close())
	})
	if template.err != nil {
		t.Fatal(template.err)
	}
	b, err := os.ReadFile(template.path)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "archive.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return openAt(t, path)
}

var template struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgTeardown()
	if template.path != "" {
		_ = os.RemoveAll(filepath.Dir(template.path))
	}
	os.Exit(code)
}

func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		url, want, err string
	}{
		{url: "sqlite://./data/x.db", want: "./data/x.db"},
		{url: "sqlite:///abs/x.db", want: "/abs/x.db"},
		{url: "sqlite:data/x.db", want: "data/x.db"},
		{url: "  /abs/y.db ", want: "/abs/y.db"},
		{url: "rel/y.db", want: "rel/y.db"},
		{url: "", err: "empty"},
		{url: "sqlite://", err: "without a path"},
		{url: "sqlite://:memory:", err: "in-memory"},
		{url: ":memory:", err: "in-memory"},
		{url: "sqlite://./x.db?_pragma=foo", err: "query parameters"},
		{url: "postgres://user:hunter2@db:5432/fw", err: "not a sqlite path"},
		{url: "mysql://user:hunter2@db/fw", err: `scheme "mysql"`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := sqlitePath(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("sqlitePath(%q) = %q, %v; want error containing %q", tt.url, got, err, tt.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("sqlitePath(%q) = %q, %v; want %q", tt.url, got, err, tt.want)
			}
		})
	}
}

func TestOpenCreatesFileAndDirectory(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a", "b")
	// Characters that mean something in a SQLite URI must stay in the name.
	path := filepath.Join(dir, "we?ird#name%20.db") // a plain path: no URL syntax
	s := openAt(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var pageSize int
	if err := s.r.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil || pageSize != 16384 {
		t.Errorf("page_size = %d, %v; want 16384", pageSize, err)
	}
	var fk int
	if err := s.r.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("reader foreign_keys = %d, %v; want 1", fk, err)
	}
	// The reader pool cannot write.
	if _, err := s.r.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err == nil {
		t.Error("reader pool accepted a write")
	}
	if st := s.WriteDB().Stats(); st.MaxOpenConnections != 1 {
		t.Errorf("writer pool MaxOpenConnections = %d, want 1", st.MaxOpenConnections)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s1 := openAt(t, path)
	s2 := openAt(t, path) // a second Open migrates again: nothing to do
	for _, s := range []*Store{s1, s2, s1} {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := loadMigrations(migrationFS, sqliteMigrationDir)
	if err != nil {
		t.Fatal(err)
	}
	assertMigrated(t, s2, len(ms))
}

// assertMigrated checks that each of our migrations is recorded once and
// that River's are all applied.
func assertMigrated(t *testing.T, s *Store, ours int) {
	t.Helper()
	ctx := context.Background()
	var n, distinct int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != ours || distinct != ours {
		t.Errorf("schema_migrations has %d rows (%d versions), want %d", n, distinct, ours)
	}
	m, err := rivermigrate.New(riversqlite.New(s.w), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Errorf("River migrations not all applied: %v", res.Messages)
	}
	for _, table := range []string{"sources", "articles", "articles_fts", "river_job", "river_migration", "river_leader", "river_queue"} {
		var found int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if found != 1 {
			t.Errorf("table %s missing", table)
		}
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	// Two stores, as two processes would have, on a file not migrated yet.
	var stores []*Store
	for range 2 {
		s, err := open(ctx, path, quiet)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ms, _ := loadMigrations(migrationFS, sqliteMigrationDir)
	assertMigrated(t, stores[0], len(ms))
}

func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "x.db")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), path, quiet)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFS, sqliteMigrationDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %v, want 0001 first", ms)
	}
	// Versions are applied set-wise (each one not yet applied, in order),
	// so a gap is harmless; they must only increase.
	for i := 1; i < len(ms); i++ {
		if ms[i].version <= ms[i-1].version {
			t.Errorf("migration %s (version %d) does not follow %s (version %d)", ms[i].name, ms[i].version, ms[i-1].name, ms[i-1].version)
		}
	}
}

// A second process's store on the same file waits for the first one's
// write transaction (busy_timeout) instead of failing.
func TestSecondStoreWaitsForLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openAt(t, path)
	b := openAt(t, path)

	tx, err := a.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources (name, created_at) VALUES ('from-a', 0)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.UpsertSource(ctx, frontierwatch.Source{Name: "from-b", Kind: frontierwatch.KindFeed})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("second store wrote while the first held the lock (err %v)", err)
	case <-time.After(150 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("second store's write after the lock was released: %v", err)
	}
	srcs, err := a.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 {
		t.Errorf("sources = %v, want from-a and from-b", srcs)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "archive: ") {
		t.Errorf("Ping after Close = %v, want a wrapped error", err)
	}
	if _, err := s.Sources(context.Background()); errors.Is(err, ErrNotFound) || err == nil {
		t.Errorf("Sources after Close = %v", err)
	}
}

func TestOpenURLForms(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tt := range []struct{ url, file string }{
		{"sqlite://./data/rel.db", filepath.Join(dir, "data", "rel.db")},
		{"sqlite://" + filepath.Join(dir, "abs", "x.db"), filepath.Join(dir, "abs", "x.db")},
		{"plain/p.db", filepath.Join(dir, "plain", "p.db")},
	} {
		s := openAt(t, tt.url)
		if _, err := os.Stat(tt.file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", tt.url, tt.file, err)
		}
		if s.Path() != tt.file {
			t.Errorf("Open(%q).Path() = %q, want %q", tt.url, s.Path(), tt.file)
		}
	}
	// A path whose directory cannot be created.
	if err := os.WriteFile(filepath.Join(dir, "afile"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(context.Background(), "afile/x.db", quiet); err == nil {
		_ = s.Close()
		t.Error("Open under a regular file succeeded")
	}
}
