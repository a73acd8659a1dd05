package archive

import (
	"context"
	"database/sql"
	"fmt"
)

// indexBatch is how many articles one indexing transaction takes: large
// enough to make few FTS segments, small enough not to hold the writer long
// (about 0.1 s).
const indexBatch = 500

// Full-text indexing is deferred. Storing an article is cheap; indexing its
// text in FTS5 costs several times more (tokenizing, stemming, merging
// segments), and a first poll of thousands of articles must not wait for it:
// alerts don't need the index, only searches do. So CommitPoll only inserts,
// and IndexPending indexes the articles above a watermark in batches. Search
// calls it first, so a search always sees every committed article.

// IndexPending adds the articles not yet in the full-text index to it, in
// transactions of a few hundred, at most limit articles (all when limit <= 0).
// It returns how many it indexed. Safe to run from several goroutines or
// processes at once; on PostgreSQL it does nothing and returns 0. The daemon runs it when a poll cycle has stored new
// articles, so that searches find the index ready.
func (s *Store) IndexPending(ctx context.Context, limit int) (indexed int, err error) {
	if s.d.pg {
		return 0, nil // a generated tsvector column indexes every insert
	}
	for limit <= 0 || indexed < limit {
		batch := indexBatch
		if limit > 0 {
			batch = min(batch, limit-indexed)
		}
		n, err := s.indexBatch(ctx, batch)
		if err != nil {
			return indexed, fmt.Errorf("archive: index pending: %w", err)
		}
		indexed += n
		if n < batch {
			break
		}
	}
	return indexed, nil
}

// indexBatch indexes up to n articles above the watermark in one
// transaction and moves the watermark past them.
func (s *Store) indexBatch(ctx context.Context, n int) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	var from int64
	if err := tx.QueryRowContext(ctx, `SELECT indexed_upto FROM articles_fts_state WHERE id = 1`).Scan(&from); err != nil {
		return 0, err
	}
	var upto sql.NullInt64
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT max(id), count(*) FROM
		(SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?)`, from, n).Scan(&upto, &count); err != nil {
		return 0, err
	}
	if count == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, text)
		SELECT id, title, text FROM articles WHERE id > ? AND id <= ? ORDER BY id`, from, upto.Int64); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles_fts_state SET indexed_upto = ? WHERE id = 1`, upto.Int64); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return count, nil
}

// indexPending reports whether some articles are not in the full-text index
// yet. It reads through the reader pool and is cheap (two index lookups).
func (s *Store) indexPending(ctx context.Context) (bool, error) {
	if s.d.pg {
		return false, nil
	}
	var pending bool
	err := s.r.QueryRowContext(ctx, `SELECT coalesce((SELECT max(id) FROM articles), 0) >
		(SELECT indexed_upto FROM articles_fts_state WHERE id = 1)`).Scan(&pending)
	return pending, err
}
