package archive

import (
	"context"
	"fmt"
	"strings"
)

// Highlight markers of the snippets SearchPage returns: the matched terms
// stand between them. They are control characters that article text does
// not hold, so a caller can turn them into <mark> or [brackets] safely.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// PageQuery selects one page of search results: Query's filters, a watched
// topic, a metric, and where the previous page ended.
type PageQuery struct {
	Query
	// Topic keeps the articles that match the watched topic of that name.
	Topic string
	// Metric keeps the articles that state a figure of that metric.
	Metric string
	// After is the Next of the previous page; nil asks for the first page.
	After *PageKey
}

// PageKey is the position of the last hit of a page: a page starts after
// it. Full-text results are ordered by Score (the BM25 score as SQLite
// gives it, or -ts_rank on PostgreSQL: smaller is better) then ID; listings by When (unix ms,
// descending) then ID (descending). Which fields count depends on the
// query; a key from a different query gives a meaningless page.
type PageKey struct {
	Score float64
	When  int64
	ID    int64
}

// Page is one page of results.
type Page struct {
	Hits []Hit
	// Next is where the next page starts; nil when this page is the last.
	Next *PageKey
}

// SearchPage is Search with keyset pagination and the topic and metric
// filters. Snippets mark the matched terms with HighlightStart and
// HighlightEnd (listings without Text show the text's first words). A
// query that is not valid FTS5 syntax is retried with its words quoted;
// when that fails too the error wraps ErrBadQuery.
//
// Pages are stable while the archive does not change; articles indexed
// between two pages can shift BM25 scores, so a walk during ingest may see
// a hit twice or miss one.
func (s *Store) SearchPage(ctx context.Context, q PageQuery) (Page, error) {
	limit := clampLimit(q.Limit)
	text := strings.TrimSpace(q.Text)
	if text == "" {
		p, err := s.listPage(ctx, q, limit)
		if err != nil {
			return Page{}, fmt.Errorf("archive: search: %w", err)
		}
		return p, nil
	}
	if len(text) > MaxQueryLen {
		return Page{}, fmt.Errorf("%w: longer than %d bytes", ErrBadQuery, MaxQueryLen)
	}
	if n := len(strings.Fields(text)); n > MaxQueryTerms {
		return Page{}, fmt.Errorf("%w: %d terms, at most %d allowed", ErrBadQuery, n, MaxQueryTerms)
	}
	pending, err := s.indexPending(ctx)
	if err != nil {
		return Page{}, fmt.Errorf("archive: search: %w", err)
	}
	if pending {
		if _, err := s.IndexPending(ctx, 0); err != nil {
			return Page{}, fmt.Errorf("archive: search: %w", err)
		}
	}
	p, err := s.matchPage(ctx, text, q, limit)
	if err == nil {
		return p, nil
	}
	if !isQueryError(err) {
		return Page{}, fmt.Errorf("archive: search: %w", err)
	}
	if quoted := QuoteTerms(text); quoted != "" && quoted != text {
		p, err2 := s.matchPage(ctx, quoted, q, limit)
		if err2 == nil {
			return p, nil
		}
		if !isQueryError(err2) {
			return Page{}, fmt.Errorf("archive: search: %w", err2)
		}
	}
	return Page{}, fmt.Errorf("%w %q: %s", ErrBadQuery, truncate(text, 200), queryErrorReason(err))
}

// pageFilters is filters plus the topic and metric conditions, on "a".
func pageFilters(q PageQuery) (string, []any) {
	where, args := filters(q.Query)
	if q.Topic != "" {
		where += ` AND EXISTS (SELECT 1 FROM json_each(CASE WHEN a.topics = '' THEN '[]' ELSE a.topics END) j
			WHERE json_extract(j.value, '$.topic') = ?)`
		args = append(args, q.Topic)
	}
	if q.Metric != "" {
		where += ` AND EXISTS (SELECT 1 FROM figures fg WHERE fg.article_id = a.id AND fg.metric = ?)`
		args = append(args, q.Metric)
	}
	return where, args
}

// matchPage runs a full-text query in two steps: the inner query ranks
// the matches and keeps one page of IDs (computing no snippet), the outer
// one makes the snippets of that page only.
func (s *Store) matchPage(ctx context.Context, fts string, q PageQuery, limit int) (Page, error) {
	where, fargs := pageFilters(q)
	if s.d.pg {
		return s.pgMatchPage(ctx, fts, where, fargs, q.After, limit)
	}
	join := ""
	if where != "" {
		join = ` JOIN articles a ON a.id = articles_fts.rowid`
	}
	// Arguments in the order of the SQL text: snippet markers, the inner
	// query's MATCH, filters, keyset and limit, then the outer MATCH.
	args := []any{HighlightStart, HighlightEnd, HighlightStart, HighlightEnd, fts}
	args = append(args, fargs...)
	keyset := ""
	if q.After != nil {
		keyset = ` AND (articles_fts.rank > ? OR (articles_fts.rank = ? AND articles_fts.rowid > ?))`
		args = append(args, q.After.Score, q.After.Score, q.After.ID)
	}
	args = append(args, limit+1, fts)
	rows, err := s.rdb().QueryContext(ctx, `SELECT `+articleColumns+`, '',
		snippet(articles_fts, 1, ?, ?, '…', 12),
		snippet(articles_fts, 0, ?, ?, '…', 12),
		p.score
	FROM (SELECT articles_fts.rowid AS id, articles_fts.rank AS score
		FROM articles_fts`+join+`
		WHERE articles_fts MATCH ? AND articles_fts.rank MATCH 'bm25(10.0, 1.0)'`+where+keyset+`
		ORDER BY articles_fts.rank, articles_fts.rowid
		LIMIT ?) p
	JOIN articles a ON a.id = p.id
	JOIN articles_fts ON articles_fts.rowid = p.id
	WHERE articles_fts MATCH ?
	ORDER BY p.score, p.id`, args...)
	if err != nil {
		return Page{}, err
	}
	defer rows.Close()
	page := Page{Hits: []Hit{}}
	var last PageKey
	for rows.Next() {
		var (
			h                   Hit
			textSnip, titleSnip string
			score               float64
		)
		h.Article, err = scanArticle(rows, &textSnip, &titleSnip, &score)
		if err != nil {
			return Page{}, err
		}
		if len(page.Hits) == limit {
			page.Next = &last
			break
		}
		h.Snippet = textSnip
		if strings.TrimSpace(stripMarks(h.Snippet)) == "" {
			h.Snippet = titleSnip
		}
		h.Rank = -score
		page.Hits = append(page.Hits, h)
		last = PageKey{Score: score, ID: h.ID}
	}
	return page, rows.Err()
}

// listPage returns a page of the newest articles that pass q's filters.
func (s *Store) listPage(ctx context.Context, q PageQuery, limit int) (Page, error) {
	where, args := pageFilters(q)
	if q.After != nil {
		where += ` AND coalesce(a.published_at, a.fetched_at) <= ?
			AND (coalesce(a.published_at, a.fetched_at) < ? OR a.id < ?)`
		args = append(args, q.After.When, q.After.When, q.After.ID)
	}
	args = append(args, limit+1)
	rows, err := s.rdb().QueryContext(ctx, `SELECT `+articleColumns+`, '', substr(a.text, 1, 400),
		coalesce(a.published_at, a.fetched_at)
	FROM articles a
	WHERE 1 = 1`+where+`
	ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
	LIMIT ?`, args...)
	if err != nil {
		return Page{}, err
	}
	defer rows.Close()
	page := Page{Hits: []Hit{}}
	var last PageKey
	for rows.Next() {
		var h Hit
		var lead string
		var when int64
		if h.Article, err = scanArticle(rows, &lead, &when); err != nil {
			return Page{}, err
		}
		if len(page.Hits) == limit {
			page.Next = &last
			break
		}
		h.Snippet = firstWords(lead, leadWords)
		page.Hits = append(page.Hits, h)
		last = PageKey{When: when, ID: h.ID}
	}
	return page, rows.Err()
}

// stripMarks removes the highlight markers from a snippet.
func stripMarks(s string) string {
	return strings.NewReplacer(HighlightStart, "", HighlightEnd, "").Replace(s)
}
