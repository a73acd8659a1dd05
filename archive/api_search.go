package archive

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
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
// it. Full-text results are ordered band by band, newest band first (see
// SearchPage), and within a band by Score (the BM25 score as SQLite gives
// it, or -ts_rank on PostgreSQL: smaller is better) then ID; listings by
// When (unix ms, descending) then ID (descending). Which fields count
// depends on the query; a key from a different query gives a meaningless
// page.
type PageKey struct {
	Score float64
	When  int64
	ID    int64
	// Floor and Ceil are the band of article IDs the hit was ranked in
	// (full-text results only).
	Floor, Ceil int64
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
// Relevance ranking costs a few microseconds per match, so a query that
// matches a large part of a big archive is ranked in bands: the newest
// RankWindow matches (by article ID, which grows with arrival) are ranked
// and paged first, then the RankWindow matches before them, and so on
// until the oldest. A query with fewer matches than RankWindow is ranked
// as a whole. Every match is reachable by paging; since and until narrow
// a query to the period that matters.
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

// DefaultRankWindow is how many matches a full-text search ranks at once
// (see SearchPage and WithRankWindow). BM25 costs FTS5 a look-up of the
// document's length for every match it ranks (about 5 µs each on a slow
// 2.5 GHz core), on top of a pass over every match of each query term to
// weigh it, which no window changes. A thousand keeps the newest few weeks
// of a busy archive in one ranking and a common query near 15 ms at a
// million articles; 5,000 cost 40 ms (BENCHMARKS.md).
const DefaultRankWindow = 1000

// WithRankWindow sets how many matches a full-text search ranks at once:
// the newest n first, then the n before them, and so on (see SearchPage).
// n <= 0 ranks every match of a query together, whatever it costs.
func WithRankWindow(n int) Option { return func(s *Store) { s.rankWindow = n } }

// band is a range of article IDs whose matches are ranked together.
type band struct {
	floor, ceil int64
	last        bool // no older match is outside the band
}

// matchPage runs a full-text query band by band (see SearchPage), from
// the band after holds, or the newest one. A page can end one band and
// start the next.
func (s *Store) matchPage(ctx context.Context, fts string, q PageQuery, limit int) (Page, error) {
	where, fargs := pageFilters(q)
	page := Page{Hits: []Hit{}}
	var b band
	after := q.After
	if after != nil {
		b = band{floor: after.Floor, ceil: after.Ceil, last: after.Floor <= 0}
	} else {
		var err error
		if b, err = s.nextBand(ctx, fts, where, fargs, math.MaxInt64); err != nil || b.ceil == 0 {
			return page, err
		}
	}
	for {
		need := limit - len(page.Hits)
		hits, err := s.rankBand(ctx, fts, where, fargs, b, after, need+1)
		if err != nil {
			return Page{}, err
		}
		if len(hits) > need {
			page.Hits = append(page.Hits, hits[:need]...)
			last := page.Hits[len(page.Hits)-1]
			page.Next = &PageKey{Score: -last.Rank, ID: last.ID, Floor: b.floor, Ceil: b.ceil}
			return page, nil
		}
		page.Hits = append(page.Hits, hits...)
		if b.last {
			return page, nil
		}
		if len(page.Hits) == limit {
			// The band is done; the next page starts after its last hit,
			// finds nothing more in it and goes on to the next band.
			last := page.Hits[len(page.Hits)-1]
			page.Next = &PageKey{Score: -last.Rank, ID: last.ID, Floor: b.floor, Ceil: b.ceil}
			return page, nil
		}
		if b, err = s.nextBand(ctx, fts, where, fargs, b.floor-1); err != nil {
			return Page{}, err
		}
		if b.ceil == 0 {
			return page, nil
		}
		after = nil
	}
}

// nextBand returns the band of the newest RankWindow matches with IDs up
// to ceil: its ceil is 0 when there is none.
func (s *Store) nextBand(ctx context.Context, fts, where string, fargs []any, ceil int64) (band, error) {
	if s.rankWindow <= 0 {
		if ceil < math.MaxInt64 {
			return band{}, nil
		}
		return band{floor: 0, ceil: math.MaxInt64, last: true}, nil
	}
	var query string
	var args []any
	if s.d.pg {
		tsq, err := tsQuery(fts)
		if err != nil {
			return band{}, err
		}
		query = `SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM (
			SELECT a.id FROM articles a
			WHERE a.search @@ to_tsquery('frontierwatch', ?)` + where + ` AND a.id <= ?
			ORDER BY a.id DESC LIMIT ?) b`
		args = append(append([]any{tsq}, fargs...), ceil, s.rankWindow)
	} else {
		join := ""
		if where != "" {
			join = ` JOIN articles a ON a.id = articles_fts.rowid`
		}
		query = `SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM (
			SELECT articles_fts.rowid AS id FROM articles_fts` + join + `
			WHERE articles_fts MATCH ?` + where + ` AND articles_fts.rowid <= ?
			ORDER BY articles_fts.rowid DESC LIMIT ?)`
		args = append(append([]any{fts}, fargs...), ceil, s.rankWindow)
	}
	var n int
	var b band
	rows, err := s.rquery(ctx, query, args...)
	if err != nil {
		return band{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		return band{}, cmp.Or(rows.Err(), sql.ErrNoRows)
	}
	if err := rows.Scan(&n, &b.floor, &b.ceil); err != nil {
		return band{}, err
	}
	if n == 0 {
		return band{}, nil
	}
	b.last = n < s.rankWindow
	if b.last {
		b.floor = 0 // nothing older matches: the band reaches the start
	}
	return b, nil
}

// rankBand ranks the matches in b that come after after (nil: from the
// best), and returns up to limit of them with their snippets.
func (s *Store) rankBand(ctx context.Context, fts, where string, fargs []any, b band, after *PageKey, limit int) ([]Hit, error) {
	bounded := b.floor > 0 || b.ceil < math.MaxInt64
	if s.d.pg {
		if bounded {
			where += ` AND a.id BETWEEN ? AND ?`
			fargs = append(slices.Clip(fargs), b.floor, b.ceil)
		}
		keyset := ""
		var kargs []any
		if after != nil {
			keyset = ` AND (r.score > ? OR (r.score = ? AND r.id > ?))`
			kargs = []any{after.Score, after.Score, after.ID}
		}
		return s.pgMatch(ctx, fts, where, fargs, keyset, kargs, limit)
	}
	ranked, err := s.rankIDs(ctx, fts, where, fargs, b, bounded, after, limit)
	if err != nil || len(ranked) == 0 {
		return []Hit{}, err
	}
	return s.snippets(ctx, fts, ranked)
}

// ranked is a match's place in a ranking: its article and BM25 score.
type ranked struct {
	id    int64
	score float64
}

// rankIDs ranks the matches in b after after and returns the first limit
// of them, best first. It computes no snippet: SQLite evaluates a
// statement's columns before it sorts, so snippets here would be made for
// every match of the band, not for the page only.
func (s *Store) rankIDs(ctx context.Context, fts, where string, fargs []any, b band, bounded bool, after *PageKey, limit int) ([]ranked, error) {
	join := ""
	if where != "" {
		join = ` JOIN articles a ON a.id = articles_fts.rowid`
	}
	args := append([]any{fts}, fargs...)
	if bounded { // on the rowid, so that FTS5 seeks its doclists to the band
		where += ` AND articles_fts.rowid BETWEEN ? AND ?`
		args = append(args, b.floor, b.ceil)
	}
	if after != nil {
		where += ` AND (articles_fts.rank > ? OR (articles_fts.rank = ? AND articles_fts.rowid > ?))`
		args = append(args, after.Score, after.Score, after.ID)
	}
	args = append(args, limit)
	rows, err := s.rquery(ctx, `SELECT articles_fts.rowid, articles_fts.rank
		FROM articles_fts`+join+`
		WHERE articles_fts MATCH ? AND articles_fts.rank MATCH 'bm25(10.0, 1.0)'`+where+`
		ORDER BY articles_fts.rank, articles_fts.rowid
		LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ranked
	for rows.Next() {
		var r ranked
		if err := rows.Scan(&r.id, &r.score); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// snippets returns the articles of a ranked page with their snippets, in
// the page's order.
//
// FTS5 makes a snippet from the current row of a MATCH, so the page's
// rows are found by one MATCH walked over the span of the page's IDs,
// which the ranking has already bounded to one band: its rows outside the
// page are dropped before any snippet is made ("+rowid" keeps the list
// away from FTS5, which would run the whole query again for every ID).
// Seeking each ID on its own instead costs a full query start per row, a
// look-up in every segment of the index for every term: 16 to 96 ms for
// 50 rows of a 1,000,000-article archive, against 3 to 17 ms for the walk.
func (s *Store) snippets(ctx context.Context, fts string, page []ranked) ([]Hit, error) {
	lo, hi := page[0].id, page[0].id
	for _, r := range page {
		lo, hi = min(lo, r.id), max(hi, r.id)
	}
	args := []any{HighlightStart, HighlightEnd, HighlightStart, HighlightEnd, fts, lo, hi}
	for _, r := range page {
		args = append(args, r.id)
	}
	// The list is padded to a power of two, repeating an ID, so that a few
	// SQL texts serve every page length and stay prepared.
	n := 8
	for n < len(page) {
		n *= 2
	}
	for range n - len(page) {
		args = append(args, page[0].id)
	}
	rows, err := s.rquery(ctx, `SELECT `+articleColumns+`, '',
		snippet(articles_fts, 1, ?, ?, '…', 12),
		snippet(articles_fts, 0, ?, ?, '…', 12)
	FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
	WHERE articles_fts MATCH ? AND articles_fts.rowid BETWEEN ? AND ?
		AND +articles_fts.rowid IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := make(map[int64]Hit, len(page))
	for rows.Next() {
		var (
			h                   Hit
			textSnip, titleSnip string
		)
		if h.Article, err = scanArticle(rows, &textSnip, &titleSnip); err != nil {
			return nil, err
		}
		h.Snippet = textSnip
		if strings.TrimSpace(stripMarks(h.Snippet)) == "" {
			h.Snippet = titleSnip
		}
		found[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(page))
	for _, r := range page {
		h, ok := found[r.id]
		if !ok {
			continue // deleted between the two statements
		}
		h.Rank = -r.score
		hits = append(hits, h)
	}
	return hits, nil
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
func stripMarks(s string) string { return markStripper.Replace(s) }

var markStripper = strings.NewReplacer(HighlightStart, "", HighlightEnd, "")
