package archive

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// The listings over figures, milestones and deliveries: filters, order,
// the sites that report a milestone, and delivery bookkeeping.
func TestListings(t *testing.T) { eachBackend(t, testListings) }

func testListings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("feed"))
	day := func(d int) time.Time { return time.Date(2026, 5, d, 12, 0, 0, 0, time.UTC) }
	a1 := article("https://a.example/1", "One", "text one")
	a1.Published, a1.Site = day(1), "a.example"
	a2 := article("https://b.example/2", "Two", "text two")
	a2.Published, a2.Site = day(3), "b.example"
	var mids []int64
	_, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: day(4)}, []frontierwatch.Article{a1, a2},
		func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
			for i, a := range ins {
				for j, f := range []FigureRow{
					{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(float64(4 + 4*i)), Unit: "hours", Qualifier: frontierwatch.Exact, Subject: "Claude Opus", Surface: "s", Sentence: "sentence"}, Key: "task_horizon", Comparable: fl(float64(4 + 4*i))},
					{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(100), Unit: "hours", Qualifier: frontierwatch.Exact, Subject: "GPT-9", Forecast: true}, Key: "task_horizon"},
					{Figure: frontierwatch.Figure{Metric: "benchmark_score", Min: fl(50), Max: fl(60), Unit: "percent", Qualifier: frontierwatch.Range, Benchmark: "SWE-bench"}, Key: "benchmark_score/SWE-bench"},
				} {
					f.SeenAt = a.Published
					fid, err := tx.InsertFigure(ctx, a.ID, f)
					if err != nil {
						return err
					}
					if j != 0 {
						continue
					}
					mid, err := tx.InsertMilestone(ctx, MilestoneRow{Kind: frontierwatch.MilestoneRecord, Metric: f.Metric, Key: f.Key, Subject: f.Subject,
						Value: *f.Value, Unit: f.Unit, FigureID: fid, StoryID: a.StoryID, DetectedAt: a.Published, Alert: true})
					if err != nil {
						return err
					}
					mids = append(mids, mid)
					// Both articles report the first milestone; each its own.
					for _, m := range mids[:1] {
						if _, _, _, err := tx.AddMilestoneSource(ctx, m, a.ID, fid, a.Site); err != nil {
							return err
						}
					}
					if i == 1 {
						if _, _, _, err := tx.AddMilestoneSource(ctx, mid, a.ID, fid, a.Site); err != nil {
							return err
						}
					}
					if _, err := tx.AddDelivery(ctx, mid, "team", DeliveryPending); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	figs := func(q FigureQuery) string {
		t.Helper()
		hits, err := s.Figures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, fmt.Sprintf("%s:%s:%s", h.Metric, h.Subject, h.Site))
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct {
		q    FigureQuery
		want string
	}{
		{FigureQuery{Metric: "task_horizon"}, "[task_horizon:Claude Opus:a.example task_horizon:Claude Opus:b.example]"},
		{FigureQuery{Metric: "task_horizon", IncludeForecasts: true, Limit: 2}, "[task_horizon:Claude Opus:a.example task_horizon:GPT-9:a.example]"},
		{FigureQuery{Subject: "OPUS", Since: day(2)}, "[task_horizon:Claude Opus:b.example]"},
		{FigureQuery{Subject: "gpt", IncludeForecasts: true, Until: day(2)}, "[task_horizon:GPT-9:a.example]"},
		{FigureQuery{Metric: "benchmark_score", Until: day(1)}, "[]"},
	} {
		if got := figs(c.q); got != c.want {
			t.Errorf("Figures(%+v) = %s, want %s", c.q, got, c.want)
		}
	}
	af, err := s.ArticleFigures(ctx, 1)
	if err != nil || len(af) != 3 || af[2].Min == nil || *af[2].Min != 50 || af[2].Value != nil || !af[1].Forecast {
		t.Errorf("ArticleFigures = %+v, %v", af, err)
	}

	ms, err := s.Milestones(ctx, MilestoneQuery{Metric: "task_horizon"})
	if err != nil || len(ms) != 2 {
		t.Fatalf("Milestones = %+v, %v", ms, err)
	}
	if ms[0].ID != mids[1] || fmt.Sprint(ms[0].Sources) != "[b.example]" || ms[0].Figure.ArticleURL != "https://b.example/2" {
		t.Errorf("newest milestone = %+v", ms[0])
	}
	if fmt.Sprint(ms[1].Sources) != "[a.example b.example]" || ms[1].Sites != 2 || !ms[1].Alert || ms[1].ConfirmedAt != nil {
		t.Errorf("oldest milestone = %+v, want reported by a and b", ms[1])
	}
	if ms, err := s.Milestones(ctx, MilestoneQuery{Since: day(2), Until: day(4)}); err != nil || len(ms) != 1 || ms[0].ID != mids[1] {
		t.Errorf("Milestones(since, until) = %+v, %v", ms, err)
	}
	m, srcs, err := s.Milestone(ctx, mids[0])
	if err != nil || m.Value != 4 || len(srcs) != 2 || srcs[0].URL != "https://a.example/1" || srcs[1].Site != "b.example" {
		t.Errorf("Milestone = %+v %+v, %v", m, srcs, err)
	}
	if _, _, err := s.Milestone(ctx, 999); err == nil {
		t.Error("Milestone(999) found")
	}

	if ids, err := s.PendingDeliveries(ctx, "team", 10); err != nil || fmt.Sprint(ids) != fmt.Sprint(mids) {
		t.Errorf("PendingDeliveries = %v, %v; want %v", ids, err, mids)
	}
	if err := s.RecordDelivery(ctx, mids[0], "team", DeliveryDelivered, "", day(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDelivery(ctx, mids[1], "team", DeliveryPending, "receiver down", day(5)); err != nil {
		t.Fatal(err)
	}
	counts, err := s.DeliveryCounts(ctx, "team", "other")
	if err != nil || counts[DeliveryDelivered] != 1 || counts[DeliveryPending] != 1 {
		t.Errorf("DeliveryCounts = %v, %v", counts, err)
	}
	if ids, err := s.PendingDeliveries(ctx, "team", 10); err != nil || fmt.Sprint(ids) != fmt.Sprint(mids[1:]) {
		t.Errorf("PendingDeliveries after delivery = %v, %v", ids, err)
	}
	if counts, err := s.DeliveryCounts(ctx, "nobody"); err != nil || len(counts) != 0 {
		t.Errorf("DeliveryCounts(nobody) = %v, %v", counts, err)
	}
}
