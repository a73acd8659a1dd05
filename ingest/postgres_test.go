package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/figures"
)

// TestConcurrentClaimOneMilestone: two daemons (two pools) on one
// PostgreSQL archive store, at the same moment, two reports of one claim
// from different sites: they make one milestone with two sites, not two.
func TestConcurrentClaimOneMilestone(t *testing.T) {
	dsn := os.Getenv("FRONTIERWATCH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("FRONTIERWATCH_TEST_POSTGRES is not set: no PostgreSQL server to test against")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("fw_ingest_%d", rand.Uint32())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	ctx := context.Background()
	open := func() (*archive.Store, *Pipeline) {
		st, err := archive.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st, New(st, WithAnalysis(Analysis{Figures: figures.New()}))
	}
	st1, p1 := open()
	st2, p2 := open()
	src := func(st *archive.Store, n string) frontierwatch.Source {
		s, err := st.UpsertSource(ctx, frontierwatch.Source{Name: n, Kind: frontierwatch.KindFeed, URL: "https://" + n + ".example/feed", Enabled: true, Origin: frontierwatch.OriginUser})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2 := src(st1, "one"), src(st2, "two")
	for round := range 8 {
		hours := 20 + round*10
		texts := []string{
			fmt.Sprintf("The lab said its agent worked autonomously for %d hours on a single coding task, a record for the company and its engineers.", hours),
			fmt.Sprintf("According to the lab, the agent operated autonomously for %d hours straight on one software task, beating its earlier results by far.", hours),
		}
		var wg sync.WaitGroup
		for i, p := range []*Pipeline{p1, p2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := []frontierwatch.Source{s1, s2}[i]
				_, err := p.Ingest(ctx, Batch{Source: s, Documents: []frontierwatch.Document{{
					Source: s.Name, URL: fmt.Sprintf("https://site%d.example/r%d", i, round), Title: "Agents run longer",
					Summary: texts[i], Published: time.Date(2026, 6, 1+round, 0, 0, 0, 0, time.UTC),
				}}})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	ms, err := st1.Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 8 {
		t.Errorf("%d milestones for 8 claims made twice each", len(ms))
	}
	for _, m := range ms {
		if m.Sites != 2 {
			t.Errorf("milestone %v hours: %d sites, want 2", m.Value, m.Sites)
		}
	}
}
