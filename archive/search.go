package archive

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/frontierwatch/frontierwatch"
)

// Search limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Caps on Query.Text: FTS5's work grows with the number of terms (each
// prefix* scans the index), and user text must not make a search run for
// minutes. Searches also stop when their context is done.
const (
	MaxQueryLen   = 1000 // bytes
	MaxQueryTerms = 32   // space-separated terms, operators included
)

// leadWords is how many words of an article's text stand in for a snippet
// when the query does not pick a passage.
const leadWords = 24

// Query selects archived articles.
type Query struct {
	// Text is a full-text query in SQLite FTS5 syntax: words (all must
	// match, stemmed and without diacritics), "phrases", prefix*, OR, NOT,
	// NEAR(...), title:word. Plain words that happen to be invalid syntax
	// are searched as words. Empty lists every article, newest first.
	Text string
	// Since (inclusive) and Until (exclusive) bound the publication time,
	// or the fetch time of articles whose publication time is unknown.
	// Zero means unbounded.
	Since, Until time.Time
	// Source keeps only the articles of the source of that name.
	Source string
	// Limit caps the hits: DefaultLimit when 0 or less, at most MaxLimit.
	Limit int
}

// Hit is one search result. Its Text is empty: Snippet is the passage that
// matched, with the matching terms in [brackets], or the article's first
// words when the query matched its title only.
type Hit struct {
	frontierwatch.Article
	Snippet string `json:"snippet"`
	// Rank is the relevance (the negated BM25 score, title weighted 10 to
	// 1 over text): larger is better. Zero for listings without Text.
	Rank float64 `json:"rank"`
}

// Search returns the articles that match q, best first, or newest first
// when q.Text is empty. Articles not yet in the full-text index are indexed
// first through the writer (see IndexPending), so every committed article
// can be found. A query that is not valid FTS5 syntax is retried
// with each of its words quoted; when that fails too, the error wraps
// ErrBadQuery.
func (s *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	limit := clampLimit(q.Limit)
	text := strings.TrimSpace(q.Text)
	if text == "" {
		hits, err := s.list(ctx, q, limit)
		if err != nil {
			return nil, fmt.Errorf("archive: search: %w", err)
		}
		return hits, nil
	}
	if len(text) > MaxQueryLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadQuery, MaxQueryLen)
	}
	if n := len(strings.Fields(text)); n > MaxQueryTerms {
		return nil, fmt.Errorf("%w: %d terms, at most %d allowed", ErrBadQuery, n, MaxQueryTerms)
	}
	// Search what was committed: index the articles stored since the
	// last indexing first (usually none; the daemon indexes after polls).
	pending, err := s.indexPending(ctx)
	if err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	if pending {
		if _, err := s.IndexPending(ctx, 0); err != nil {
			return nil, fmt.Errorf("archive: search: %w", err)
		}
	}
	hits, err := s.match(ctx, text, q, limit)
	if err == nil {
		return hits, nil
	}
	if !isQueryError(err) {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	if quoted := QuoteTerms(text); quoted != "" && quoted != text {
		hits, err2 := s.match(ctx, quoted, q, limit)
		if err2 == nil {
			return hits, nil
		}
		if !isQueryError(err2) {
			return nil, fmt.Errorf("archive: search: %w", err2)
		}
	}
	return nil, fmt.Errorf("%w %q: %s", ErrBadQuery, truncate(text, 200), queryErrorReason(err))
}

// clampLimit applies the default and the maximum to a requested limit.
func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// QuoteTerms turns text into an FTS5 query that cannot be a syntax error:
// each term (separated by spaces or control characters) becomes a quoted
// phrase, so that operators and punctuation are searched as words. All
// terms must match.
func QuoteTerms(text string) string {
	terms := strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	for i, t := range terms {
		terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(terms, " ")
}

// filters is the WHERE clause (after the first condition) and its
// arguments for q's time and source filters.
func filters(q Query) (string, []any) {
	var b strings.Builder
	var args []any
	if !q.Since.IsZero() {
		b.WriteString(` AND coalesce(a.published_at, a.fetched_at) >= ?`)
		args = append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		b.WriteString(` AND coalesce(a.published_at, a.fetched_at) < ?`)
		args = append(args, q.Until.UnixMilli())
	}
	if q.Source != "" {
		b.WriteString(` AND a.source = ?`)
		args = append(args, q.Source)
	}
	return b.String(), args
}

// match runs a full-text query.
func (s *Store) match(ctx context.Context, fts string, q Query, limit int) ([]Hit, error) {
	where, args := filters(q)
	args = append([]any{fts}, args...)
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+`, '',
		snippet(articles_fts, 1, '[', ']', '…', 12),
		snippet(articles_fts, 0, '[', ']', '…', 12),
		articles_fts.rank
	FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
	WHERE articles_fts MATCH ? AND articles_fts.rank MATCH 'bm25(10.0, 1.0)'`+where+`
	ORDER BY articles_fts.rank
	LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []Hit{}
	for rows.Next() {
		var (
			h                   Hit
			textSnip, titleSnip string
			score               float64
		)
		h.Article, err = scanArticle(rows, &textSnip, &titleSnip, &score)
		if err != nil {
			return nil, err
		}
		// The text snippet holds the best passage, or the first words of
		// the text when only the title matched; without text, the title.
		h.Snippet = textSnip
		if strings.TrimSpace(h.Snippet) == "" {
			h.Snippet = titleSnip
		}
		h.Rank = -score
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// list returns the newest articles that pass q's filters.
func (s *Store) list(ctx context.Context, q Query, limit int) ([]Hit, error) {
	where, args := filters(q)
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+`, '', substr(a.text, 1, 400)
	FROM articles a
	WHERE 1 = 1`+where+`
	ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
	LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []Hit{}
	for rows.Next() {
		var h Hit
		var lead string
		if h.Article, err = scanArticle(rows, &lead); err != nil {
			return nil, err
		}
		h.Snippet = firstWords(lead, leadWords)
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// firstWords returns the first n words of s, with "…" when it cut.
func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}
