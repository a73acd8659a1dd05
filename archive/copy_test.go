package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/frontierwatch/frontierwatch"
)

// copyT0 is the fixture's poll time.
var copyT0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// copyFillers is how many filler articles the fixture has: more than one
// batch of Copy, so that an interrupted copy leaves some behind.
const copyFillers = 2*copyBatch + 100

// copyFixture fills s with a bit of everything: sources (a feed and a
// site with crawl state), a story on two sites with figures, a milestone,
// its sources and a delivery, skipped URLs, meta, a silence, and fillers.
func copyFixture(t testing.TB, s *Store) (storyID int64) {
	t.Helper()
	ctx := context.Background()
	feed := mustUpsertTB(t, s, feedSource("lab"))
	site := mustUpsertTB(t, s, siteSource("news"))
	hook := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
		f := FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(12), Unit: "hours", Qualifier: frontierwatch.Exact,
			Subject: "Model X", Surface: "12-hour tasks", Sentence: "Model X completes 12-hour tasks."},
			Key: "task_horizon", Comparable: fl(12), SeenAt: copyT0}
		fid, err := tx.InsertFigure(ctx, ins[0].ID, f)
		if err != nil {
			return err
		}
		f.Forecast, f.Value, f.Comparable, f.Min, f.Max = true, nil, nil, fl(100), fl(500)
		if _, err := tx.InsertFigure(ctx, ins[1].ID, f); err != nil {
			return err
		}
		mid, err := tx.InsertMilestone(ctx, MilestoneRow{Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon", Key: "task_horizon",
			Subject: "Model X", Value: 12, Unit: "hours", Beats: fl(8), FigureID: fid, StoryID: ins[0].StoryID, DetectedAt: copyT0, Alert: true})
		if err != nil {
			return err
		}
		for _, a := range ins[:2] {
			if _, _, _, err := tx.AddMilestoneSource(ctx, mid, a.ID, fid, a.Site); err != nil {
				return err
			}
		}
		if _, err := tx.Confirm(ctx, mid); err != nil {
			return err
		}
		if _, err := tx.AddDelivery(ctx, mid, "team", "pending"); err != nil {
			return err
		}
		return tx.SkipURLs(ctx, "lab", []string{"https://lab.example/off-topic", "https://lab.example/other"})
	}
	orig := frontierwatch.Article{URL: "https://lab.example/record", Site: "lab.example", Source: "lab", Title: "Agents set an autonomy record",
		Text: "Model X completes 12-hour tasks with full autonomy, a record for agents.", ContentHash: "h1", Published: copyT0.Add(-time.Hour), Topics: []frontierwatch.TopicScore{{Topic: "autonomy", Score: 0.9}}}
	dup := frontierwatch.Article{URL: "https://news.example/copy", Site: "news.example", Source: "news", Title: "Autonomy record for agents",
		Text: "A copy: Model X completes 12-hour tasks with full autonomy.", ContentHash: "h2", DuplicateOf: -1}
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: feed.ID, At: copyT0, ETag: `"v1"`}, []frontierwatch.Article{orig, dup}, hook)
	if err != nil {
		t.Fatal(err)
	}
	if ins[0].StoryID != ins[1].StoryID || ins[0].StorySites != 2 {
		t.Fatalf("fixture story: %+v", ins)
	}
	for lo := 0; lo < copyFillers; lo += 700 {
		var arts []frontierwatch.Article
		for i := lo; i < min(lo+700, copyFillers); i++ {
			words := "budgets"
			if i%100 == 7 {
				words = "chips benchmark"
			}
			arts = append(arts, frontierwatch.Article{URL: fmt.Sprintf("https://lab.example/n/%d", i), Site: "lab.example", Source: "lab",
				Title: fmt.Sprintf("Market note %d", i), Text: "Quarterly figures on compute " + words + ".", ContentHash: fmt.Sprint("f", i),
				Published: copyT0.Add(-time.Duration(i+2) * time.Minute)})
		}
		if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: feed.ID, At: copyT0}, arts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetMetaOnce(ctx, "first_started", "2026-05-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSilence(ctx, Silence{Metric: "task_horizon", Until: copyT0.Add(24 * time.Hour), Reason: "noisy"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCrawlURLs(ctx, site.ID, crawlURLs("https://news.example/p/", 3), copyT0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCrawlValidators(ctx, site.ID, "https://news.example/sitemap.xml", `"e"`, "Mon", copyT0); err != nil {
		t.Fatal(err)
	}
	return ins[0].StoryID
}

// snippetTerms are the words of a snippet's [bracketed] terms, lower-cased
// and sorted (SQLite brackets "[12-hour]", PostgreSQL "[12]-[hour]").
var snippetTermRE = regexp.MustCompile(`\[([^\]]+)\]`)

func snippetTerms(s string) []string {
	var out []string
	for _, m := range snippetTermRE.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.FieldsFunc(strings.ToLower(m[1]), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonOf is v as JSON, to compare values with times.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertSameArchive checks that a and b answer the same: searches (the
// order of ranked hits only when both are on the same backend, as BM25
// and ts_rank rank differently), listings, figures, milestones, the
// story, sources, silences, meta and crawl state.
func assertSameArchive(t *testing.T, a, b *Store, storyID int64) {
	t.Helper()
	ctx := context.Background()
	na, _ := a.CountArticles(ctx)
	nb, _ := b.CountArticles(ctx)
	if na != nb || na != copyFillers+2 {
		t.Errorf("articles: %d and %d, want %d", na, nb, copyFillers+2)
	}
	for _, q := range []string{"autonomy", "record agents", "chips", "benchmark OR horizon", "12-hour", ""} {
		ha, err := a.Search(ctx, Query{Text: q, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		hb, err := b.Search(ctx, Query{Text: q, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("search %q on the copy: %v", q, err)
		}
		if len(ha) == 0 {
			t.Fatalf("search %q finds nothing in the source", q)
		}
		type key struct {
			ID          int64
			URL         string
			Story       int64
			Sites       int
			Terms, Lead string
		}
		keys := func(hs []Hit) []key {
			var ks []key
			for _, h := range hs {
				k := key{ID: h.ID, URL: h.URL, Story: h.StoryID, Sites: h.StorySites, Terms: strings.Join(snippetTerms(h.Snippet), " ")}
				if q == "" {
					k.Lead = h.Snippet
				}
				ks = append(ks, k)
			}
			if q != "" && a.Postgres() != b.Postgres() {
				slices.SortFunc(ks, func(x, y key) int { return int(x.ID - y.ID) })
			}
			return ks
		}
		if ka, kb := keys(ha), keys(hb); !slices.Equal(ka, kb) {
			t.Errorf("search %q:\n source %v\n copy   %v", q, ka, kb)
		}
	}
	same := func(what string, x, y any) {
		t.Helper()
		if jx, jy := jsonOf(t, x), jsonOf(t, y); jx != jy {
			t.Errorf("%s:\n source %s\n copy   %s", what, jx, jy)
		}
	}
	get := func(s *Store) map[string]any {
		out := map[string]any{}
		var err error
		var e error
		out["figures"], e = s.Figures(ctx, FigureQuery{IncludeForecasts: true, Limit: MaxLimit})
		err = errors.Join(err, e)
		ms, e := s.Milestones(ctx, MilestoneQuery{Limit: MaxLimit})
		err = errors.Join(err, e)
		out["milestones"] = ms
		if len(ms) == 1 {
			m, srcs, e := s.Milestone(ctx, ms[0].ID)
			err = errors.Join(err, e)
			out["milestone"], out["milestone sources"] = m, srcs
		} else {
			t.Errorf("%d milestones, want 1", len(ms))
		}
		out["story"], e = s.Story(ctx, storyID)
		err = errors.Join(err, e)
		out["sources"], e = s.Sources(ctx)
		err = errors.Join(err, e)
		out["silences"], e = s.Silences(ctx, copyT0)
		err = errors.Join(err, e)
		out["meta"], e = s.Meta(ctx, "first_started")
		err = errors.Join(err, e)
		out["deliveries"], e = s.DeliveryCounts(ctx, "team")
		err = errors.Join(err, e)
		src, e := s.Source(ctx, "news")
		err = errors.Join(err, e)
		out["crawl"], e = s.CrawlStats(ctx, src.ID)
		err = errors.Join(err, e)
		etag, lm, e := s.CrawlValidators(ctx, src.ID, "https://news.example/sitemap.xml")
		out["validators"] = etag + "|" + lm
		err = errors.Join(err, e)
		known, e := s.KnownURLs(ctx, []string{"https://lab.example/off-topic", "https://lab.example/record", "https://lab.example/nope"})
		out["known"] = known
		if err = errors.Join(err, e); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ga, gb := get(a), get(b)
	for k, v := range ga {
		same(k, v, gb[k])
	}
}

// assertFreshIDs checks that new rows of s get IDs after the copied ones.
func assertFreshIDs(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	src, err := s.Source(ctx, "lab")
	if err != nil {
		t.Fatal(err)
	}
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: copyT0.Add(time.Hour)},
		[]frontierwatch.Article{{URL: "https://lab.example/after-copy", Site: "lab.example", Title: "After the copy", Text: "autonomy"}})
	if err != nil {
		t.Fatalf("commit after copy: %v", err)
	}
	if want := int64(copyFillers + 3); len(ins) != 1 || ins[0].ID != want || ins[0].StoryID <= copyFillers+1 {
		t.Errorf("after the copy: %+v, want id %d and a new story", ins, want)
	}
	sil, err := s.AddSilence(ctx, Silence{Until: copyT0.Add(time.Hour)})
	if err != nil || sil.ID != 2 {
		t.Errorf("silence after the copy: %d %v, want id 2", sil.ID, err)
	}
	hits, err := s.Search(ctx, Query{Text: "autonomy"})
	if err != nil || !slices.Contains(hitIDs(hits), ins[0].ID) {
		t.Errorf("the new article is not found: %v %v", hitIDs(hits), err)
	}
}

func sqliteTarget(t *testing.T) *Store {
	return openAt(t, filepath.Join(t.TempDir(), "target.db"))
}

// TestCopy copies a populated archive (SQLite, or PostgreSQL) into another
// database, interrupting the first run after one batch of articles: the
// second run resumes, a third copies nothing, and the copy answers as the
// original did.
func TestCopy(t *testing.T) {
	tests := []struct {
		name     string
		from, to string // "sqlite" or "postgres"
	}{
		{"sqlite to sqlite", "sqlite", "sqlite"},
		{"sqlite to postgres", "sqlite", "postgres"},
		{"postgres to sqlite", "postgres", "sqlite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var from, to *Store
			if tt.from == "postgres" {
				from = openPGTest(t)
				to = sqliteTarget(t)
			} else {
				from = openTest(t)
				if tt.to == "postgres" {
					to = openPGTest(t)
				} else {
					to = sqliteTarget(t)
				}
			}
			storyID := copyFixture(t, from)

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var calls []string
			_, err := Copy(cctx, from, to, func(table string, done, total int64) {
				calls = append(calls, fmt.Sprintf("%s %d/%d", table, done, total))
				if table == "articles" && done > 0 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted copy: %v", err)
			}
			if n, _ := to.CountArticles(ctx); n != copyBatch {
				t.Errorf("after the interruption: %d articles, want %d", n, copyBatch)
			}
			want := []string{"sources 0/2", "sources 2/2", "stories 0/2101", "stories 1000/2101", "stories 2000/2101", "stories 2101/2101",
				"articles 0/2102", "articles 1000/2102"}
			if !slices.Equal(calls, want) {
				t.Errorf("progress:\n got  %v\n want %v", calls, want)
			}

			calls = nil
			n, err := Copy(ctx, from, to, func(table string, done, total int64) {
				calls = append(calls, fmt.Sprintf("%s %d/%d", table, done, total))
			})
			// The rest: 1102 articles, 2 figures, 1 milestone, 2 sources
			// of it, 1 delivery, 2 skipped URLs, 1 meta, 1 silence, 3
			// crawl URLs, 1 validator.
			if wantN := int64(copyFillers + 2 - copyBatch + 2 + 1 + 2 + 1 + 2 + 1 + 1 + 3 + 1); err != nil || n != wantN {
				t.Errorf("resumed copy: %d rows, %v; want %d", n, err, wantN)
			}
			if !slices.Contains(calls, "articles 1000/2102") || !slices.Contains(calls, "articles 2102/2102") || slices.Contains(calls, "articles 0/2102") {
				t.Errorf("resumed progress: %v", calls)
			}
			if n, err := Copy(ctx, from, to, nil); err != nil || n != 0 {
				t.Errorf("third copy: %d rows, %v; want 0", n, err)
			}
			assertSameArchive(t, from, to, storyID)
			assertFreshIDs(t, to)
		})
	}
}

// TestCopyRefusesSameDatabase: copying a store into itself is an error.
func TestCopyRefusesSameDatabase(t *testing.T) {
	s := openTest(t)
	if _, err := Copy(context.Background(), s, s, nil); err == nil || !strings.Contains(err.Error(), "same database") {
		t.Errorf("copy into itself: %v", err)
	}
	other := openAt(t, s.Path())
	if _, err := Copy(context.Background(), s, other, nil); err == nil {
		t.Error("copy into the same file opened twice")
	}
}
