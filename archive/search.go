package archive

import (
	"context"
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
	// are searched as words. Empty lists every article, newest first. On
	// PostgreSQL the same syntax is translated to a tsquery (see tsQuery;
	// ^initial tokens match anywhere there).
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
	// 1 over text; on PostgreSQL ts_rank with the same weights): larger is
	// better. Zero for listings without Text.
	Rank float64 `json:"rank"`
}

// Search returns the articles that match q, best first, or newest first
// when q.Text is empty. Articles not yet in the full-text index are indexed
// first through the writer (see IndexPending), so every committed article
// can be found. A query that is not valid FTS5 syntax is retried
// with each of its words quoted; when that fails too, the error wraps
// ErrBadQuery.
func (s *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	p, err := s.SearchPage(ctx, PageQuery{Query: q})
	if err != nil {
		return nil, err
	}
	for i := range p.Hits {
		p.Hits[i].Snippet = bracketMarks.Replace(p.Hits[i].Snippet)
	}
	return p.Hits, nil
}

// bracketMarks shows the highlighted terms of a snippet as [term].
var bracketMarks = strings.NewReplacer(HighlightStart, "[", HighlightEnd, "]")

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

// firstWords returns the first n words of s, with "…" when it cut.
func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}
