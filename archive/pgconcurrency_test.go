package archive

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// Two processes (two Stores, two pools) commit the same poll at once:
// every article is stored once, by one of them, in one story, and the
// deliveries its hook raises are recorded once.
func TestPostgresConcurrentCommitPoll(t *testing.T) {
	dsn := newPGDatabase(t, true)
	ctx := context.Background()
	a, b := openAt(t, dsn), openAt(t, dsn)
	src := mustUpsert(t, a, feedSource("shared"))
	const rounds, n = 4, 30
	for r := range rounds {
		var arts []frontierwatch.Article
		for i := range n {
			art := article(fmt.Sprintf("https://example.org/%d/%d", r, i), fmt.Sprintf("Story %d part %d", r, i), "text")
			art.Site = fmt.Sprintf("site%d.example", i%3)
			if i > 0 {
				art.DuplicateOf = -1 // the batch's first article: one story
			}
			arts = append(arts, art)
		}
		// The hook records one delivery per inserted article's story, as
		// the alert pipeline records (milestone, channel) pairs.
		var mu sync.Mutex
		var firstDeliveries int
		hook := func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
			if len(ins) == 0 {
				return nil
			}
			fid, err := tx.InsertFigure(ctx, ins[0].ID, FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(float64(r))}, Key: "task_horizon", SeenAt: t0})
			if err != nil {
				return err
			}
			mid, err := tx.InsertMilestone(ctx, MilestoneRow{Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon", Key: "task_horizon", Value: float64(r), FigureID: fid, StoryID: ins[0].StoryID, DetectedAt: t0, Alert: true})
			if err != nil {
				return err
			}
			ok, err := tx.AddDelivery(ctx, mid, "team", DeliveryPending)
			if ok {
				mu.Lock()
				firstDeliveries++
				mu.Unlock()
			}
			return err
		}
		var wg sync.WaitGroup
		results := make([][]frontierwatch.Article, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for k, s := range []*Store{a, b} {
			wg.Go(func() {
				<-start
				results[k], errs[k] = s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, arts, hook)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := len(results[0]) + len(results[1]); got != n {
			t.Fatalf("round %d: %d + %d articles inserted, want %d in all", r, len(results[0]), len(results[1]), n)
		}
		if firstDeliveries != 1 {
			t.Errorf("round %d: %d deliveries recorded, want 1", r, firstDeliveries)
		}
		ins := append(results[0], results[1]...)
		story := ins[0].StoryID
		for _, art := range ins {
			if art.StoryID != story || art.StorySites != 3 {
				t.Errorf("round %d: article %s in story %d with %d sites, want story %d with 3", r, art.URL, art.StoryID, art.StorySites, story)
			}
		}
		st, err := b.Story(ctx, story)
		if err != nil || len(st.Articles) != n || st.Sites != 3 {
			t.Errorf("round %d: story %+v, %v; want %d articles on 3 sites", r, st, err, n)
		}
	}
	if c, err := a.CountArticles(ctx); err != nil || c != rounds*n {
		t.Errorf("CountArticles = %d, %v; want %d", c, err, rounds*n)
	}
	var stories, deliveries int
	if err := a.r.QueryRow(`SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM deliveries)`).Scan(&stories, &deliveries); err != nil {
		t.Fatal(err)
	}
	if stories != rounds || deliveries != rounds {
		t.Errorf("%d stories and %d deliveries, want %d of each", stories, deliveries, rounds)
	}
}

// Several processes opening a new database at once: each migrates, the
// advisory lock makes them take turns, and all end with the whole schema.
func TestPostgresMigrateConcurrently(t *testing.T) {
	dsn := newPGDatabase(t, false)
	ctx := context.Background()
	const n = 3
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn, quiet) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	ms, err := loadMigrations(migrationFS, pgMigrationDir)
	if err != nil {
		t.Fatal(err)
	}
	var applied, river int
	if err := stores[0].r.QueryRow(`SELECT (SELECT count(*) FROM schema_migrations),
		(SELECT count(*) FROM river_migration)`).Scan(&applied, &river); err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) || river == 0 {
		t.Errorf("%d archive migrations applied (want %d), %d of River's", applied, len(ms), river)
	}
	// Open again: nothing to do.
	if err := stores[1].Migrate(ctx); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
}

func TestPostgresMigrationsMatchSQLite(t *testing.T) {
	pg, err := loadMigrations(migrationFS, pgMigrationDir)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := loadMigrations(migrationFS, sqliteMigrationDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("%d postgres migrations, %d sqlite ones", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].version != lite[i].version || pg[i].name != lite[i].name {
			t.Errorf("migration %d: postgres %s, sqlite %s", i, pg[i].name, lite[i].name)
		}
	}
}

// Two processes add different articles to the same existing story, and
// report the same milestone from different sites, at once: the counts
// include both (each recount waits for the other's commit).
func TestPostgresConcurrentRecounts(t *testing.T) {
	dsn := newPGDatabase(t, true)
	ctx := context.Background()
	a, b := openAt(t, dsn), openAt(t, dsn)
	src := mustUpsert(t, a, feedSource("shared"))
	first := article("https://first.example/0", "First", "text")
	first.Site = "first.example"
	var mid int64
	ins, err := a.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{first},
		func(ctx context.Context, tx *Tx, ins []frontierwatch.Article) error {
			fid, err := tx.InsertFigure(ctx, ins[0].ID, FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon", Value: fl(9)}, Key: "task_horizon", SeenAt: t0})
			if err != nil {
				return err
			}
			mid, err = tx.InsertMilestone(ctx, MilestoneRow{Kind: frontierwatch.MilestoneFirst, Metric: "task_horizon", Key: "task_horizon", Value: 9, FigureID: fid, DetectedAt: t0, Alert: true})
			if err != nil {
				return err
			}
			_, _, _, err = tx.AddMilestoneSource(ctx, mid, ins[0].ID, fid, "first.example")
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 5
	for r := range rounds {
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for k, s := range []*Store{a, b} {
			wg.Go(func() {
				<-start
				art := article(fmt.Sprintf("https://s%d-%d.example/x", k, r), "Copy", "text")
				art.Site = fmt.Sprintf("s%d-%d.example", k, r)
				art.DuplicateOf = ins[0].ID
				_, errs[k] = s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{art},
					func(ctx context.Context, tx *Tx, got []frontierwatch.Article) error {
						_, _, _, err := tx.AddMilestoneSource(ctx, mid, got[0].ID, 0, art.Site)
						return err
					})
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := a.Story(ctx, ins[0].StoryID)
	if want := 1 + 2*rounds; err != nil || len(st.Articles) != want || st.Sites != want {
		t.Errorf("story: %d articles on %d sites, %v; want %d of each", len(st.Articles), st.Sites, err, want)
	}
	var articles int
	if err := a.r.QueryRow(`SELECT articles FROM stories WHERE id = $1`, ins[0].StoryID).Scan(&articles); err != nil || articles != 1+2*rounds {
		t.Errorf("stories.articles = %d, %v", articles, err)
	}
	m, _, err := a.Milestone(ctx, mid)
	if err != nil || m.Sites != 1+2*rounds {
		t.Errorf("milestone sites = %d, %v; want %d", m.Sites, err, 1+2*rounds)
	}
}

// A bad PostgreSQL URL fails to open without echoing its password.
func TestPostgresOpenErrorHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{
		"postgres://fw:hunter2@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgresql://fw:hunter2@127.0.0.1:1/db?sslmode=bogus",
	} {
		s, err := Open(ctx, u, quiet)
		if err == nil {
			_ = s.Close()
			t.Fatalf("Open(%q) succeeded", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

// Two processes commit polls that share articles in opposite orders (an
// aggregator and the original feed): no deadlock, each article once.
func TestPostgresConcurrentOppositeOrders(t *testing.T) {
	dsn := newPGDatabase(t, true)
	ctx := context.Background()
	a, b := openAt(t, dsn), openAt(t, dsn)
	srcA, srcB := mustUpsert(t, a, feedSource("original")), mustUpsert(t, b, feedSource("aggregator"))
	const rounds, n = 5, 40
	for r := range rounds {
		var fwd, rev []frontierwatch.Article
		for i := range n {
			fwd = append(fwd, article(fmt.Sprintf("https://example.org/%d/%d", r, i), "t", "text"))
		}
		for i := n - 1; i >= 0; i-- {
			rev = append(rev, fwd[i])
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		var counts [2]int
		var errs [2]error
		for k, c := range []struct {
			s    *Store
			src  frontierwatch.Source
			arts []frontierwatch.Article
		}{{a, srcA, fwd}, {b, srcB, rev}} {
			wg.Go(func() {
				<-start
				ins, err := c.s.CommitPoll(ctx, PollUpdate{SourceID: c.src.ID, At: t0}, c.arts)
				counts[k], errs[k] = len(ins), err
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
		if counts[0]+counts[1] != n {
			t.Errorf("round %d: %d + %d inserted, want %d", r, counts[0], counts[1], n)
		}
	}
}
