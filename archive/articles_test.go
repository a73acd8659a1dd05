package archive

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

func article(url, title, text string) frontierwatch.Article {
	return frontierwatch.Article{URL: url, Title: title, Text: text}
}

func TestCommitPoll(t *testing.T) { eachBackend(t, testCommitPoll) }

func testCommitPoll(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("metr"))
	full := frontierwatch.Article{
		URL:         "https://example.org/a",
		Source:      "metr",
		Title:       "Task horizons double",
		Author:      "Jane Doe",
		Published:   time.Date(2026, 2, 27, 9, 30, 15, 123e6, time.UTC),
		Fetched:     t0.Add(-time.Minute),
		Text:        "The length of tasks agents complete doubles every seven months.",
		Language:    "en",
		ContentHash: "ab12",
		SimHash:     math.MaxUint64 - 5, // uses the sign bit
		SimHashTail: 42,
		Site:        "example.org",
		Topics:      []frontierwatch.TopicScore{{Topic: "autonomy", Score: 0.75}},
	}
	arts := []frontierwatch.Article{
		full,
		article("https://example.org/b", "B", "bee"),
		article("https://example.org/b", "B again", "the same URL twice in one poll"),
	}
	u := PollUpdate{SourceID: src.ID, At: t0, ETag: `"e1"`, LastModified: "lm1", NewURL: "https://example.org/new-feed.xml"}
	ins, err := s.CommitPoll(ctx, u, arts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].URL != full.URL || ins[1].URL != "https://example.org/b" || ins[1].Title != "B" {
		t.Fatalf("inserted = %+v, want a and the first b", ins)
	}
	if ins[0].ID == 0 || ins[1].ID <= ins[0].ID {
		t.Errorf("IDs = %d, %d", ins[0].ID, ins[1].ID)
	}
	// Source and Fetched are filled in when missing.
	if ins[1].Source != "metr" || !ins[1].Fetched.Equal(t0) {
		t.Errorf("defaults not applied: %+v", ins[1])
	}
	got, err := s.Article(ctx, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.ID = ins[0].ID
	want.StoryID, want.StorySites = ins[0].StoryID, 1
	if ins[0].StoryID == 0 || ins[1].StoryID == ins[0].StoryID {
		t.Errorf("stories %d, %d: each new article without DuplicateOf starts its own", ins[0].StoryID, ins[1].StoryID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Article returned\n%+v\nwant\n%+v", got, want)
	}
	gotSrc, _ := s.Source(ctx, "metr")
	if gotSrc.URL != u.NewURL || gotSrc.State.ETag != `"e1"` || gotSrc.State.LastModified != "lm1" ||
		!gotSrc.State.LastOKAt.Equal(t0) || !gotSrc.State.LastPolledAt.Equal(t0) {
		t.Errorf("source after poll: %+v", gotSrc)
	}

	// The same poll again stores nothing new; "" keeps the URL.
	u2 := PollUpdate{SourceID: src.ID, At: t0.Add(time.Hour), ETag: `"e2"`}
	ins, err = s.CommitPoll(ctx, u2, arts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 0 {
		t.Errorf("second commit inserted %d articles", len(ins))
	}
	if n, _ := s.CountArticles(ctx); n != 2 {
		t.Errorf("CountArticles = %d, want 2", n)
	}
	gotSrc, _ = s.Source(ctx, "metr")
	if gotSrc.URL != u.NewURL || gotSrc.State.ETag != `"e2"` || gotSrc.State.LastModified != "" {
		t.Errorf("source after second poll: %+v", gotSrc.State)
	}

	if _, err := s.Article(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(999): %v", err)
	}
}

func TestCommitPollResetsFailures(t *testing.T) { eachBackend(t, testCommitPollResetsFailures) }

func testCommitPollResetsFailures(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("x"))
	if _, err := s.RecordFailure(ctx, src.ID, t0, "boom", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0.Add(2 * time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Source(ctx, "x")
	if st := got.State; st.Failures != 0 || st.LastError != "" || !st.NextAttemptAt.IsZero() || !st.LastErrorAt.Equal(t0) {
		t.Errorf("state = %+v", st)
	}
}

// A poll that fails halfway stores nothing: neither articles nor the new
// ETag, which would otherwise hide the lost articles from the next poll.
func TestCommitPollAtomic(t *testing.T) { eachBackend(t, testCommitPollAtomic) }

func testCommitPollAtomic(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("x"))
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0, ETag: "old"}, nil); err != nil {
		t.Fatal(err)
	}
	bad := article("https://example.org/3", "three", "")
	bad.Topics = []frontierwatch.TopicScore{{Topic: "t", Score: math.NaN()}} // cannot be encoded
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		arts []frontierwatch.Article
	}{
		{"fails at the third article", ctx, []frontierwatch.Article{
			article("https://example.org/1", "one", ""), article("https://example.org/2", "two", ""), bad,
		}},
		{"article without URL", ctx, []frontierwatch.Article{article("https://example.org/1", "one", ""), article("", "none", "")}},
		{"cancelled context", cancelled, []frontierwatch.Article{article("https://example.org/1", "one", "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins, err := s.CommitPoll(tt.ctx, PollUpdate{SourceID: src.ID, At: t0.Add(time.Hour), ETag: "new"}, tt.arts)
			if err == nil {
				t.Fatalf("CommitPoll succeeded, inserted %d", len(ins))
			}
			if n, _ := s.CountArticles(ctx); n != 0 {
				t.Errorf("%d articles stored", n)
			}
			got, _ := s.Source(ctx, "x")
			if got.State.ETag != "old" || !got.State.LastPolledAt.Equal(t0) {
				t.Errorf("source state changed: %+v", got.State)
			}
		})
	}
	// The writer connection is usable afterwards.
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0, ETag: "new"}, []frontierwatch.Article{article("https://example.org/1", "one", "")}); err != nil {
		t.Fatal(err)
	}
}

func TestKnownURLs(t *testing.T) { eachBackend(t, testKnownURLs) }

func testKnownURLs(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("x"))
	const stored = 1200 // more than two IN batches
	var arts []frontierwatch.Article
	var urls []string
	for i := range stored {
		u := fmt.Sprintf("https://example.org/%d", i)
		arts = append(arts, article(u, "t", ""))
		urls = append(urls, u)
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, arts); err != nil {
		t.Fatal(err)
	}
	for i := range 101 {
		urls = append(urls, fmt.Sprintf("https://example.org/new/%d", i))
	}
	known, err := s.KnownURLs(ctx, urls)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != stored {
		t.Errorf("known = %d URLs, want %d", len(known), stored)
	}
	if !known["https://example.org/0"] || !known["https://example.org/1199"] || known["https://example.org/new/0"] {
		t.Error("wrong URLs reported known")
	}
	if known, err := s.KnownURLs(ctx, nil); err != nil || len(known) != 0 {
		t.Errorf("KnownURLs(nil) = %v, %v", known, err)
	}
}

// Reads go through the reader pool; in WAL mode it sees what the writer
// committed, and does not block on an open write transaction.
func TestReaderSeesCommittedWrites(t *testing.T) { eachBackend(t, testReaderSeesCommittedWrites) }

func testReaderSeesCommittedWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("x"))
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{article("https://example.org/1", "one", "")})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles`); err != nil {
		t.Fatal(err)
	}
	// Uncommitted: the reader still sees the article, without waiting.
	if _, err := s.Article(ctx, ins[0].ID); err != nil {
		t.Fatalf("reader during a write transaction: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Article(ctx, ins[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reader after the delete committed: %v, want ErrNotFound", err)
	}
}
