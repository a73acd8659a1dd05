package server

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// articleView is an article as the API shows it in lists.
type articleView struct {
	ID         int64                      `json:"id"`
	URL        string                     `json:"url"`
	Title      string                     `json:"title"`
	Source     string                     `json:"source"`
	Site       string                     `json:"site,omitempty"`
	Author     string                     `json:"author,omitempty"`
	Published  *time.Time                 `json:"published"`
	Fetched    time.Time                  `json:"fetched"`
	Language   string                     `json:"language,omitempty"`
	StoryID    int64                      `json:"story_id"`
	StorySites int                        `json:"story_sites"`
	Topics     []frontierwatch.TopicScore `json:"topics"`
	// Snippet marks the matched terms [like this], as the CLI does;
	// SnippetHTML is the same passage, HTML-escaped, with <mark>.
	Snippet     string   `json:"snippet"`
	SnippetHTML string   `json:"snippet_html"`
	Rank        *float64 `json:"rank,omitempty"`
	Text        string   `json:"text,omitempty"`
}

func newArticleView(a frontierwatch.Article) articleView {
	v := articleView{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Site: a.Site, Author: a.Author,
		Fetched: a.Fetched, Language: a.Language, StoryID: a.StoryID, StorySites: a.StorySites, Topics: a.Topics, Text: a.Text}
	if !a.Published.IsZero() {
		p := a.Published
		v.Published = &p
	}
	if v.Topics == nil {
		v.Topics = []frontierwatch.TopicScore{}
	}
	return v
}

func newHitView(h archive.Hit, fullText bool) articleView {
	v := newArticleView(h.Article)
	v.Snippet = bracketSnippet(h.Snippet)
	v.SnippetHTML = string(markSnippet(h.Snippet))
	if fullText {
		r := h.Rank
		v.Rank = &r
	}
	return v
}

// snippetPart is a run of a snippet, highlighted or not.
type snippetPart struct {
	Text string
	Mark bool
}

// snippetParts splits a snippet at its highlight markers.
func snippetParts(s string) []snippetPart {
	var parts []snippetPart
	mark := false
	for s != "" {
		sep := archive.HighlightStart
		if mark {
			sep = archive.HighlightEnd
		}
		before, after, found := strings.Cut(s, sep)
		if text := stripMarkers(before); text != "" {
			parts = append(parts, snippetPart{Text: text, Mark: mark})
		}
		if !found {
			break
		}
		s, mark = after, !mark
	}
	return parts
}

var (
	markerStripper  = strings.NewReplacer(archive.HighlightStart, "", archive.HighlightEnd, "")
	markerBracketer = strings.NewReplacer(archive.HighlightStart, "[", archive.HighlightEnd, "]")
)

func stripMarkers(s string) string { return markerStripper.Replace(s) }

// bracketSnippet writes the highlights as [brackets].
func bracketSnippet(s string) string { return markerBracketer.Replace(s) }

// markSnippet escapes a snippet for HTML and wraps its highlights in <mark>.
func markSnippet(s string) template.HTML {
	var b strings.Builder
	for _, p := range snippetParts(s) {
		if p.Mark {
			b.WriteString("<mark>" + template.HTMLEscapeString(p.Text) + "</mark>")
		} else {
			b.WriteString(template.HTMLEscapeString(p.Text))
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every part is escaped above
}

// searchParams are the parameters of an article search, as read from a
// request.
type searchParams struct {
	query  archive.PageQuery
	cursor string
	fp     [8]byte
}

// readSearch reads q, since, until, source, topic, metric, limit and cursor.
func (s *server) readSearch(r *http.Request, q url.Values) (searchParams, error) {
	var p searchParams
	var err error
	if p.query.Text, err = textParam(q, "q", archive.MaxQueryLen); err != nil {
		return p, err
	}
	if p.query.Since, p.query.Until, err = timeRange(q); err != nil {
		return p, err
	}
	if p.query.Source, err = textParam(q, "source", maxTextParam); err != nil {
		return p, err
	}
	if p.query.Topic, err = textParam(q, "topic", maxTextParam); err != nil {
		return p, err
	}
	if p.query.Metric, err = s.metricParam(q); err != nil {
		return p, err
	}
	if p.query.Limit, err = parseLimit(q, defaultLimit, maxLimit); err != nil {
		return p, err
	}
	p.fp = fingerprint(p.query.Text, timeKey(p.query.Since), timeKey(p.query.Until), p.query.Source, p.query.Topic, p.query.Metric)
	if c := strings.TrimSpace(q.Get("cursor")); c != "" {
		pos, err := decodeCursor(s.cursorKey(r), cursorArticles, p.fp, c)
		if err != nil {
			return p, err
		}
		p.query.After = &archive.PageKey{Score: math.Float64frombits(pos[0]), When: int64(pos[1]), ID: int64(pos[2]),
			Floor: int64(pos[3]), Ceil: int64(pos[4])}
		p.cursor = c
	}
	return p, nil
}

func timeKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// search runs a search and returns its page and the cursor of the next.
func (s *server) search(r *http.Request, p searchParams) (archive.Page, string, error) {
	page, err := s.store.SearchPage(r.Context(), p.query)
	if err != nil {
		return page, "", err
	}
	next := ""
	if page.Next != nil {
		next = encodeCursor(s.cursorKey(r), cursorArticles, p.fp,
			[cursorSlots]uint64{math.Float64bits(page.Next.Score), uint64(page.Next.When), uint64(page.Next.ID),
				uint64(page.Next.Floor), uint64(page.Next.Ceil)})
	}
	return page, next, nil
}

// withCursor returns the request's URL with cursor set to c.
func withCursor(u *url.URL, c string) string {
	q := u.Query()
	q.Set("cursor", c)
	return u.Path + "?" + q.Encode()
}

// apiArticles is GET /api/v1/articles: full-text search, or the newest
// articles without q.
func (s *server) apiArticles(w http.ResponseWriter, r *http.Request) {
	p, err := s.readSearch(r, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, next, err := s.search(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Articles   []articleView `json:"articles"`
		NextCursor *string       `json:"next_cursor"`
		Next       *string       `json:"next"`
	}{Articles: make([]articleView, 0, len(page.Hits))}
	for _, h := range page.Hits {
		out.Articles = append(out.Articles, newHitView(h, p.query.Text != ""))
	}
	if next != "" {
		link := withCursor(r.URL, next)
		out.NextCursor, out.Next = &next, &link
	}
	writeJSON(w, http.StatusOK, out)
}

// articleDetail is one article with its figures and story.
type articleDetail struct {
	Article articleView    `json:"article"`
	Figures []figureView   `json:"figures"`
	Story   *storyView     `json:"story"`
	Related []articleBrief `json:"-"` // the story's other articles, for the page
}

// articleBrief names an article in a story.
type articleBrief struct {
	ID     int64
	Title  string
	URL    string
	Source string
	Site   string
}

// maxStoryBriefs caps how many of a story's articles the page lists.
const maxStoryBriefs = 50

// articleDetail reads an article, its figures and its story.
func (s *server) articleDetail(r *http.Request, idText string, briefs bool) (articleDetail, error) {
	var d articleDetail
	id, err := parseID("id", idText)
	if err != nil {
		return d, err
	}
	a, err := s.store.Article(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return d, notFound("no article %d", id)
		}
		return d, err
	}
	d.Article = newArticleView(a)
	figs, err := s.store.ArticleFigures(r.Context(), id)
	if err != nil {
		return d, err
	}
	d.Figures = make([]figureView, 0, len(figs))
	for _, f := range figs {
		d.Figures = append(d.Figures, newFigureView(archive.FigureHit{Figure: f, ArticleURL: a.URL, ArticleTitle: a.Title,
			Source: a.Source, Site: a.Site, StoryID: a.StoryID, Seen: seenOf(a)}))
	}
	if a.StoryID != 0 {
		st, err := s.store.Story(r.Context(), a.StoryID)
		if err != nil && !isNotFound(err) {
			return d, err
		}
		if err == nil {
			v := newStoryView(archive.StoryHit{Story: st, ArticleCount: len(st.Articles)})
			d.Story = &v
			for _, aid := range st.Articles {
				if !briefs || len(d.Related) == maxStoryBriefs {
					break
				}
				if aid == id {
					continue
				}
				o, err := s.store.Article(r.Context(), aid)
				if err != nil {
					continue // deleted meanwhile
				}
				d.Related = append(d.Related, articleBrief{ID: o.ID, Title: o.Title, URL: o.URL, Source: o.Source, Site: o.Site})
			}
		}
	}
	return d, nil
}

// seenOf is when an article's figures count as stated.
func seenOf(a frontierwatch.Article) time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.Fetched
}

// apiArticle is GET /api/v1/articles/{id}.
func (s *server) apiArticle(w http.ResponseWriter, r *http.Request) {
	d, err := s.articleDetail(r, r.PathValue("id"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// storyView is a story as the API shows it.
type storyView struct {
	ID           int64     `json:"id"`
	FirstSeen    time.Time `json:"first_seen"`
	Title        string    `json:"title,omitempty"`
	Sites        int       `json:"sites"`
	ArticleCount int       `json:"article_count"`
	Articles     []int64   `json:"articles"`
}

func newStoryView(h archive.StoryHit) storyView {
	v := storyView{ID: h.ID, FirstSeen: h.FirstSeen, Title: h.Title, Sites: h.Sites, ArticleCount: h.ArticleCount, Articles: h.Articles}
	if v.Articles == nil {
		v.Articles = []int64{}
	}
	return v
}

// apiStories is GET /api/v1/stories: newest first, paginated.
func (s *server) apiStories(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sq archive.StoryQuery
	var err error
	if sq.Since, sq.Until, err = timeRange(q); err != nil {
		s.fail(w, r, err)
		return
	}
	if sq.Limit, err = parseLimit(q, defaultLimit, maxLimit); err != nil {
		s.fail(w, r, err)
		return
	}
	fp := fingerprint(timeKey(sq.Since), timeKey(sq.Until))
	if c := strings.TrimSpace(q.Get("cursor")); c != "" {
		pos, err := decodeCursor(s.cursorKey(r), cursorStories, fp, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sq.After = &archive.StoryKey{FirstSeen: int64(pos[0]), ID: int64(pos[1])}
	}
	hits, next, err := s.store.Stories(r.Context(), sq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Stories    []storyView `json:"stories"`
		NextCursor *string     `json:"next_cursor"`
		Next       *string     `json:"next"`
	}{Stories: make([]storyView, 0, len(hits))}
	for _, h := range hits {
		out.Stories = append(out.Stories, newStoryView(h))
	}
	if next != nil {
		c := encodeCursor(s.cursorKey(r), cursorStories, fp, [cursorSlots]uint64{uint64(next.FirstSeen), uint64(next.ID)})
		link := withCursor(r.URL, c)
		out.NextCursor, out.Next = &c, &link
	}
	writeJSON(w, http.StatusOK, out)
}
