package archive

import (
	"context"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

func fl(v float64) *float64 { return &v }

// TestCommitHooks stores figures, milestones, sources and deliveries in
// CommitPoll's transaction, and checks that a failing hook stores nothing.
func TestCommitHooks(t *testing.T) { eachBackend(t, testCommitHooks) }

func testCommitHooks(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, frontierwatch.Source{Name: "s", Kind: frontierwatch.KindFeed, URL: "https://s.example/f", Enabled: true, Origin: frontierwatch.OriginUser})
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	row := func(v float64, forecast bool) FigureRow {
		return FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(v), Unit: "hours", Qualifier: frontierwatch.Exact, Subject: "Model X", Forecast: forecast},
			Key: "task_horizon", Comparable: fl(v), SeenAt: t0}
	}
	var mid int64
	hook := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
		if len(ins) != 1 {
			t.Fatalf("hook got %d articles", len(ins))
		}
		if _, known, err := tx.Best(ctx, "task_horizon", false, 1<<62); err != nil || known {
			t.Fatalf("best before any figure: %v %v", known, err)
		}
		_, err := tx.InsertFigure(ctx, ins[0].ID, row(8, false))
		if err != nil {
			return err
		}
		if _, err := tx.InsertFigure(ctx, ins[0].ID, row(500, true)); err != nil { // a forecast
			return err
		}
		f3, err := tx.InsertFigure(ctx, ins[0].ID, row(12, false))
		if err != nil {
			return err
		}
		if best, known, _ := tx.Best(ctx, "task_horizon", false, f3); !known || best != 8 {
			t.Errorf("best before figure 3 = %v %v, want 8 (forecasts don't count)", best, known)
		}
		if best, _, _ := tx.Best(ctx, "task_horizon", true, f3); best != 8 {
			t.Errorf("lower-is-better best = %v", best)
		}
		mid, err = tx.InsertMilestone(ctx, MilestoneRow{Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon", Key: "task_horizon",
			Subject: "Model X", Value: 12, Unit: "hours", Beats: fl(8), FigureID: f3, StoryID: ins[0].StoryID, DetectedAt: t0, Alert: true})
		if err != nil {
			return err
		}
		sites, alert, added, err := tx.AddMilestoneSource(ctx, mid, ins[0].ID, f3, "s.example")
		if err != nil || sites != 1 || !alert || !added {
			t.Errorf("add source: %d %v %v %v", sites, alert, added, err)
		}
		if _, _, added, _ := tx.AddMilestoneSource(ctx, mid, ins[0].ID, f3, "s.example"); added {
			t.Error("the same article added twice")
		}
		if ok, _ := tx.Confirm(ctx, mid); !ok {
			t.Error("first confirm")
		}
		if ok, _ := tx.Confirm(ctx, mid); ok {
			t.Error("second confirm must be a no-op")
		}
		if ok, _ := tx.AddDelivery(ctx, mid, "team", "pending"); !ok {
			t.Error("first delivery")
		}
		if ok, _ := tx.AddDelivery(ctx, mid, "team", "pending"); ok {
			t.Error("a (milestone, channel) pair must be recorded once")
		}
		return tx.SkipURLs(ctx, "s", []string{"https://s.example/off-topic"})
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{{URL: "https://s.example/a", Site: "s.example", Text: "x"}}, hook); err != nil {
		t.Fatal(err)
	}
	// Later reports: same story or same claim find the milestone.
	err := s.withTx(ctx, func(tx *Tx) error {
		for _, c := range []struct {
			subject string
			value   float64
			story   int64
			want    int64
		}{
			{"model x", 12.1, 0, mid},    // same subject, within 2%
			{"Other", 12, 1, mid},        // same story
			{"Model X", 13, 0, 0},        // a different value
			{"Someone else", 12, 999, 0}, // different subject and story
		} {
			got, kind, err := tx.SameMilestone(ctx, "task_horizon", c.subject, c.value, c.story)
			if err != nil {
				return err
			}
			if got != 0 && kind != frontierwatch.MilestoneRecord {
				t.Errorf("kind %q", kind)
			}
			if got != c.want {
				t.Errorf("SameMilestone(%q, %v, story %d) = %d, want %d", c.subject, c.value, c.story, got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	known, _ := s.KnownURLs(ctx, []string{"https://s.example/off-topic", "https://s.example/a", "https://s.example/new"})
	if !known["https://s.example/off-topic"] || !known["https://s.example/a"] || known["https://s.example/new"] {
		t.Errorf("known %v", known)
	}

	// A failing hook rolls back the articles too.
	failing := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
		if _, err := tx.InsertFigure(ctx, ins[0].ID, row(99, false)); err != nil {
			return err
		}
		return context.Canceled
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{{URL: "https://s.example/b", Text: "y"}}, failing); err == nil {
		t.Fatal("no error from a failing hook")
	}
	if known, _ := s.KnownURLs(ctx, []string{"https://s.example/b"}); known["https://s.example/b"] {
		t.Error("the article of a failed hook was stored")
	}
}

func TestMeta(t *testing.T) { eachBackend(t, testMeta) }

func testMeta(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if v, err := s.Meta(ctx, "first_start"); err != nil || v != "" {
		t.Fatalf("%q %v", v, err)
	}
	if v, _ := s.SetMetaOnce(ctx, "first_start", "a"); v != "a" {
		t.Errorf("first set: %q", v)
	}
	if v, _ := s.SetMetaOnce(ctx, "first_start", "b"); v != "a" {
		t.Errorf("second set must keep the first value: %q", v)
	}
}
