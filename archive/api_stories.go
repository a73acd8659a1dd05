package archive

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// StoryQuery selects stories by the time their first article was seen.
type StoryQuery struct {
	Since, Until time.Time
	Limit        int // DefaultLimit when 0 or less, at most MaxLimit
	// After is the Next of the previous page; nil asks for the first page.
	After *StoryKey
}

// StoryKey is the position of the last story of a page: stories are
// ordered by FirstSeen (unix ms) then ID, both descending.
type StoryKey struct {
	FirstSeen int64
	ID        int64
}

// StoryHit is a story with the title of its first article.
type StoryHit struct {
	frontierwatch.Story
	Title        string `json:"title"`
	ArticleCount int    `json:"article_count"`
}

// Stories lists stories, newest first, with their site counts and their
// articles' IDs (oldest first), one page at a time. next is nil on the
// last page.
func (s *Store) Stories(ctx context.Context, q StoryQuery) (hits []StoryHit, next *StoryKey, err error) {
	lim := clampLimit(q.Limit)
	where := []string{"st.articles > 0"}
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "st.first_seen >= ?"), append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		where, args = append(where, "st.first_seen < ?"), append(args, q.Until.UnixMilli())
	}
	if q.After != nil {
		where = append(where, "st.first_seen <= ?", "(st.first_seen < ? OR st.id < ?)")
		args = append(args, q.After.FirstSeen, q.After.FirstSeen, q.After.ID)
	}
	args = append(args, lim+1)
	rows, err := s.rdb().QueryContext(ctx, `SELECT st.id, st.first_seen, st.sites, st.articles,
		(SELECT group_concat(id, ' ') FROM (SELECT id FROM articles WHERE story_id = st.id ORDER BY id) AS story_articles),
		coalesce((SELECT title FROM articles WHERE story_id = st.id ORDER BY id LIMIT 1), '')
	FROM stories st
	WHERE `+strings.Join(where, " AND ")+`
	ORDER BY st.first_seen DESC, st.id DESC
	LIMIT ?`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("archive: stories: %w", err)
	}
	defer rows.Close()
	hits = []StoryHit{}
	for rows.Next() {
		var h StoryHit
		var first int64
		var ids sql.NullString
		if err := rows.Scan(&h.ID, &first, &h.Sites, &h.ArticleCount, &ids, &h.Title); err != nil {
			return nil, nil, fmt.Errorf("archive: stories: %w", err)
		}
		if len(hits) == lim {
			last := hits[len(hits)-1]
			next = &StoryKey{FirstSeen: last.FirstSeen.UnixMilli(), ID: last.ID}
			break
		}
		h.FirstSeen = time.UnixMilli(first).UTC()
		h.Articles = []int64{}
		for _, f := range strings.Fields(ids.String) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("archive: stories: article id %q: %w", f, err)
			}
			h.Articles = append(h.Articles, id)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("archive: stories: %w", err)
	}
	return hits, next, nil
}
