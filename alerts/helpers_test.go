package alerts

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func ptr(v float64) *float64 { return &v }

// sampleAlert is an ordinary record milestone reported by two sites.
func sampleAlert() Alert {
	v := 12.0
	return Alert{
		DeliveryID: "ms-42-team-webhook",
		Milestone: frontierwatch.Milestone{
			ID: 42, Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon", Subject: "Claude 4.6 Opus",
			Value: v, Beats: ptr(8), Figures: []int64{7}, Sources: []string{"metr.org", "example.com"},
			DetectedAt: time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC),
		},
		Figure: frontierwatch.Figure{
			Metric: "task_horizon", Value: &v, Unit: "hours", Qualifier: frontierwatch.Over,
			Subject: "Claude 4.6 Opus", AsOf: "2026-03", Surface: "more than 12 hours",
			Sentence: "Claude 4.6 Opus completed tasks that take human experts more than 12 hours.",
		},
		Article: frontierwatch.Article{
			ID: 9, URL: "https://metr.org/blog/2026-03-04-horizon", Source: "metr", Site: "metr.org",
			Title: "Measuring task horizons of frontier models", Published: time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC),
		},
		Sources: []Source{
			{Site: "metr.org", URL: "https://metr.org/blog/2026-03-04-horizon", Title: "Measuring task horizons of frontier models",
				Published: time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)},
			{Site: "example.com", URL: "https://news.example.com/ai/horizon", Title: "AI works a half day alone",
				Published: time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)},
		},
	}
}

// secondAlert is a threshold milestone from another metric.
func secondAlert() Alert {
	v := 92.0
	return Alert{
		DeliveryID: "ms-43-team-webhook",
		Milestone: frontierwatch.Milestone{
			ID: 43, Kind: frontierwatch.MilestoneThreshold, Metric: "share_of_code_by_ai", Subject: "Example Labs",
			Value: v, Sources: []string{"example.org"}, DetectedAt: time.Date(2026, 3, 4, 5, 1, 0, 0, time.UTC),
		},
		Figure: frontierwatch.Figure{
			Metric: "share_of_code_by_ai", Value: &v, Unit: "percent", Qualifier: frontierwatch.Exact,
			Subject: "Example Labs", Sentence: "92% of the code at Example Labs is now written by AI.",
		},
		Article: frontierwatch.Article{
			URL: "https://example.org/news/code", Source: "example-news", Site: "example.org", Title: "Most code is AI-written now",
		},
		Sources: []Source{{Site: "example.org", URL: "https://example.org/news/code", Title: "Most code is AI-written now"}},
	}
}

// hostileTitle and hostileSentence try every trick on every format.
const (
	hostileTitle    = `<script>alert(1)</script> & "quotes" <!channel> @everyone [click](https://evil.example/x)`
	hostileSentence = "Model <@U123> ran 12 hours <!here> @here [click](https://evil.example/y) *bold* `code` <#C1> ||spoiler|| # heading\n> quote"
)

// hostileAlert is sampleAlert with hostile text everywhere.
func hostileAlert() Alert {
	a := sampleAlert()
	a.Article.Title = hostileTitle
	a.Article.Source = "src <!channel>"
	a.Figure.Sentence = hostileSentence
	a.Milestone.Subject = "Evil <@U999> @everyone"
	a.Sources[1].Title = hostileTitle
	return a
}

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is an HTTP server on 127.0.0.1 that records requests and
// answers with handler (200 by default).
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

func newReceiver(t *testing.T, handler http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{Header: req.Header.Clone(), Body: body})
		r.mu.Unlock()
		if handler != nil {
			handler(w, req)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

// last returns the last request, failing the test when there is none.
func (r *receiver) last(t *testing.T) received {
	t.Helper()
	reqs := r.requests()
	if len(reqs) == 0 {
		t.Fatal("the receiver got no request")
	}
	return reqs[len(reqs)-1]
}

// newNotifier builds a notifier of ch with the test clock.
func newNotifier(t *testing.T, ch config.Channel, deps Deps) Notifier {
	t.Helper()
	if deps.Now == nil {
		deps.Now = fixedNow
	}
	n, err := New(ch, deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

// golden compares got (JSON, re-indented) with testdata/name, or writes
// it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if json.Valid(got) {
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
	} else {
		buf.Write(got)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file (run go test -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, buf.Bytes(), want)
	}
}
