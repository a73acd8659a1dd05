package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// knownURLsBatch bounds the IN list of one KnownURLs query.
const knownURLsBatch = 500

// PollUpdate is the new state of a source after a successful poll.
type PollUpdate struct {
	SourceID     int64
	At           time.Time // when the poll ran
	ETag         string
	LastModified string
	NewURL       string // the feed's new address after a permanent redirect; "" = unchanged
}

// articleColumns are the columns scanArticle reads; text comes last so that
// listings can select an empty string instead.
// Queries name the articles table "a".
const articleColumns = `a.id, a.url, a.source, a.guid, a.title, a.author, a.published_at,
	a.fetched_at, a.language, a.content_hash, a.simhash, a.story_id, a.topics,
	a.simhash_tail, a.site, coalesce((SELECT st.sites FROM stories st WHERE st.id = a.story_id), 0)`

// CommitPoll stores a successful poll in one transaction: it inserts the
// articles that are not archived yet (by URL) and updates the source's
// state (validators, URL, no failures, polled and OK at u.At). The new ETag
// becomes visible only together with the articles, so a crash never leaves
// a validator that hides articles that were not stored.
//
// It returns the articles actually inserted, with their IDs, Source (the
// source's name when empty) and Fetched (u.At when zero) set.
//
// Each hook runs inside the transaction after the articles are inserted,
// with the inserted articles; an error from it rolls everything back. The
// pipeline stores figures and milestones there.
func (s *Store) CommitPoll(ctx context.Context, u PollUpdate, arts []frontierwatch.Article, hooks ...func(context.Context, *Tx, []frontierwatch.Article) error) (inserted []frontierwatch.Article, err error) {
	inserted, err = s.commitPoll(ctx, u, arts, hooks)
	if err != nil {
		return nil, fmt.Errorf("archive: commit poll of source %d: %w", u.SourceID, err)
	}
	return inserted, nil
}

func (s *Store) commitPoll(ctx context.Context, u PollUpdate, arts []frontierwatch.Article, hooks []func(context.Context, *Tx, []frontierwatch.Article) error) ([]frontierwatch.Article, error) {
	for i := range arts {
		if arts[i].URL == "" {
			return nil, fmt.Errorf("article %d (%q) has no URL", i, truncate(arts[i].Title, 80))
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()

	var sourceName string
	err = s.on(tx).QueryRowContext(ctx, `SELECT name FROM sources WHERE id = ?`, u.SourceID).Scan(&sourceName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}

	var inserted []frontierwatch.Article
	if len(arts) > 0 {
		if err := s.lockURLs(ctx, tx, arts); err != nil {
			return nil, fmt.Errorf("lock urls: %w", err)
		}
		insert := qInsertArticle
		if s.d.pg {
			insert = qInsertArticleWithStory
		}
		stmt, err := s.on(tx).PrepareContext(ctx, insert)
		if err != nil {
			return nil, err
		}
		defer stmt.Close()
		as := s.newAssigner(tx, len(arts), u.At)
		for i, a := range arts {
			if a.Source == "" {
				a.Source = sourceName
			}
			if a.Fetched.IsZero() {
				a.Fetched = u.At
			}
			topics, err := marshalTopics(a.Topics)
			if err != nil {
				return nil, fmt.Errorf("article %q: %w", a.URL, err)
			}
			args := []any{a.URL, a.Source, "", a.Title, a.Author,
				millis(a.Published), a.Fetched.UnixMilli(), a.Text, a.Language, a.ContentHash,
				int64(a.SimHash), int64(a.SimHashTail), a.Site, topics}
			var ok bool
			if s.d.pg {
				a.ID, a.StoryID, ok, err = as.pgInsert(ctx, stmt, i, a, args...)
			} else {
				a.ID, ok, err = s.insertArticle(ctx, stmt, args...)
			}
			if err != nil {
				return nil, fmt.Errorf("insert article %q: %w", a.URL, err)
			}
			if !ok {
				continue // already archived
			}
			if !s.d.pg {
				if a.StoryID, err = as.assign(ctx, i, a.ID, a); err != nil {
					return nil, fmt.Errorf("article %q: %w", a.URL, err)
				}
			}
			inserted = append(inserted, a)
		}
		sites, err := as.recount(ctx)
		if err != nil {
			return nil, err
		}
		for k := range inserted {
			inserted[k].StorySites = sites[inserted[k].StoryID]
		}
	}

	_, err = s.on(tx).ExecContext(ctx, `UPDATE sources SET etag = ?, last_modified = ?,
		url = CASE WHEN ? = '' THEN url ELSE ? END,
		failures = 0, last_error = '', next_attempt_at = NULL, last_polled_at = ?, last_ok_at = ?
	WHERE id = ?`, u.ETag, u.LastModified, u.NewURL, u.NewURL, millis(u.At), millis(u.At), u.SourceID)
	if err != nil {
		return nil, fmt.Errorf("update source state: %w", err)
	}
	for _, h := range hooks {
		if err := h(ctx, &Tx{s: s, tx: tx, at: u.At}, inserted); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return inserted, nil
}

// qInsertArticle inserts an article unless its URL is archived.
const qInsertArticle = `INSERT INTO articles (url, source, guid, title, author,
			published_at, fetched_at, text, language, content_hash, simhash, simhash_tail, site, topics)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO NOTHING`

// qInsertArticleWithStory is qInsertArticle with the story, on PostgreSQL
// (see assigner.pgInsert): the last argument is the story's ID, or NULL
// for a new story numbered from the stories' sequence.
const qInsertArticleWithStory = `INSERT INTO articles (url, source, guid, title, author,
			published_at, fetched_at, text, language, content_hash, simhash, simhash_tail, site, topics, story_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			coalesce(CAST(? AS BIGINT), nextval(pg_get_serial_sequence('stories', 'id'))))
		ON CONFLICT (url) DO NOTHING
		RETURNING id, story_id`

// insertArticle runs the prepared qInsertArticle on SQLite and returns the
// new ID, or ok false when the URL was archived already.
func (s *Store) insertArticle(ctx context.Context, st stmt, args ...any) (id int64, ok bool, err error) {
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, false, err
	}
	id, err = res.LastInsertId()
	return id, err == nil, err
}

// KnownURLs reports which of the canonical urls are already archived, or
// were examined and skipped (they matched no topic): the returned map holds
// exactly those.
func (s *Store) KnownURLs(ctx context.Context, urls []string) (map[string]bool, error) {
	known := make(map[string]bool)
	for start := 0; start < len(urls); start += knownURLsBatch {
		batch := urls[start:min(start+knownURLsBatch, len(urls))]
		args := make([]any, len(batch))
		for i, u := range batch {
			args[i] = u
		}
		in := `(?` + strings.Repeat(", ?", len(batch)-1) + `)`
		// Articles skipped for matching no topic are known too.
		q := `SELECT url FROM articles WHERE url IN ` + in + ` UNION SELECT url FROM skipped_urls WHERE url IN ` + in
		rows, err := s.rdb().QueryContext(ctx, q, append(args, args...)...)
		if err != nil {
			return nil, fmt.Errorf("archive: known urls: %w", err)
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, fmt.Errorf("archive: known urls: %w", err)
			}
			known[u] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("archive: known urls: %w", err)
		}
	}
	return known, nil
}

// Article returns the article with the given ID, text included; the error
// wraps ErrNotFound when there is none.
func (s *Store) Article(ctx context.Context, id int64) (frontierwatch.Article, error) {
	row := s.rdb().QueryRowContext(ctx, `SELECT `+articleColumns+`, a.text FROM articles a WHERE a.id = ?`, id)
	a, err := scanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("archive: article %d: %w", id, err)
	}
	return a, nil
}

// CountArticles returns the number of archived articles.
func (s *Store) CountArticles(ctx context.Context) (int64, error) {
	var n int64
	if err := s.rdb().QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("archive: count articles: %w", err)
	}
	return n, nil
}

// scanArticle reads articleColumns, then text, then any extra destinations.
func scanArticle(sc scanner, extra ...any) (frontierwatch.Article, error) {
	var (
		a                  frontierwatch.Article
		guid, topics       string
		published, fetched sql.NullInt64
		simhash, tail      int64
		story              sql.NullInt64
	)
	dest := append([]any{&a.ID, &a.URL, &a.Source, &guid, &a.Title, &a.Author, &published, &fetched,
		&a.Language, &a.ContentHash, &simhash, &story, &topics, &tail, &a.Site, &a.StorySites, &a.Text}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return a, err
	}
	a.Published = fromMillis(published)
	a.Fetched = fromMillis(fetched)
	a.SimHash = uint64(simhash)
	a.SimHashTail = uint64(tail)
	a.StoryID = story.Int64
	if topics != "" {
		if err := json.Unmarshal([]byte(topics), &a.Topics); err != nil {
			return a, fmt.Errorf("article %d: topics: %w", a.ID, err)
		}
	}
	return a, nil
}

func marshalTopics(ts []frontierwatch.TopicScore) (string, error) {
	if len(ts) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ts)
	return string(b), err
}
