package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/frontierwatch/frontierwatch/config"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

var quiet = slog.New(slog.DiscardHandler)

// t0 is the fixture's first figure time; now is the tests' clock.
var (
	t0      = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fixedAt = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
)

// fixture is an archive filled through the archive's own API.
type fixture struct {
	store *archive.Store
	ids   map[string]int64 // article IDs by URL path
}

func fl(v float64) *float64 { return &v }

// monthsAfter returns t0 plus m mean months.
func monthsAfter(m float64) time.Time {
	return t0.Add(time.Duration(m * float64(month)))
}

// fixtureDB is the fixture's database, built once per test binary and
// copied for every test: building it applies every migration (River's
// too), which costs far more than copying a file.
var fixtureDB struct {
	once sync.Once
	path string
	ids  map[string]int64
	err  error
}

// newFixture returns a copy of the fixture database, opened.
func newFixture(t testing.TB, opts ...archive.Option) *fixture {
	t.Helper()
	fixtureDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "server-fixture-")
		if err != nil {
			fixtureDB.err = err
			return
		}
		fixtureDB.path = filepath.Join(dir, "template.db")
		fixtureDB.ids, fixtureDB.err = buildFixture(fixtureDB.path)
	})
	if fixtureDB.err != nil {
		t.Fatal(fixtureDB.err)
	}
	path := filepath.Join(t.TempDir(), "fw.db")
	b, err := os.ReadFile(fixtureDB.path)
	if err == nil {
		err = os.WriteFile(path, b, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := archive.Open(context.Background(), path, append([]archive.Option{archive.WithLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{store: st, ids: maps.Clone(fixtureDB.ids)}
}

// buildFixture stores two sources, 26 articles (a story carried by two
// sites among them), task_horizon figures that double every 7 months
// exactly, a forecast, doubling_time figures, and a milestone, in a new
// database at path, and closes it (its WAL checkpointed into the file).
func buildFixture(path string) (ids map[string]int64, err error) {
	ctx := context.Background()
	st, err := archive.Open(ctx, path, archive.WithLogger(quiet))
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	f := &fixture{store: st, ids: map[string]int64{}}
	if err := st.SyncConfigSources(ctx, []frontierwatch.Source{{Name: "metr", Kind: frontierwatch.KindFeed,
		URL: "https://metr.example/feed.xml", Schedule: "@every 1h", Enabled: true}}); err != nil {
		return nil, err
	}
	metr, err := st.Source(ctx, "metr")
	if err != nil {
		return nil, err
	}
	lab, err := st.UpsertSource(ctx, frontierwatch.Source{Name: "lab", Kind: frontierwatch.KindFeed,
		URL: "https://lab.example/feed.xml", Enabled: true, Origin: frontierwatch.OriginUser})
	if err != nil {
		return nil, err
	}
	var arts []frontierwatch.Article
	for i := range 24 {
		arts = append(arts, frontierwatch.Article{
			URL:       fmt.Sprintf("https://metr.example/post-%02d", i),
			Title:     fmt.Sprintf("Agents report %02d", i),
			Text:      fmt.Sprintf("Autonomous agents completed longer tasks in report %d. The time horizon keeps growing.", i),
			Published: t0.AddDate(0, 0, 7*i),
			Site:      "metr.example",
			Topics:    []frontierwatch.TopicScore{{Topic: "autonomy", Score: 1.5}},
		})
	}
	arts = append(arts, frontierwatch.Article{URL: "https://metr.example/chips", Title: "Chip supply", Text: "Compute budgets and chip supply.",
		Published: t0.AddDate(0, 6, 0), Site: "metr.example"})
	hook := func(ctx context.Context, tx *archive.Tx, ins []frontierwatch.Article) error {
		for _, a := range ins {
			f.ids[strings.TrimPrefix(a.URL, "https://metr.example")] = a.ID
		}
		// task_horizon doubles every 7 months: 1, 2, 4, 8, 16 hours.
		for k := range 5 {
			v := float64(int(1) << k)
			seen := monthsAfter(7 * float64(k))
			id, err := tx.InsertFigure(ctx, ins[k].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon",
				Value: fl(v), Unit: "hours", Qualifier: frontierwatch.Exact, Subject: fmt.Sprintf("Model %c", 'A'+k),
				Surface: fmt.Sprintf("%g hours", v), Sentence: fmt.Sprintf("Model %c works %g hours alone.", 'A'+k, v)},
				Key: "task_horizon", Comparable: fl(v), SeenAt: seen})
			if err != nil {
				return err
			}
			if k == 4 {
				mid, err := tx.InsertMilestone(ctx, archive.MilestoneRow{Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon",
					Key: "task_horizon", Subject: "Model E", Value: 16, Unit: "hours", Beats: fl(8), FigureID: id,
					StoryID: ins[k].StoryID, DetectedAt: seen, Alert: true})
				if err != nil {
					return err
				}
				if _, _, _, err := tx.AddMilestoneSource(ctx, mid, ins[k].ID, id, "metr.example"); err != nil {
					return err
				}
			}
		}
		// A forecast never counts.
		if _, err := tx.InsertFigure(ctx, ins[5].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "task_horizon",
			Value: fl(1000), Unit: "hours", Forecast: true, Surface: "1000 hours"}, Key: "task_horizon", SeenAt: monthsAfter(1)}); err != nil {
			return err
		}
		// doubling_time: two figures only, no trend.
		for k, v := range []float64{7, 4} {
			if _, err := tx.InsertFigure(ctx, ins[6+k].ID, archive.FigureRow{Figure: frontierwatch.Figure{Metric: "doubling_time",
				Value: fl(v), Unit: "months", Surface: fmt.Sprintf("every %g months", v)}, Key: "doubling_time", SeenAt: monthsAfter(float64(10 * k))}); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := st.CommitPoll(ctx, archive.PollUpdate{SourceID: metr.ID, At: fixedAt.Add(-time.Hour)}, arts, hook); err != nil {
		return nil, err
	}
	// The lab's copy of post 3 joins its story: two sites.
	copyOf := frontierwatch.Article{URL: "https://lab.example/agents-03", Title: "Agents report 03 (copy)",
		Text: "Autonomous agents completed longer tasks in report 3.", Published: t0.AddDate(0, 0, 22), Site: "lab.example",
		DuplicateOf: f.ids["/post-03"]}
	ins, err := st.CommitPoll(ctx, archive.PollUpdate{SourceID: lab.ID, At: fixedAt.Add(-time.Hour)}, []frontierwatch.Article{copyOf})
	if err != nil {
		return nil, err
	}
	f.ids["lab/agents-03"] = ins[0].ID
	if _, err := st.RecordFailure(ctx, lab.ID, fixedAt.Add(-30*time.Minute), "fetch https://lab.example/feed.xml: 503 Service Unavailable", fixedAt.Add(time.Hour)); err != nil {
		return nil, err
	}
	return f.ids, nil
}

// testToken is the write token of the test servers.
const testToken = "s3cret-token-for-tests"

// newServer starts the server on 127.0.0.1 with opts over the fixture.
func newServer(t testing.TB, f *fixture, opts Options) *httptest.Server {
	t.Helper()
	opts.Store = f.store
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	if opts.RateLimit == (RateLimit{}) {
		opts.RateLimit.Disabled = true // the clock is fixed: buckets never refill
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedAt }
	}
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return srv
}

// call sends a request and returns the status, headers and body.
func call(t testing.TB, method, url, token, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON GETs url and decodes the answer into v, failing unless the
// status is want.
func getJSON(t testing.TB, url string, want int, v any) {
	t.Helper()
	status, _, body := call(t, http.MethodGet, url, "", "")
	if status != want {
		t.Fatalf("GET %s: status %d, want %d: %s", url, status, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
}

// errorOf decodes an API error body.
func errorOf(t testing.TB, body []byte) errorBody {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not a JSON error: %s", body)
	}
	return e.Error
}

type ctxT = context.Context

var errTest = errors.New("scheduler not running")

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// httptestGet runs a GET through h without a network.
func httptestGet(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// configSilences are two silences of a config file: one active at
// fixedAt, one expired.
func configSilences() []config.Silence {
	return []config.Silence{
		{Source: "lab", Until: "2026-12-31", Reason: "noisy"},
		{Metric: "rnd_speedup", Until: "2025-01-01T00:00:00Z"},
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
