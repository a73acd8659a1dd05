package archive

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
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

// River runs jobs on the store's writer pool with modernc.org/sqlite: the
// schema Open applied is the one River expects, and the pool settings suit
// it.
func TestRiverOnWriteDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := openTest(t)
	workers := river.NewWorkers()
	w := &pingWorker{done: make(chan int, 1)}
	river.AddWorker(workers, w)
	client, err := river.NewClient(riversqlite.New(s.WriteDB()), &river.Config{
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
	// The archive keeps working alongside River on the shared connection.
	if _, err := s.UpsertSource(ctx, feedSource("after-river")); err != nil {
		t.Fatal(err)
	}
}
