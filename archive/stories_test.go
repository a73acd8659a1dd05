package archive

import (
	"context"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

func TestStories(t *testing.T) { eachBackend(t, testStories) }

func testStories(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src, err := s.UpsertSource(ctx, frontierwatch.Source{Name: "s", Kind: frontierwatch.KindFeed, URL: "https://s.example/f", Enabled: true, Origin: frontierwatch.OriginUser})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	mk := func(url, site string, dup int64) frontierwatch.Article {
		return frontierwatch.Article{URL: url, Site: site, Title: url, Text: "text", ContentHash: "h" + url, DuplicateOf: dup}
	}
	// Batch 1: an original, a copy on another site that names it within
	// the batch, and an unrelated article.
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{
		mk("https://origin.example/report", "origin.example", 0),
		mk("https://news.example/copy", "news.example", -1),
		mk("https://other.example/x", "other.example", 0),
	})
	if err != nil || len(ins) != 3 {
		t.Fatalf("%v %v", ins, err)
	}
	if ins[1].StoryID != ins[0].StoryID || ins[2].StoryID == ins[0].StoryID {
		t.Fatalf("stories %d %d %d", ins[0].StoryID, ins[1].StoryID, ins[2].StoryID)
	}
	if ins[0].StorySites != 2 || ins[1].StorySites != 2 || ins[2].StorySites != 1 {
		t.Errorf("sites %d %d %d", ins[0].StorySites, ins[1].StorySites, ins[2].StorySites)
	}
	// Batch 2: a third copy names an archived article; a copy on a site
	// the story already has adds no site.
	ins2, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0.Add(time.Hour)}, []frontierwatch.Article{
		mk("https://third.example/again", "third.example", ins[1].ID),
		mk("https://news.example/amp-copy", "news.example", ins[0].ID),
		mk("https://dangling.example/x", "dangling.example", 99999), // unknown: a story of its own
	})
	if err != nil {
		t.Fatal(err)
	}
	if ins2[0].StoryID != ins[0].StoryID || ins2[1].StoryID != ins[0].StoryID || ins2[0].StorySites != 3 {
		t.Errorf("second batch %+v", ins2)
	}
	if ins2[2].StoryID == 0 || ins2[2].StoryID == ins[0].StoryID {
		t.Errorf("an unknown DuplicateOf must start a new story: %d", ins2[2].StoryID)
	}
	st, err := s.Story(ctx, ins[0].StoryID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sites != 3 || len(st.Articles) != 4 || !st.FirstSeen.Equal(t0) {
		t.Errorf("story %+v", st)
	}
	a, _ := s.Article(ctx, ins[0].ID)
	if a.StorySites != 3 {
		t.Errorf("article carries story_sites %d, want 3", a.StorySites)
	}
	hits, err := s.Search(ctx, Query{Text: "text"})
	if err != nil || len(hits) != 6 {
		t.Fatalf("search %d %v", len(hits), err)
	}
	for _, h := range hits {
		if h.StoryID == 0 || h.StorySites == 0 {
			t.Errorf("hit without story: %+v", h.Article)
		}
	}
	sigs, err := s.Signatures(ctx)
	if err != nil || len(sigs) != 6 {
		t.Errorf("signatures %d %v", len(sigs), err)
	}
}

func TestAssignStoriesBackfill(t *testing.T) { eachBackend(t, testAssignStoriesBackfill) }

func testAssignStoriesBackfill(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src, _ := s.UpsertSource(ctx, frontierwatch.Source{Name: "s", Kind: frontierwatch.KindFeed, URL: "https://s.example/f", Enabled: true, Origin: frontierwatch.OriginUser})
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: time.Now()}, []frontierwatch.Article{
		{URL: "https://a.example/1", Text: "one"}, {URL: "https://b.example/1", Text: "one again"},
	}); err != nil {
		t.Fatal(err)
	}
	// Simulate articles stored before stories existed.
	if _, err := s.WriteDB().Exec(`UPDATE articles SET story_id = NULL`); err != nil {
		t.Fatal(err)
	}
	old, err := s.ArticlesWithoutStory(ctx, 100)
	if err != nil || len(old) != 2 || old[1].Text != "one again" {
		t.Fatalf("%+v %v", old, err)
	}
	old[0].Site, old[1].Site = "a.example", "b.example"
	old[0].ContentHash, old[1].ContentHash = "x", "y"
	old[1].DuplicateOf = -1
	if err := s.AssignStories(ctx, old); err != nil {
		t.Fatal(err)
	}
	if rest, _ := s.ArticlesWithoutStory(ctx, 100); len(rest) != 0 {
		t.Errorf("%d articles still without story", len(rest))
	}
	a, _ := s.Article(ctx, old[1].ID)
	if a.StorySites != 2 || a.Site != "b.example" || a.ContentHash != "y" {
		t.Errorf("backfilled %+v", a)
	}
}
