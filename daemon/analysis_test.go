package daemon

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestTopicsFilterAndFigures: articles that match no topic are counted and
// remembered but not archived; on-topic ones are archived with their
// topics and figures.
func TestTopicsFilterAndFigures(t *testing.T) {
	feed := `<rss version="2.0"><channel><title>mixed</title><link>https://mixed.example/</link>
<item><title>AI agents now complete 12-hour tasks autonomously</title><link>https://mixed.example/agents</link>
<description>METR says the time horizon of frontier AI agents has reached 12 hours, and the task length that autonomous agents can complete doubles every four months. Over 80% of the lab's code is now written by AI.</description></item>
<item><title>Local bakery wins award</title><link>https://mixed.example/bakery</link>
<description>The bakery on Main Street won a regional award for its sourdough bread on Saturday.</description></item>
</channel></rss>`
	var gets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		w.Write([]byte(feed))
	}))
	defer srv.Close()
	cfg := testConfig(t, "sources:\n  - {name: mixed, url: "+srv.URL+"}\n")
	cfg.Archive.KeepUnmatched = false
	d := newDaemon(t, cfg)
	ctx := context.Background()
	src, _ := d.Store().Source(ctx, "mixed")
	r, err := d.PollSource(ctx, src, false)
	if err != nil || r.New != 1 || r.Unmatched != 1 {
		t.Fatalf("report %+v, %v: want 1 new and 1 unmatched", r, err)
	}
	hits, _ := d.Store().Search(ctx, archiveQuery(""))
	if len(hits) != 1 || hits[0].URL != "https://mixed.example/agents" || len(hits[0].Topics) == 0 || hits[0].Topics[0].Topic != "ai-autonomy" {
		t.Fatalf("archived %+v", hits)
	}
	figs, err := d.Store().Figures(ctx, figureQuery("", ""))
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]bool{}
	for _, f := range figs {
		metrics[f.Metric] = true
	}
	for _, m := range []string{"task_horizon", "doubling_time", "share_of_code_by_ai"} {
		if !metrics[m] {
			t.Errorf("no %s figure among %+v", m, figs)
		}
	}
	// The unmatched article is known: a changed feed does not bring it back.
	src, _ = d.Store().Source(ctx, "mixed")
	r, _ = d.PollSource(ctx, src, false)
	if r.New != 0 || r.Unmatched != 0 || r.Known != 2 {
		t.Errorf("second poll %+v: both articles should be known", r)
	}
}
