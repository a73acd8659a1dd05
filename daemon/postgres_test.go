package daemon

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

// postgresURL creates a fresh database for the test on the server named
// by FRONTIERWATCH_TEST_POSTGRES and returns its URL; it is dropped after.
func postgresURL(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("FRONTIERWATCH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("FRONTIERWATCH_TEST_POSTGRES is not set: no PostgreSQL server to test against")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("fw_daemon_%d", rand.Uint32())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestDaemonOnPostgres runs the daemon on a PostgreSQL archive: a poll
// stores the corpus article with its figures and milestones, River (its
// database/sql driver) delivers each milestone once, and Run schedules
// polls there too.
func TestDaemonOnPostgres(t *testing.T) {
	pg := postgresURL(t)
	rcv, hook := newReceiver(t)
	_, port := startMailbox(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	defer srv.Close()
	cfg := alertConfig(t, hook.URL, port, fmt.Sprintf("sources:\n  - {name: a, url: %s/a, full_text: never, schedule: \"@every 1s\"}\n", srv.URL))
	cfg.Database.URL = pg
	ctx := context.Background()

	d := newDaemon(t, cfg, OneShot(), WithFetchInterval(50*time.Millisecond))
	srcs, _ := d.Sources(ctx)
	sum, err := d.PollAll(ctx, srcs, false, nil)
	if err != nil || sum.New != 1 || sum.Milestones == 0 {
		t.Fatalf("poll on PostgreSQL: %+v, %v", sum, err)
	}
	counts, err := d.DeliverPending(ctx, 30*time.Second)
	if err != nil || counts[archive.DeliveryPending] != 0 {
		t.Fatalf("deliveries %v, %v", counts, err)
	}
	ms, _ := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
	if keys, twice := rcv.delivered(); keys != len(ms) || len(twice) > 0 {
		t.Errorf("%d alerts (%v twice) for %d milestones", keys, twice, len(ms))
	}
	hits, err := d.Store().Search(ctx, archive.Query{Text: "builds itself"})
	if err != nil || len(hits) != 1 {
		t.Errorf("search on PostgreSQL: %d hits, %v", len(hits), err)
	}
	d.Close()

	// The scheduler on PostgreSQL: the source is polled at start and on
	// its one-second schedule (the feed answers the same: known items).
	d2 := newDaemon(t, cfg, WithFetchInterval(50*time.Millisecond))
	before, _ := d2.Store().Source(ctx, "a")
	polls := map[time.Time]bool{}
	runFor(t, d2, 20*time.Second, func() bool {
		s, _ := d2.Store().Source(ctx, "a")
		if s.State.LastPolledAt.After(before.State.LastPolledAt) {
			polls[s.State.LastPolledAt] = true
		}
		return len(polls) >= 2
	})
	if len(polls) < 2 {
		t.Errorf("the scheduler polled %d times on PostgreSQL, want the start poll and a scheduled one", len(polls))
	}
}
