package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractFigures(t *testing.T) {
	text := "Over 80% of our code is now written by the model. Task length doubles every four months."
	code, out, errOut := cli(t, text, "extract", "figures", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 figures:\n%s", out)
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	// The contract's fields, all present.
	for _, k := range []string{"metric", "value", "min", "max", "unit", "qualifier", "subject", "benchmark", "as_of", "forecast", "surface", "sentence"} {
		if _, ok := f[k]; !ok {
			t.Errorf("field %q missing: %s", k, lines[0])
		}
	}
	if f["metric"] != "share_of_code_by_ai" || f["value"] != 80.0 || f["qualifier"] != "over" || f["surface"] != "Over 80%" {
		t.Errorf("first figure %v", f)
	}

	page := filepath.Join(t.TempDir(), "page.html")
	os.WriteFile(page, []byte(`<!doctype html><html><head><title>Agents</title><meta property="article:published_time" content="2026-06-05"></head><body>
<nav><a href="/">Home</a> <a href="/ai">AI</a></nav><article><h1>Agents run longer</h1>
<p>The lab said its newest agent worked autonomously for more than 24 hours on a single coding task, a record for the company.</p>
<p>Engineers reviewed the result and found the code passed every test in the suite after the long run finished.</p></article>
<footer>© 2026 Example News</footer></body></html>`), 0o600)
	code, out, errOut = cli(t, "", "extract", "figures", "--html", page, "--format", "table")
	if code != 0 || !strings.Contains(out, "task_horizon") || !strings.Contains(out, "24") || !strings.Contains(out, "over") {
		t.Errorf("html table: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := cli(t, "", "extract", "figures", "--format", "xml"); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ := cli(t, "", "extract", "figures", "/nonexistent/file.txt"); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestFiguresAndMilestonesCommands polls the corpus article and lists
// what it stated and the milestones it made.
func TestFiguresAndMilestonesCommands(t *testing.T) {
	text, err := os.ReadFile("../../../shared/corpus/when-ai-builds-itself.txt")
	if err != nil {
		t.Skipf("the shared corpus is missing: %v", err)
	}
	item := fmt.Sprintf(`<rss version="2.0"><channel><title>news</title><link>https://news.example/</link>
<item><title>When AI builds itself</title><link>https://news.example/ai-builds-itself</link><pubDate>Fri, 05 Jun 2026 10:00:00 GMT</pubDate>
<description>%s</description></item></channel></rss>`, html.EscapeString(string(text)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(item)) }))
	defer srv.Close()
	conf := writeConfig(t, fmt.Sprintf("alerts:\n  since: 2026-01-01\nsources:\n  - {name: news, url: %s/feed, full_text: never}\n", srv.URL))
	code, out, errOut := cli(t, "", "poll", "--config", conf)
	if code != 0 || !strings.Contains(out, "figures") || !strings.Contains(out, "milestones") {
		t.Fatalf("poll: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "figures", "--config", conf, "--metric", "rnd_speedup", "--format", "json")
	if code != 0 || !strings.Contains(out, `"value":52,`) {
		t.Errorf("figures: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "", "figures", "--config", conf, "--subject", "mythos")
	if code != 0 || !strings.Contains(out, "Mythos") {
		t.Errorf("figures by subject: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "", "search", "--config", conf, "builds itself", "--format", "json", "--figures")
	if code != 0 || !strings.Contains(out, `"figures":[{"metric":`) {
		t.Errorf("search --figures: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "", "milestones", "--config", conf, "--format", "json")
	if code != 0 {
		t.Fatalf("milestones: %d", code)
	}
	var records, firsts int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m struct {
			Kind   string `json:"kind"`
			Metric string `json:"metric"`
			Value  float64
			Sites  int  `json:"sites"`
			Alert  bool `json:"alert"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		switch m.Kind {
		case "record":
			records++
		case "first":
			firsts++
		}
		if m.Sites != 1 || !m.Alert {
			t.Errorf("milestone %s: %d sites, alert %v", line, m.Sites, m.Alert)
		}
		if m.Metric == "rnd_speedup" && m.Kind == "record" && m.Value != 52 {
			t.Errorf("the R&D speed-up record is 52x, got %v", m.Value)
		}
	}
	if firsts < 4 || records < 1 {
		t.Errorf("%d firsts and %d records:\n%s", firsts, records, out)
	}
	if code, out, _ := cli(t, "", "milestones", "--config", conf, "--format", "csv"); code != 0 || !strings.HasPrefix(out, "id,detected_at,kind") {
		t.Errorf("csv: %d %s", code, out)
	}
	if code, _, _ := cli(t, "", "figures", "--config", conf, "--since", "soon"); code != 2 {
		t.Errorf("bad --since: exit %d", code)
	}
}

func TestAlertsTestCommand(t *testing.T) {
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, fmt.Sprint(body["test"]))
		if strings.Contains(r.URL.Path, "broken") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	conf := writeConfig(t, fmt.Sprintf("alerts:\n  channels:\n    - {name: ok, type: webhook, url: %s/ok}\n    - {name: broken, type: webhook, url: %s/broken}\n", hook.URL, hook.URL))
	code, out, errOut := cli(t, "", "alerts", "test", "--channel", "ok", "--config", conf)
	if code != 0 || !strings.Contains(out, "ok (webhook): test alert sent") || len(got) != 1 || got[0] != "true" {
		t.Errorf("test of a working channel: %d %q %q, bodies %v", code, out, errOut, got)
	}
	code, out, _ = cli(t, "", "alerts", "test", "--config", conf)
	if code != 1 || !strings.Contains(out, "broken (webhook): FAILED") || !strings.Contains(out, "ok (webhook): test alert sent") {
		t.Errorf("test of all channels: %d %q", code, out)
	}
	if strings.Contains(out, hook.URL) {
		t.Errorf("a webhook URL (a credential) is printed: %s", out)
	}
	if code, _, _ := cli(t, "", "alerts", "test", "--channel", "nope", "--config", conf); code != 2 {
		t.Errorf("unknown channel: exit %d", code)
	}
}
