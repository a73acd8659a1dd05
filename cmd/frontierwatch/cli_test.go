package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontierwatch/frontierwatch/server"
)

// cli runs the CLI in-process and returns its exit code and output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, nil)
	return code, out.String(), errb.String()
}

// feedSite serves two RSS feeds with ETags.
func feedSite(t *testing.T) *httptest.Server {
	t.Helper()
	feed := func(name string, n int) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, `<rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link>`, name, name)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>%s report %d on autonomous agents</title><link>https://%s.example/p/%d</link><pubDate>Mon, 0%d Jun 2026 10:00:00 GMT</pubDate><description>Models now complete 12-hour tasks, item %d.</description></item>`, name, i, name, i, i+1, i)
		}
		b.WriteString(`</channel></rss>`)
		return []byte(b.String())
	}
	bodies := map[string][]byte{"/lab.xml": feed("lab", 3), "/evals.xml": feed("evals", 2)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "frontierwatch.yaml")
	cfg := fmt.Sprintf("database:\n  url: sqlite://%s\nhttp:\n  allow_private_networks: true\n  timeout: 5s\narchive:\n  keep_unmatched: true\n%s", filepath.Join(dir, "fw.db"), body)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPollSearchRoundTrip is the "done when": poll archives the
// items of local feeds, a second poll reports them not modified, search
// finds them.
func TestPollSearchRoundTrip(t *testing.T) {
	srv := feedSite(t)
	conf := writeConfig(t, fmt.Sprintf("sources:\n  - {name: lab, url: %s/lab.xml}\n  - {name: evals, url: %s/evals.xml}\n", srv.URL, srv.URL))

	code, out, errOut := cli(t, "", "poll", "--config", conf)
	if code != 0 || !strings.Contains(out, "polled 2 sources") || !strings.Contains(out, "5 new articles") {
		t.Fatalf("first poll: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "lab: 3 new") {
		t.Errorf("no per-source progress line on a non-terminal: %s", errOut)
	}
	code, out, _ = cli(t, "", "poll", "--config", conf)
	if code != 0 || !strings.Contains(out, "0 new articles, 2 not modified, 0 errors") {
		t.Fatalf("second poll: exit %d: %s", code, out)
	}

	code, out, errOut = cli(t, "", "search", "--config", conf, "autonomous agents", "--format", "json")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("search found %d articles, want 5:\n%s", len(lines), out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "url", "title", "source", "published", "story_id", "story_sites", "topics", "snippet"} {
		if _, ok := first[k]; !ok {
			t.Errorf("search json lacks %q: %s", k, lines[0])
		}
	}
	code, out, _ = cli(t, "", "search", "--config", conf, "report", "--source", "evals", "--since", "2026-06-02", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "id,published,source,title,url,snippet\n") {
		t.Errorf("filtered csv search: exit %d:\n%s", code, out)
	}
	code, out, _ = cli(t, "", "search", "--config", conf, "nothing-matches-this")
	if code != 0 || !strings.Contains(out, "no articles found") {
		t.Errorf("empty search: %d %q", code, out)
	}
}

func TestPollAllFailedExits1(t *testing.T) {
	srv := feedSite(t)
	conf := writeConfig(t, fmt.Sprintf("sources:\n  - {name: gone, url: %s/gone.xml}\n", srv.URL))
	code, out, errOut := cli(t, "", "poll", "--config", conf)
	if code != 1 || !strings.Contains(out, "1 errors") || !strings.Contains(errOut, "404") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestSourcesCommands(t *testing.T) {
	srv := feedSite(t)
	conf := writeConfig(t, fmt.Sprintf("sources:\n  - {name: lab, url: %s/lab.xml}\n", srv.URL))
	if code, out, errOut := cli(t, "", "sources", "add", "evals", srv.URL+"/evals.xml", "--schedule", "@every 2h", "--config", conf); code != 0 || !strings.Contains(out, "added evals") {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"sources", "add", "Bad Name", "https://x.example/f"},
		{"sources", "add", "ok", "ftp://x.example/f"},
		{"sources", "add", "ok", "https://x.example/f", "--schedule", "every hour"},
		{"sources", "add", "lab", "https://x.example/f"}, // belongs to the config file
		{"sources", "remove", "lab"},
		{"sources", "add", "only-one-arg"},
	} {
		if code, _, errOut := cli(t, "", append(bad, "--config", conf)...); code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, want 2 with one line on stderr: %q", bad, code, errOut)
		}
	}
	code, out, _ := cli(t, "", "sources", "list", "--config", conf)
	if code != 0 || !strings.Contains(out, "evals") || !strings.Contains(out, "@every 2h") || !strings.Contains(out, "lab") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "", "sources", "export", "--config", conf)
	if code != 0 || !strings.Contains(out, `xmlUrl="`+srv.URL+`/evals.xml"`) || !strings.Contains(out, `<opml version="2.0">`) {
		t.Errorf("export: %d\n%s", code, out)
	}
	opml := out
	if code, out, errOut := cli(t, "", "sources", "remove", "evals", "--config", conf); code != 0 || !strings.Contains(out, "removed evals") {
		t.Fatalf("remove: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", "sources", "remove", "evals", "--config", conf); code != 1 || !strings.Contains(errOut, `no source named "evals"`) {
		t.Errorf("remove again: %d %s", code, errOut)
	}
	// Importing the export brings evals back; lab exists and is skipped.
	code, out, errOut := cli(t, opml, "sources", "import", "-", "--config", conf)
	if code != 0 || !strings.Contains(out, "imported 1 feeds (1 skipped") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "sources", "list", "--format", "json", "--config", conf)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"name":"evals"`) {
		t.Errorf("list json after import: %s", out)
	}
}

func TestConfigCommands(t *testing.T) {
	code, out, errOut := cli(t, "", "config", "check")
	if code != 0 || !strings.Contains(out, "embedded default config: ok") {
		t.Errorf("check default: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "config", "print")
	if code != 0 || !strings.Contains(out, "sqlite://./data/frontierwatch.db") || !strings.Contains(out, "metr") {
		t.Errorf("print default: %d\n%s", code, out)
	}

	bad := writeConfig(t, "sources:\n  - name: x\n    url: https://x.example/feed\n    shedule: '@hourly'\n")
	code, _, errOut = cli(t, "", "config", "check", "--config", bad)
	if code != 1 || !strings.Contains(errOut, `unknown key "shedule"`) || !strings.Contains(errOut, ".yaml:11:") {
		t.Errorf("unknown key: %d %q", code, errOut)
	}
	badCron := writeConfig(t, "sources:\n  - {name: x, url: https://x.example/feed, schedule: '61 * * * *'}\n")
	code, _, errOut = cli(t, "", "config", "check", "--config", badCron)
	if code != 1 || !strings.Contains(errOut, "sources[0].schedule") {
		t.Errorf("bad cron: %d %q", code, errOut)
	}

	secretFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(secretFile, []byte("s3cr3t-t0ken\n"), 0o600)
	withSecret := writeConfig(t, "server:\n  token_file: "+secretFile+"\n")
	code, out, _ = cli(t, "", "config", "print", "--config", withSecret)
	if code != 0 || strings.Contains(out, "s3cr3t-t0ken") {
		t.Errorf("print leaks the secret or fails: %d\n%s", code, out)
	}
	missing := writeConfig(t, "server:\n  token_file: /nonexistent/token\n")
	code, _, errOut = cli(t, "", "config", "check", "--config", missing)
	if code != 1 || !strings.Contains(errOut, "/nonexistent/token") {
		t.Errorf("missing secret file: %d %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"no-such-command"},
		{"poll", "--no-such-flag"},
		{"search", "a", "b"},
		{"search", "x", "--since", "yesterday"},
		{"search", "x", "--format", "xml"},
		{"search", "x", "--limit", "0"},
	} {
		code, _, errOut := cli(t, "", args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
		if !strings.HasPrefix(errOut, "frontierwatch: ") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: want one clear line on stderr, got %q", args, errOut)
		}
	}
	if code, out, _ := cli(t, "", "version"); code != 0 || !strings.HasPrefix(out, "frontierwatch ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := cli(t, "", "--help"); code != 0 || !strings.Contains(out, "poll") || !strings.Contains(out, "sources") {
		t.Errorf("help: %d %q", code, out)
	}
}

func TestHealthCommand(t *testing.T) {
	ok := httptest.NewServer(server.Handler(nil))
	defer ok.Close()
	if code, out, errOut := cli(t, "", "health", "--url", ok.URL+"/healthz"); code != 0 || out != "ok\n" {
		t.Errorf("healthy daemon: %d %q %q", code, out, errOut)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer down.Close()
	if code, _, errOut := cli(t, "", "health", "--url", down.URL+"/healthz"); code != 1 || !strings.Contains(errOut, "503") {
		t.Errorf("unhealthy daemon: %d %q", code, errOut)
	}
	for listen, want := range map[string]string{"0.0.0.0:8080": "127.0.0.1:8080", ":9000": "127.0.0.1:9000", "[::]:80": "127.0.0.1:80", "10.1.2.3:8080": "10.1.2.3:8080"} {
		if got := loopback(listen); got != want {
			t.Errorf("loopback(%q) = %q, want %q", listen, got, want)
		}
	}
}
