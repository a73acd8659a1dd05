package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The crawl state of site sources: the visited set and frontier of article
// URLs (crawl_urls) and the validators of pages fetched every run
// (crawl_validators). Rows belong to a source and go with it.

// Crawl URL states.
const (
	CrawlPending = "pending" // found, not fetched yet (or to be tried again)
	CrawlDone    = "done"    // fetched and handled: never fetched again
	CrawlFailed  = "failed"  // given up after too many failed attempts
)

// CrawlURL is an article URL in a site's frontier.
type CrawlURL struct {
	Key       string    // canonical URL: the visited-set key
	URL       string    // the URL to fetch, as found
	Depth     int       // links from the seed
	Title     string    // from a news sitemap
	Published time.Time // from a sitemap; zero when unknown
	Attempts  int       // failed fetches so far
}

// CrawlResult is the outcome of fetching one frontier URL.
type CrawlResult struct {
	Key string
	// Err is why the fetch failed; "" means it is done.
	Err string
	// Permanent gives up at once (e.g. robots.txt forbids the URL).
	Permanent bool
}

// AddCrawlURLs records urls as found by the source at time at and returns
// those that were new, in order. Each row's insert is an atomic
// test-and-set (INSERT … ON CONFLICT DO NOTHING, then the rows affected):
// a URL found twice, by two pages of one run, by two runs or by two
// processes, is returned once only, and a URL already done or failed is
// never returned again.
func (s *Store) AddCrawlURLs(ctx context.Context, sourceID int64, urls []CrawlURL, at time.Time) ([]CrawlURL, error) {
	if len(urls) == 0 {
		return nil, nil
	}
	added, err := s.addCrawlURLs(ctx, sourceID, urls, at)
	if err != nil {
		return nil, fmt.Errorf("archive: add crawl urls of source %d: %w", sourceID, err)
	}
	return added, nil
}

func (s *Store) addCrawlURLs(ctx context.Context, sourceID int64, urls []CrawlURL, at time.Time) ([]CrawlURL, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := s.on(tx).PrepareContext(ctx, `INSERT INTO crawl_urls (source_id, key, url, depth, title,
		published_at, found_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (source_id, key) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var added []CrawlURL
	for _, u := range urls {
		if u.Key == "" || u.URL == "" {
			return nil, fmt.Errorf("crawl url %q without a key or URL", u.URL)
		}
		res, err := stmt.ExecContext(ctx, sourceID, u.Key, u.URL, u.Depth, u.Title, millis(u.Published),
			at.UnixMilli(), at.UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("insert %q: %w", u.Key, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		if n == 1 {
			added = append(added, u)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return added, nil
}

// PendingCrawlURLs returns up to limit URLs of the source that were found
// but not fetched yet, shallowest and oldest first. It reads from the
// reader pool.
func (s *Store) PendingCrawlURLs(ctx context.Context, sourceID int64, limit int) ([]CrawlURL, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT key, url, depth, title, published_at, attempts
	FROM crawl_urls WHERE source_id = ? AND state = ?
	ORDER BY depth, found_at, key LIMIT ?`, sourceID, CrawlPending, max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("archive: pending crawl urls of source %d: %w", sourceID, err)
	}
	defer rows.Close()
	var out []CrawlURL
	for rows.Next() {
		var u CrawlURL
		var published sql.NullInt64
		if err := rows.Scan(&u.Key, &u.URL, &u.Depth, &u.Title, &published, &u.Attempts); err != nil {
			return nil, fmt.Errorf("archive: pending crawl urls of source %d: %w", sourceID, err)
		}
		u.Published = fromMillis(published)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: pending crawl urls of source %d: %w", sourceID, err)
	}
	return out, nil
}

// FinishCrawlURLs records the outcome of fetches, in one transaction: a
// result without Err marks its URL done; a failure counts one more attempt,
// and after maxAttempts (or a Permanent failure) marks it failed, else
// leaves it pending for a later run.
func (s *Store) FinishCrawlURLs(ctx context.Context, sourceID int64, results []CrawlResult, maxAttempts int, at time.Time) error {
	if len(results) == 0 {
		return nil
	}
	if err := s.finishCrawlURLs(ctx, sourceID, results, maxAttempts, at); err != nil {
		return fmt.Errorf("archive: finish crawl urls of source %d: %w", sourceID, err)
	}
	return nil
}

func (s *Store) finishCrawlURLs(ctx context.Context, sourceID int64, results []CrawlResult, maxAttempts int, at time.Time) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	done, err := s.on(tx).PrepareContext(ctx, `UPDATE crawl_urls SET state = ?, last_error = '', updated_at = ?
	WHERE source_id = ? AND key = ?`)
	if err != nil {
		return err
	}
	defer done.Close()
	failed, err := s.on(tx).PrepareContext(ctx, `UPDATE crawl_urls SET attempts = attempts + 1, last_error = ?,
		updated_at = ?, state = CASE WHEN ? <> 0 OR attempts + 1 >= ? THEN ? ELSE ? END
	WHERE source_id = ? AND key = ?`)
	if err != nil {
		return err
	}
	defer failed.Close()
	for _, r := range results {
		if r.Err == "" {
			_, err = done.ExecContext(ctx, CrawlDone, at.UnixMilli(), sourceID, r.Key)
		} else {
			_, err = failed.ExecContext(ctx, truncate(r.Err, maxErrorLen), at.UnixMilli(), r.Permanent,
				max(maxAttempts, 1), CrawlFailed, CrawlPending, sourceID, r.Key)
		}
		if err != nil {
			return fmt.Errorf("update %q: %w", r.Key, err)
		}
	}
	return tx.Commit()
}

// CrawlStats counts a source's crawl URLs by state.
func (s *Store) CrawlStats(ctx context.Context, sourceID int64) (map[string]int, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT state, count(*) FROM crawl_urls WHERE source_id = ? GROUP BY state`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("archive: crawl stats of source %d: %w", sourceID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("archive: crawl stats of source %d: %w", sourceID, err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: crawl stats of source %d: %w", sourceID, err)
	}
	return out, nil
}

// CrawlValidators returns the ETag and Last-Modified last stored for a page
// the source fetches every run; both are "" when none are stored.
func (s *Store) CrawlValidators(ctx context.Context, sourceID int64, url string) (etag, lastModified string, err error) {
	err = s.rdb().QueryRowContext(ctx, `SELECT etag, last_modified FROM crawl_validators WHERE source_id = ? AND url = ?`,
		sourceID, url).Scan(&etag, &lastModified)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("archive: crawl validators of source %d: %w", sourceID, err)
	}
	return etag, lastModified, nil
}

// SetCrawlValidators stores the ETag and Last-Modified of a page the source
// fetches every run.
func (s *Store) SetCrawlValidators(ctx context.Context, sourceID int64, url, etag, lastModified string, at time.Time) error {
	_, err := s.wdb().ExecContext(ctx, `INSERT INTO crawl_validators (source_id, url, etag, last_modified, updated_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (source_id, url) DO UPDATE SET etag = excluded.etag,
		last_modified = excluded.last_modified, updated_at = excluded.updated_at`,
		sourceID, url, etag, lastModified, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("archive: set crawl validators of source %d: %w", sourceID, err)
	}
	return nil
}
