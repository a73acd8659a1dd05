package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// walkPages collects every page of q, limit hits at a time.
func walkPages(t *testing.T, s *Store, q PageQuery) (ids []int64, pages int) {
	t.Helper()
	seen := map[int64]bool{}
	for {
		p, err := s.SearchPage(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, h := range p.Hits {
			if seen[h.ID] {
				t.Fatalf("article %d on two pages", h.ID)
			}
			seen[h.ID] = true
			ids = append(ids, h.ID)
		}
		if p.Next == nil {
			return ids, pages
		}
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		q.After = p.Next
	}
}

func TestSearchPageWalk(t *testing.T) { eachBackend(t, testSearchPageWalk) }

func testSearchPageWalk(t *testing.T) {
	s, ids := searchFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"listing", Query{}},
		{"full text", Query{Text: "autonomy OR compute"}},
		{"full text, since", Query{Text: "report", Since: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}},
		{"listing, source", Query{Source: "b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			all := c.q
			all.Limit = MaxLimit
			want, err := s.Search(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 4 {
				t.Fatalf("fixture too small: %d hits", len(want))
			}
			for _, limit := range []int{1, 3, len(want), len(want) + 1} {
				q := c.q
				q.Limit = limit
				got, pages := walkPages(t, s, PageQuery{Query: q})
				if !slices.Equal(got, hitIDs(want)) {
					t.Errorf("limit %d: walked %v, want %v", limit, got, hitIDs(want))
				}
				if wantPages := (len(want) + limit - 1) / limit; pages != wantPages && pages != wantPages+1 {
					t.Errorf("limit %d: %d pages for %d hits", limit, pages, len(want))
				}
			}
		})
	}
	// Snippets mark the matched terms.
	p, err := s.SearchPage(ctx, PageQuery{Query: Query{Text: "autonomy"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hits) == 0 || !strings.Contains(p.Hits[0].Snippet, HighlightStart) {
		t.Fatalf("no highlight in %+v", p.Hits)
	}
	if p.Hits[0].ID != ids["/notext"] || p.Hits[0].Snippet != "Autonomy without a body" && !strings.Contains(p.Hits[0].Snippet, HighlightStart+"Autonomy"+HighlightEnd) {
		t.Errorf("best hit %d %q, want the title-only match %d with its title as snippet", p.Hits[0].ID, p.Hits[0].Snippet, ids["/notext"])
	}
	// Operators that are not valid syntax are searched as words; a query
	// that cannot be one fails with ErrBadQuery.
	if _, err := s.SearchPage(ctx, PageQuery{Query: Query{Text: "autonomy AND"}}); err != nil {
		t.Errorf("quoted retry: %v", err)
	}
	if _, err := s.SearchPage(ctx, PageQuery{Query: Query{Text: strings.Repeat("a ", MaxQueryTerms+1)}}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("too many terms: %v", err)
	}
}

func TestSearchPageTopicAndMetric(t *testing.T) { eachBackend(t, testSearchPageTopicAndMetric) }

func testSearchPageTopicAndMetric(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("a"))
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	arts := []frontierwatch.Article{
		{URL: "https://a.example/1", Title: "Agents one", Text: "agents work alone", Topics: []frontierwatch.TopicScore{{Topic: "autonomy", Score: 2}}},
		{URL: "https://a.example/2", Title: "Agents two", Text: "agents and chips", Topics: []frontierwatch.TopicScore{{Topic: "compute", Score: 1}}},
		{URL: "https://a.example/3", Title: "Agents three", Text: "agents, no topic"},
	}
	hook := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
		_, err := tx.InsertFigure(ctx, ins[1].ID, FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(3)}, Key: "task_horizon", SeenAt: at})
		return err
	}
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: at}, arts, hook)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    PageQuery
		want []int64
	}{
		{PageQuery{Query: Query{Text: "agents"}, Topic: "autonomy"}, []int64{ins[0].ID}},
		{PageQuery{Topic: "compute"}, []int64{ins[1].ID}},
		{PageQuery{Query: Query{Text: "agents"}, Metric: "task_horizon"}, []int64{ins[1].ID}},
		{PageQuery{Metric: "doubling_time"}, nil},
		{PageQuery{Topic: "autonomy", Metric: "task_horizon"}, nil},
	} {
		p, err := s.SearchPage(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := hitIDs(p.Hits); !slices.Equal(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestStoriesPages(t *testing.T) { eachBackend(t, testStoriesPages) }

func testStoriesPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("a"))
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	// Five stories; the second has two articles on two sites.
	for i := range 5 {
		arts := []frontierwatch.Article{{URL: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("story %d", i), Site: "a.example", Fetched: base.Add(time.Duration(i) * time.Hour)}}
		if i == 1 {
			arts = append(arts, frontierwatch.Article{URL: "https://b.example/copy", Title: "copy", Site: "b.example", DuplicateOf: -1})
		}
		if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: base.Add(time.Duration(i) * time.Hour)}, arts); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	var after *StoryKey
	for range 10 {
		hits, next, err := s.Stories(ctx, StoryQuery{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			titles = append(titles, h.Title)
			if h.Title == "story 1" && (h.Sites != 2 || len(h.Articles) != 2 || h.ArticleCount != 2) {
				t.Errorf("story 1: %+v", h)
			}
		}
		if next == nil {
			break
		}
		after = next
	}
	if want := []string{"story 4", "story 3", "story 2", "story 1", "story 0"}; !slices.Equal(titles, want) {
		t.Errorf("stories %v, want %v", titles, want)
	}
	hits, _, err := s.Stories(ctx, StoryQuery{Since: base.Add(3 * time.Hour)})
	if err != nil || len(hits) != 2 {
		t.Errorf("since: %d hits, %v", len(hits), err)
	}
}

func TestSeriesAndMetricCounts(t *testing.T) { eachBackend(t, testSeriesAndMetricCounts) }

func testSeriesAndMetricCounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("a"))
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	hook := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
		for i, f := range []frontierwatch.Figure{
			{Metric: "task_horizon", Value: fl(2), Subject: "Model A"},
			{Metric: "task_horizon", Value: fl(4), Subject: "Model B"},
			{Metric: "task_horizon", Value: fl(100), Subject: "Model B", Forecast: true},
			{Metric: "benchmark_score", Value: fl(50), Benchmark: "SWE-bench Verified"},
		} {
			if _, err := tx.InsertFigure(ctx, ins[0].ID, FigureRow{Figure: f, Key: f.Metric, SeenAt: at.Add(time.Duration(i) * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: at}, []frontierwatch.Article{{URL: "https://a.example/x", Title: "x"}}, hook); err != nil {
		t.Fatal(err)
	}
	values := func(q SeriesQuery) []float64 {
		t.Helper()
		var out []float64
		if err := s.Series(ctx, q, func(p SeriesPoint) error { out = append(out, *p.Value); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		q    SeriesQuery
		want []float64
	}{
		{SeriesQuery{Metric: "task_horizon"}, []float64{2, 4}},
		{SeriesQuery{Metric: "task_horizon", IncludeForecasts: true}, []float64{2, 4, 100}},
		{SeriesQuery{Metric: "task_horizon", Subject: "model b"}, []float64{4}},
		{SeriesQuery{Metric: "task_horizon", Since: at.Add(time.Hour)}, []float64{4}},
		{SeriesQuery{Metric: "benchmark_score", Benchmark: "swe-bench verified"}, []float64{50}},
		{SeriesQuery{Metric: "benchmark_score", Benchmark: "OSWorld"}, nil},
	} {
		if got := values(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.q, got, c.want)
		}
	}
	var pts []SeriesPoint
	if err := s.Series(ctx, SeriesQuery{Metric: "task_horizon", Limit: 1}, func(p SeriesPoint) error { pts = append(pts, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].Source != "a" || pts[0].URL != "https://a.example/x" || pts[0].Subject != "Model A" || !pts[0].Seen.Equal(at) || pts[0].FigureID == 0 {
		t.Errorf("limited series %+v", pts)
	}
	var vals []float64
	if err := s.SeriesValues(ctx, SeriesQuery{Metric: "task_horizon", Limit: 1}, func(v SeriesValue) error { vals = append(vals, *v.Value); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(vals, []float64{2, 4}) {
		t.Errorf("series values %v", vals)
	}
	stop := errors.New("stop")
	if err := s.Series(ctx, SeriesQuery{Metric: "task_horizon"}, func(SeriesPoint) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error: %v", err)
	}
	counts, err := s.MetricCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[0].Metric != "benchmark_score" || counts[1].Figures != 2 {
		t.Errorf("counts %+v", counts)
	}
}

func TestSilences(t *testing.T) { eachBackend(t, testSilences) }

func testSilences(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s := openTest(t)
	s.now = func() time.Time { return now }
	if _, err := s.AddSilence(ctx, Silence{Metric: "x"}); err == nil {
		t.Error("a silence without until was stored")
	}
	a, err := s.AddSilence(ctx, Silence{Metric: " task_horizon ", Until: now.Add(time.Hour), Reason: "noisy"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Metric != "task_horizon" || !a.CreatedAt.Equal(now) {
		t.Errorf("added %+v", a)
	}
	if _, err := s.AddSilence(ctx, Silence{Source: "example.org", Until: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Silences(ctx, time.Time{})
	active, _ := s.Silences(ctx, now)
	if len(all) != 2 || len(active) != 1 || active[0].ID != a.ID || active[0].Reason != "noisy" || !active[0].Until.Equal(now.Add(time.Hour)) {
		t.Errorf("all %+v, active %+v", all, active)
	}
	if err := s.DeleteSilence(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSilence(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestSearchPageBands(t *testing.T) { eachBackend(t, testSearchPageBands) }

// testSearchPageBands checks ranking in bands: every match is reached
// exactly once, each band holds the next RankWindow newest matches, and
// inside a band hits keep the order of a ranking over all matches.
func testSearchPageBands(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	srcs := []frontierwatch.Source{mustUpsertTB(t, s, feedSource("a")), mustUpsertTB(t, s, feedSource("b"))}
	for i := range 23 {
		// Texts of several lengths and term counts, so ranks differ and do
		// not follow arrival order; every third article does not match.
		text := strings.Repeat("markets moved on a quiet day. ", 1+i%5)
		if i%3 != 2 {
			text += strings.Repeat("agents ", 1+(i*7)%4) + strings.Repeat("filler words here. ", i%6)
		}
		a := article(fmt.Sprintf("https://example.org/band%d", i), fmt.Sprintf("Note %d", i), text)
		a.Published = time.Date(2026, 1, 1+i, 12, 0, 0, 0, time.UTC)
		if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: srcs[i%2].ID, At: a.Published}, []frontierwatch.Article{a}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []Query{{Text: "agents"}, {Text: "agents", Source: "a"}} {
		s.rankWindow = 0
		all := q
		all.Limit = MaxLimit
		whole, err := s.Search(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) < 6 {
			t.Fatalf("%+v: fixture too small: %d matches", q, len(whole))
		}
		for _, window := range []int{1, 4, len(whole) - 1, len(whole), len(whole) + 1} {
			s.rankWindow = window
			// The expected order: matches by ID, newest first, cut into
			// bands of window; each band in the order of the whole ranking.
			byID := hitIDs(whole)
			slices.Sort(byID)
			slices.Reverse(byID)
			var want []int64
			for start := 0; start < len(byID); start += window {
				inBand := byID[start:min(start+window, len(byID))]
				for _, id := range hitIDs(whole) {
					if slices.Contains(inBand, id) {
						want = append(want, id)
					}
				}
			}
			for _, limit := range []int{1, 3, 50} {
				pq := q
				pq.Limit = limit
				got, _ := walkPages(t, s, PageQuery{Query: pq})
				if !slices.Equal(got, want) {
					t.Errorf("%+v, window %d, limit %d: walked %v, want %v", q, window, limit, got, want)
				}
			}
		}
	}
	s.rankWindow = DefaultRankWindow
}

func TestSearchPageTies(t *testing.T) { eachBackend(t, testSearchPageTies) }

// testSearchPageTies walks a query whose matches are mostly copies of one
// text (equal scores): every page boundary inside the tie must keep the
// order by ID, with no hit lost or repeated.
func testSearchPageTies(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	src := mustUpsertTB(t, s, feedSource("a"))
	var arts []frontierwatch.Article
	for i := range 11 {
		text := "Wire copy: agents now finish 12-hour tasks, the lab said."
		if i%4 == 3 {
			text = strings.Repeat("Another agents story with more words in it. ", 1+i%3)
		}
		a := article(fmt.Sprintf("https://example.org/tie%d", i), "Lab note", text)
		a.Published = time.Date(2026, 2, 1+i, 9, 0, 0, 0, time.UTC)
		arts = append(arts, a)
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, arts); err != nil {
		t.Fatal(err)
	}
	all, err := s.Search(ctx, Query{Text: "agents", Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 11 {
		t.Fatalf("%d matches, want 11", len(all))
	}
	slices.SortStableFunc(all, func(a, b Hit) int { // best first, then by ID
		if a.Rank != b.Rank {
			if a.Rank > b.Rank {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	want := hitIDs(all)
	for _, limit := range []int{1, 2, 3, 4, 7} {
		got, _ := walkPages(t, s, PageQuery{Query: Query{Text: "agents", Limit: limit}})
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: walked %v, want %v", limit, got, want)
		}
	}
}
