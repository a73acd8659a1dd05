package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// assigner joins the articles of one transaction to their stories.
type assigner struct {
	s       *Store
	tx      *sql.Tx
	at      time.Time
	stories []int64            // story of the i-th article of the batch (0: not stored)
	touched map[int64]struct{} // stories whose counts must be recomputed
	fresh   map[int64]bool     // stories created in this transaction with one article
}

func (s *Store) newAssigner(tx *sql.Tx, n int, at time.Time) *assigner {
	return &assigner{s: s, tx: tx, at: at, stories: make([]int64, n), touched: map[int64]struct{}{}, fresh: map[int64]bool{}}
}

// assign puts the i-th article of the batch, stored as id, into the story
// its DuplicateOf names, or a new one.
func (as *assigner) assign(ctx context.Context, i int, id int64, a frontierwatch.Article) (int64, error) {
	story, err := as.storyOf(ctx, i, a)
	if err != nil {
		return 0, err
	}
	if story == 0 {
		first := a.Fetched
		if first.IsZero() {
			first = as.at
		}
		// A new story has this one article on one site: no recount.
		var err error
		if story, err = as.s.insertID(ctx, as.tx, qNewStory, first.UnixMilli()); err != nil {
			return 0, fmt.Errorf("new story: %w", err)
		}
		as.fresh[story] = true
	} else {
		as.touched[story] = struct{}{}
		delete(as.fresh, story) // joined within the batch: count it
	}
	if _, err := as.s.txExec(ctx, as.tx, qJoinStory, story, id); err != nil {
		return 0, fmt.Errorf("join story: %w", err)
	}
	as.stories[i] = story
	return story, nil
}

// storyOf returns the story that the i-th article of the batch joins: the
// one of the article its DuplicateOf names, or 0 for a new story.
func (as *assigner) storyOf(ctx context.Context, i int, a frontierwatch.Article) (int64, error) {
	switch {
	case a.DuplicateOf > 0:
		var s sql.NullInt64
		err := as.s.txQueryRow(ctx, as.tx, qStoryOf, a.DuplicateOf).Scan(&s)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("story of article %d: %w", a.DuplicateOf, err)
		}
		return s.Int64, nil
	case a.DuplicateOf < 0:
		if j := int(-a.DuplicateOf - 1); j < i {
			return as.stories[j], nil
		}
	}
	return 0, nil
}

// pgInsert is insertArticle and assign in one statement, on PostgreSQL:
// the article is inserted with its story (a new story's ID comes from the
// sequence), and a new story's row follows. An UPDATE of story_id after
// the insert would make PostgreSQL recompute the search vector and insert
// every lexeme into the GIN index a second time.
func (as *assigner) pgInsert(ctx context.Context, st stmt, i int, a frontierwatch.Article, args ...any) (id, story int64, ok bool, err error) {
	known, err := as.storyOf(ctx, i, a)
	if err != nil {
		return 0, 0, false, err
	}
	var storyArg any // NULL: a new story
	if known > 0 {
		storyArg = known
	}
	err = st.QueryRowContext(ctx, append(args, storyArg)...).Scan(&id, &story)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil // already archived
	}
	if err != nil {
		return 0, 0, false, err
	}
	if known == 0 {
		first := a.Fetched
		if first.IsZero() {
			first = as.at
		}
		if _, err := as.s.txExec(ctx, as.tx, qNewStoryWithID, story, first.UnixMilli()); err != nil {
			return 0, 0, false, fmt.Errorf("new story: %w", err)
		}
		as.fresh[story] = true
	} else {
		as.touched[story] = struct{}{}
		delete(as.fresh, story)
	}
	as.stories[i] = story
	return id, story, true, nil
}

// recount recomputes the article and site counts of the touched stories and
// returns the site counts.
func (as *assigner) recount(ctx context.Context) (map[int64]int, error) {
	sites := make(map[int64]int, len(as.touched)+len(as.fresh))
	for story := range as.fresh {
		sites[story] = 1
	}
	// In order: on PostgreSQL each story row is locked first (see
	// lockRow), and two transactions must lock in the same order.
	for _, story := range slices.Sorted(maps.Keys(as.touched)) {
		if err := as.s.lockRow(ctx, as.tx, "stories", story); err != nil {
			return nil, fmt.Errorf("recount story %d: %w", story, err)
		}
		var n int
		err := as.s.txQueryRow(ctx, as.tx, qRecountStory, story).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("recount story %d: %w", story, err)
		}
		sites[story] = n
	}
	return sites, nil
}

// Signature is what the near-duplicate detector keeps of an archived article.
type Signature struct {
	ID         int64
	Hash       string
	Lead, Tail uint64
}

// Signatures returns the fingerprints of every article that belongs to a
// story, for rebuilding the near-duplicate index at start.
func (s *Store) Signatures(ctx context.Context) ([]Signature, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT id, content_hash, simhash, simhash_tail FROM articles
		WHERE story_id IS NOT NULL AND content_hash != '' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("archive: signatures: %w", err)
	}
	defer rows.Close()
	var out []Signature
	for rows.Next() {
		var sig Signature
		var lead, tail int64
		if err := rows.Scan(&sig.ID, &sig.Hash, &lead, &tail); err != nil {
			return nil, fmt.Errorf("archive: signatures: %w", err)
		}
		sig.Lead, sig.Tail = uint64(lead), uint64(tail)
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: signatures: %w", err)
	}
	return out, nil
}

// ArticlesWithoutStory returns up to limit articles, oldest first, that
// were archived before stories existed (or by an older version), with their
// text, so the caller can fingerprint them and AssignStories.
func (s *Store) ArticlesWithoutStory(ctx context.Context, limit int) ([]frontierwatch.Article, error) {
	rows, err := s.rdb().QueryContext(ctx, `SELECT `+articleColumns+`, a.text FROM articles a
		WHERE a.story_id IS NULL ORDER BY a.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: articles without story: %w", err)
	}
	defer rows.Close()
	var out []frontierwatch.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("archive: articles without story: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AssignStories stores the fingerprints (ContentHash, SimHash, SimHashTail,
// Site) of already archived articles and puts each into the story its
// DuplicateOf names, or a new one, in one transaction.
func (s *Store) AssignStories(ctx context.Context, arts []frontierwatch.Article) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: assign stories: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	as := s.newAssigner(tx, len(arts), time.Now())
	for i, a := range arts {
		if _, err := s.on(tx).ExecContext(ctx, `UPDATE articles SET content_hash = ?, simhash = ?, simhash_tail = ?, site = ? WHERE id = ?`,
			a.ContentHash, int64(a.SimHash), int64(a.SimHashTail), a.Site, a.ID); err != nil {
			return fmt.Errorf("archive: assign stories: article %d: %w", a.ID, err)
		}
		if _, err := as.assign(ctx, i, a.ID, a); err != nil {
			return fmt.Errorf("archive: assign stories: article %d: %w", a.ID, err)
		}
	}
	if _, err := as.recount(ctx); err != nil {
		return fmt.Errorf("archive: assign stories: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("archive: assign stories: %w", err)
	}
	return nil
}

// Story returns one story with its articles' IDs (oldest first).
func (s *Store) Story(ctx context.Context, id int64) (frontierwatch.Story, error) {
	st := frontierwatch.Story{ID: id}
	var first int64
	err := s.rdb().QueryRowContext(ctx, `SELECT first_seen, sites FROM stories WHERE id = ?`, id).Scan(&first, &st.Sites)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("archive: story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("archive: story %d: %w", id, err)
	}
	st.FirstSeen = time.UnixMilli(first).UTC()
	rows, err := s.rdb().QueryContext(ctx, `SELECT id FROM articles WHERE story_id = ? ORDER BY id`, id)
	if err != nil {
		return st, fmt.Errorf("archive: story %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid int64
		if err := rows.Scan(&aid); err != nil {
			return st, err
		}
		st.Articles = append(st.Articles, aid)
	}
	return st, rows.Err()
}

// Statements of write transactions, prepared once at Open.
var (
	qStoryOf   = txQuery(`SELECT story_id FROM articles WHERE id = ?`)
	qNewStory  = txQuery(`INSERT INTO stories (first_seen, articles, sites) VALUES (?, 1, 1)`)
	qJoinStory = txQuery(`UPDATE articles SET story_id = ? WHERE id = ?`)
	// PostgreSQL only (see pgInsert).
	qNewStoryWithID = `INSERT INTO stories (id, first_seen, articles, sites) VALUES (?, ?, 1, 1)`
	qRecountStory   = txQuery(`UPDATE stories SET
			articles = (SELECT count(*) FROM articles WHERE story_id = ?1),
			sites = (SELECT count(DISTINCT CASE WHEN site = '' THEN url ELSE site END) FROM articles WHERE story_id = ?1)
			WHERE id = ?1 RETURNING sites`)
)
