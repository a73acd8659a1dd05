package archive

import (
	"context"
	"database/sql"
	"log/slog"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "archive_test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	done chan int
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	w.done <- job.Args.N
	return nil
}

// River runs jobs on the store's writer pool, with riversqlite on SQLite
// and riverdatabasesql on PostgreSQL: the schema Open applied is the one
// River expects, the pool settings suit it, and a job inserted in a
// CommitPoll hook's transaction commits with the poll.
func TestRiverOnWriteDB(t *testing.T) { eachBackend(t, testRiverOnWriteDB) }

func testRiverOnWriteDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := openTest(t)
	workers := river.NewWorkers()
	w := &pingWorker{done: make(chan int, 2)}
	river.AddWorker(workers, w)
	var driver riverdriver.Driver[*sql.Tx] = riversqlite.New(s.WriteDB())
	if onPostgres(t) {
		driver = riverdatabasesql.New(s.WriteDB())
	}
	client, err := river.NewClient(driver, &river.Config{
		Logger:            slog.New(slog.DiscardHandler),
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:           workers,
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		TestOnly:          true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := client.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	if _, err := client.Insert(ctx, pingArgs{N: 7}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-w.done:
		if n != 7 {
			t.Errorf("worked job with n = %d", n)
		}
	case <-ctx.Done():
		t.Fatal("job not worked")
	}
	// The archive keeps working alongside River on the shared pool, and a
	// job inserted in a poll's transaction is worked once it commits.
	src, err := s.UpsertSource(ctx, feedSource("after-river"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{article("https://example.org/r", "r", "")},
		func(ctx context.Context, tx *Tx, _ []frontierwatch.Article) error {
			_, err := client.InsertTx(ctx, tx.SQL(), pingArgs{N: 8}, nil)
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-w.done:
		if n != 8 {
			t.Errorf("worked job with n = %d", n)
		}
	case <-ctx.Done():
		t.Fatal("job inserted in the poll's transaction not worked")
	}
}
