package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// pgAdmin creates and drops the benchmark's databases on the server of a
// PostgreSQL URL, named fw_scaleout_<pid>_<n>; it touches no other.
type pgAdmin struct {
	db   *sql.DB
	base *url.URL
	n    atomic.Int64
}

func openAdmin(ctx context.Context, dsn string) (*pgAdmin, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-postgres: %q is not a postgres:// URL", redact(dsn))
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres at %s: %w", redact(dsn), err)
	}
	return &pgAdmin{db: db, base: u}, nil
}

func (a *pgAdmin) Close() error { return a.db.Close() }

// createDatabase creates a fresh database and returns its name, its URL
// and the function that drops it.
func (a *pgAdmin) createDatabase(ctx context.Context) (name, dsn string, drop func(), err error) {
	name = fmt.Sprintf("fw_scaleout_%d_%d", os.Getpid(), a.n.Add(1))
	if _, err := a.db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u := *a.base
	u.Path = "/" + name
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = a.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return name, u.String(), drop, nil
}

// commits is database name's committed transactions so far
// (pg_stat_database.xact_commit), read once no session is connected to
// it: a backend reports its counts when its session ends, so this is
// exact then. It waits up to a minute for the sessions to end.
func (a *pgAdmin) commits(ctx context.Context, name string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		var n int
		if err := a.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, name).Scan(&n); err != nil {
			return -1, fmt.Errorf("pg_stat_activity: %w", err)
		}
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("sessions on %s did not end: %w", name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// A session's last report and its leaving pg_stat_activity are two
	// steps of its exit: give the report a moment. (Outside a transaction
	// every query sees fresh statistics.)
	time.Sleep(200 * time.Millisecond)
	var n int64
	err := a.db.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, name).Scan(&n)
	if err != nil {
		return -1, fmt.Errorf("pg_stat_database: %w", err)
	}
	return n, nil
}

// redact drops the password from a URL, for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// backendCPU adds up the CPU of the PostgreSQL backends serving one
// database, from /proc (so only when the server runs on this machine and
// its processes are readable). Each sample records every backend's CPU so
// far; a backend that ends between samples keeps its last sample, so with
// long-lived pooled connections almost nothing is lost.
type backendCPU struct {
	db      *sql.DB // on the measured database
	last    map[int]time.Duration
	unknown bool // a backend's /proc entry could not be read
}

func newBackendCPU(db *sql.DB) *backendCPU {
	return &backendCPU{db: db, last: map[int]time.Duration{}}
}

// sample records the CPU of every backend connected to the database but
// the harness's own.
func (b *backendCPU) sample(ctx context.Context) {
	rows, err := b.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			continue
		}
		if procComm(pid) != "postgres" {
			b.unknown = true // not a local server, or not readable
			continue
		}
		if cpu := procCPU(pid); cpu > 0 {
			b.last[pid] = cpu
		}
	}
}

// total is the CPU of the backends seen, or -1 when it cannot be known.
func (b *backendCPU) total() time.Duration {
	if b.unknown && len(b.last) == 0 {
		return -1
	}
	var sum time.Duration
	for _, d := range b.last {
		sum += d
	}
	return sum
}
