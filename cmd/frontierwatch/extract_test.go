package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// savedPage is an article page as a browser saves it: furniture around
// the story.
const savedPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Agents pass a day-long test | Example News</title>
<meta property="og:title" content="Agents pass a day-long test"><meta name="author" content="Kim Reporter">
<meta property="article:published_time" content="2026-06-03T07:15:00Z"></head><body>
<div id="cookie-banner"><p>We use cookies.</p><button>Accept all cookies</button></div>
<nav><a href="/">Home</a> <a href="/ai">AI</a> <a href="/subscribe">Subscribe</a></nav>
<article><h1>Agents pass a day-long test</h1>
<p>An agent built on the newest frontier model worked for twenty-six hours on a software project without a person stepping in, the evaluators said.</p>
<p>The run is the longest the group has measured, and the evaluators said the agent recovered from several failed builds on its own during the night.</p>
<p>Other researchers warned that one long run says little about how often such agents succeed, and asked for the full logs to be published.</p></article>
<aside><h2>Related articles</h2><a href="/x">Chips are scarce again</a></aside>
<section id="comments"><p>Great piece, thanks!</p></section><footer>© Example News</footer></body></html>`

func TestExtractArticle(t *testing.T) {
	file := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(file, []byte(savedPage), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "extract", "article", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "worked for twenty-six hours") || !strings.Contains(out, "asked for the full logs") {
		t.Errorf("main text missing:\n%s", out)
	}
	for _, f := range []string{"cookies", "Subscribe", "Related articles", "Great piece", "© Example"} {
		if strings.Contains(out, f) {
			t.Errorf("output has furniture %q:\n%s", f, out)
		}
	}

	code, out, errOut = cli(t, savedPage, "extract", "article", "-", "--url", "https://news.example.org/ai/agents-day", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got articleJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Title != "Agents pass a day-long test" || got.Author != "Kim Reporter" || !strings.HasPrefix(got.Published, "2026-06-03T") ||
		got.Language != "en" || !strings.Contains(got.Text, "twenty-six hours") || got.URL != "https://news.example.org/ai/agents-day" {
		t.Errorf("json %+v", got)
	}
}

func TestExtractArticleErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		msg   string
	}{
		{"bad format", savedPage, []string{"--format", "xml"}, exitUsage, "--format"},
		{"bad url", savedPage, []string{"--url", "example.org/x"}, exitUsage, "--url"},
		{"two files", "", []string{"a", "b"}, exitUsage, "accepts at most 1"},
		{"missing file", "", []string{"/nonexistent/page.html"}, exitError, "no such file"},
		{"no text", "<html><body></body></html>", nil, exitError, "no main text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := cli(t, tt.stdin, append([]string{"extract", "article"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
}

// TestPollSiteSource: poll crawls a site source like a feed, with the
// same per-source line and summary.
func TestPollSiteSource(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.URL.Path == "/news":
			for i := range 3 {
				fmt.Fprintf(w, `<a href="/news/story-%d">Story %d</a>`, i, i)
			}
		case strings.HasPrefix(r.URL.Path, "/news/story-"):
			fmt.Fprint(w, strings.ReplaceAll(savedPage, "twenty-six hours", r.URL.Path))
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "fw.yaml")
	y := fmt.Sprintf(`database: {url: "sqlite://%s/fw.db"}
http: {allow_private_networks: true}
archive: {keep_unmatched: true}
sources:
  - name: news-site
    kind: site
    url: %s/news
    follow: ['^%s/news/story-\d+$']
    delay: 1ms
`, dir, site.URL, regexp.QuoteMeta(site.URL))
	if err := os.WriteFile(cfg, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "poll", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "news-site: 3 new, 0 known") || !strings.Contains(out, "polled 1 sources") || !strings.Contains(out, "3 new articles") {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}
	code, out, errOut = cli(t, "", "search", "story-2", "--config", cfg, "--format", "json")
	if code != 0 || !strings.Contains(out, "/news/story-2") {
		t.Errorf("search after poll: exit %d %q %q", code, out, errOut)
	}
}
