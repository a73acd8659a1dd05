package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test databases
)

// searchIDs runs a JSON search with conf and returns the hits' "id url" lines, sorted.
func searchIDs(t *testing.T, conf, query string) []string {
	t.Helper()
	code, out, errOut := cli(t, "", "search", "--config", conf, query, "--format", "json")
	if code != 0 {
		t.Fatalf("search %q: exit %d: %s", query, code, errOut)
	}
	var ids []string
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var h struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		}
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("search %q: %v: %s", query, err, line)
		}
		ids = append(ids, fmt.Sprint(h.ID, " ", h.URL))
	}
	slices.Sort(ids)
	return ids
}

// polledArchive polls feedSite's two feeds into a new SQLite archive and
// returns its config file and database path.
func polledArchive(t *testing.T) (conf, db string) {
	t.Helper()
	srv := feedSite(t)
	conf = writeConfig(t, fmt.Sprintf("sources:\n  - {name: lab, url: %s/lab.xml}\n  - {name: evals, url: %s/evals.xml}\n", srv.URL, srv.URL))
	if code, out, errOut := cli(t, "", "poll", "--config", conf); code != 0 || !strings.Contains(out, "5 new articles") {
		t.Fatalf("poll: exit %d\n%s\n%s", code, out, errOut)
	}
	return conf, filepath.Join(filepath.Dir(conf), "fw.db")
}

// TestArchiveCopySQLite copies a polled archive into a new SQLite file:
// progress on stderr, a summary on stdout, the same search results; a
// second run copies nothing.
func TestArchiveCopySQLite(t *testing.T) {
	conf, db := polledArchive(t)
	conf2 := writeConfig(t, "")
	db2 := filepath.Join(filepath.Dir(conf2), "fw.db")

	code, out, errOut := cli(t, "", "archive", "copy", "--from", "sqlite://"+db, "--to", "sqlite://"+db2)
	if code != 0 {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errOut)
	}
	// 2 sources, 5 stories, 5 articles, 5 figures, 1 milestone and its
	// 5 sources, 1 meta.
	if want := fmt.Sprintf("copied 24 rows from sqlite://%s to sqlite://%s\n", db, db2); out != want {
		t.Errorf("summary %q, want %q", out, want)
	}
	for _, line := range []string{"sources            2/2\n", "articles           5/5\n", "crawl_validators   0/0\n"} {
		if !strings.Contains(errOut, line) {
			t.Errorf("no progress line %q in:\n%s", line, errOut)
		}
	}
	for _, q := range []string{"autonomous agents", "report", "tasks"} {
		if a, b := searchIDs(t, conf, q), searchIDs(t, conf2, q); len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("search %q: %v, copy %v", q, a, b)
		}
	}
	code, out, _ = cli(t, "", "archive", "copy", "--from", db, "--to", db2)
	if code != 0 || !strings.HasPrefix(out, "copied 0 rows") {
		t.Errorf("second copy: exit %d: %s", code, out)
	}
}

// TestArchiveCopyPostgres copies a polled SQLite archive into a new
// PostgreSQL database (when FRONTIERWATCH_TEST_POSTGRES is set): the same
// search results, and the URL's password is never printed.
func TestArchiveCopyPostgres(t *testing.T) {
	dsn := os.Getenv("FRONTIERWATCH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("FRONTIERWATCH_TEST_POSTGRES is not set: no PostgreSQL to test against")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "fw_cmdtest_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	if u.User != nil {
		u.User = url.UserPassword(u.User.Username(), "hunter2") // trust auth ignores it
	}
	pg := u.String()

	conf, db := polledArchive(t)
	code, out, errOut := cli(t, "", "archive", "copy", "--from", db, "--to", pg)
	if code != 0 || !strings.HasPrefix(out, "copied 24 rows from ") {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "hunter2") {
		t.Errorf("the password is printed:\n%s\n%s", out, errOut)
	}
	dir := t.TempDir()
	pgConf := filepath.Join(dir, "pg.yaml")
	if err := os.WriteFile(pgConf, []byte(fmt.Sprintf("database:\n  url: %q\n", pg)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"autonomous agents", "report", "tasks"} {
		if a, b := searchIDs(t, conf, q), searchIDs(t, pgConf, q); len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("search %q: %v, copy %v", q, a, b)
		}
	}
}

// TestArchiveCopyUsage: bad calls exit 2 (usage) or 1 (failure), and
// never print a password.
func TestArchiveCopyUsage(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no flags", []string{}, 2, "--from and --to are required"},
		{"no to", []string{"--from", a}, 2, "--to is required"},
		{"no from", []string{"--to", b}, 2, "--from is required"},
		{"same url", []string{"--from", a, "--to", a}, 2, "same database"},
		{"same file spelled twice", []string{"--from", "sqlite://" + a, "--to", a}, 2, "same database"},
		{"extra argument", []string{"--from", a, "--to", b, "x"}, 2, "unknown command"},
		{"unknown flag", []string{"--from", a, "--to", b, "--fast"}, 2, "unknown flag"},
		{"bad scheme", []string{"--from", "mysql://u:hunter2@h/db", "--to", b}, 1, "open --from"},
		{"postgres unreachable", []string{"--from", a, "--to", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2"}, 1, "open --to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", append([]string{"archive", "copy"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tt.code, errOut, tt.err)
			}
			if out != "" || strings.Contains(errOut, "hunter2") {
				t.Errorf("stdout %q, stderr %q", out, errOut)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sqlite://./data/x.db", "sqlite://./data/x.db"},
		{"postgres://fw:secret@db:5432/fw?sslmode=disable", "postgres://fw:***@db:5432/fw?sslmode=disable"},
		{"postgresql://fw@db/fw?password=secret", "postgresql://fw@db/fw?password=***"},
		{"postgres://fw:se%zz@db/fw", "***"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
