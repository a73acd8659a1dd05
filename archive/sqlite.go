package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite specifics: the driver, the DSN, the pools and how SQLite reports a
// bad full-text query. The PostgreSQL flavour will get its own file.

const (
	// Readers: the API's searches and listings, and the polls' short
	// reads (a source, which URLs are known), which must not wait long
	// behind slow API reads.
	readerConns = 8

	// Pragmas of every connection. busy_timeout lets a second process (or
	// a reader during a checkpoint) wait for a lock instead of failing.
	commonPragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)"
	// The writer begins every transaction with BEGIN IMMEDIATE, so that two
	// writers serialise at BEGIN instead of failing on a lock upgrade.
	// journal_mode(WAL) is not in the DSN: the driver would apply it before
	// page_size, and a WAL file's page size is fixed (see openSQLite).
	writerPragmas = "&_txlock=immediate"
	// Readers can only read, and read the file through a memory map:
	// without it every page a search or a series touches beyond SQLite's
	// small page cache is a pread and a copy (at a million articles that
	// was most of a search's time: p50 76 ms through the API, 29 ms with
	// the map). Only the touched pages are mapped, and they are the
	// kernel's page cache, shared by all readers.
	readerPragmas = "&_pragma=query_only(1)&_pragma=mmap_size(1073741824)"

	// pageSize is the page size of new database files. 16 KiB pages make
	// storing a poll ~20% faster than the default 4 KiB (fewer WAL frames,
	// fewer writes; articles are a few KiB each).
	pageSize = 16384
)

// openSQLite opens the writer and the reader pool on the file at the
// absolute path abs, creating its directory when missing.
func openSQLite(ctx context.Context, abs string) (w, r *sql.DB, err error) {
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, nil, fmt.Errorf("create directory: %w", err)
	}
	w, err = sql.Open("sqlite", sqliteDSN(abs, writerPragmas))
	if err != nil {
		return nil, nil, err
	}
	// One connection: SQLite has one writer at a time anyway, and River's
	// driver needs a single-connection pool. Keep it open for good.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Connect now, so that the file exists in WAL mode before readers come.
	// page_size only takes effect on a new, empty file; WAL mode is then
	// recorded in the file, for every later connection.
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		_ = w.Close()
		return nil, nil, err
	}
	mode, err := walMode(ctx, w)
	if err != nil {
		_ = w.Close()
		return nil, nil, err
	}
	if !strings.EqualFold(mode, "wal") {
		_ = w.Close()
		return nil, nil, fmt.Errorf("journal mode is %q, WAL unavailable", mode)
	}
	r, err = sql.Open("sqlite", sqliteDSN(abs, readerPragmas))
	if err != nil {
		_ = w.Close()
		return nil, nil, err
	}
	r.SetMaxOpenConns(readerConns)
	r.SetMaxIdleConns(readerConns)
	r.SetConnMaxIdleTime(0)
	return w, r, nil
}

// walBusyWait bounds how long walMode retries while another connection
// holds the lock (as busy_timeout does for other statements).
const walBusyWait = 10 * time.Second

// walMode switches the file to WAL mode and returns the journal mode. Two
// processes opening a new file at once can make the switch fail with
// SQLITE_BUSY at once, without the busy handler: it is retried.
func walMode(ctx context.Context, w *sql.DB) (string, error) {
	deadline := time.Now().Add(walBusyWait)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		var mode string
		err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return mode, err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
	}
}

// sqliteDSN is the modernc.org/sqlite DSN of the file at the absolute path.
// The path is a SQLite URI path: '%', '?' and '#' are escaped.
func sqliteDSN(abs, pragmas string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(abs))
	return "file:" + p + "?" + commonPragmas + pragmas
}

// isQueryError reports whether err is SQLite rejecting a statement
// (SQLITE_ERROR), or PostgreSQL's search rejecting its query (see
// pgsearch.go), rather than failing to run it (busy, I/O, cancelled). For
// the full-text search, whose only user input is the MATCH expression, it
// means the expression is not valid FTS5 syntax.
func isQueryError(err error) bool {
	var te *tsSyntaxError
	if errors.As(err, &te) || isPGSyntaxError(err) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code()&0xff == sqlite3.SQLITE_ERROR
}

// queryErrorReason is SQLite's message without the driver's decorations,
// e.g. `fts5: syntax error near "AND"`.
func queryErrorReason(err error) string {
	var te *tsSyntaxError
	if errors.As(err, &te) {
		return te.reason
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err.Error()
	}
	msg := se.Error()
	msg = strings.TrimPrefix(msg, "SQL logic error: ")
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	return msg
}
