package daemon

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	fs := newFeedServer()
	fs.items["a"] = 4
	srv := httptest.NewServer(fs)
	defer srv.Close()
	cfg := testConfig(t, sourcesYAML(srv.URL, []string{"a"}, "@every 1h")+"  - {name: gone, url: "+srv.URL+"/nothing}\n")
	d := newDaemon(t, cfg)
	ctx := context.Background()
	for range 2 {
		srcs, _ := d.Sources(ctx)
		if _, err := d.PollAll(ctx, srcs, true, nil); err != nil {
			t.Fatal(err)
		}
	}
	rec := httptest.NewRecorder()
	d.Metrics().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`frontierwatch_polls_total{source="a",status="ok"} 1`,
		`frontierwatch_polls_total{source="a",status="not_modified"} 1`,
		`frontierwatch_poll_errors_total{source="gone"} 2`,
		`frontierwatch_articles_total{outcome="new"} 4`,
		`frontierwatch_poll_duration_seconds_count{kind="feed"} 4`,
		`frontierwatch_build_info{version=`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
