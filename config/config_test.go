package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

const examplePath = "../frontierwatch.example.yaml"

// exampleEnv holds the secrets the example config names.
var exampleEnv = []string{
	"FW_WEBHOOK_SECRET=whsec-example-0123",
	"FW_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/slack-secret-path",
	"FW_SMTP_PASSWORD=smtp-password-4567",
	"FW_SERVER_TOKEN=server-token-89ab",
}

func TestDefaultConfig(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatalf("Load default: %v", err)
	}
	if c.Database.URL != "sqlite://./data/frontierwatch.db" {
		t.Errorf("database.url = %q", c.Database.URL)
	}
	if p, ok := c.SQLitePath(); !ok || p != "./data/frontierwatch.db" {
		t.Errorf("SQLitePath = %q, %v", p, ok)
	}
	if len(c.Sources) < 10 {
		t.Errorf("default has %d sources, want 10 or more", len(c.Sources))
	}
	if len(c.Topics) != 0 {
		t.Errorf("default topics = %v, want none (built in)", c.Topics)
	}
	seen := map[string]bool{}
	for _, s := range c.FeedSources() {
		if !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("source %s: URL %q is not https", s.Name, s.URL)
		}
		if s.Origin != frontierwatch.OriginConfig || !s.Enabled || s.Schedule == "" || s.FullText == "" {
			t.Errorf("source %s not completed: %+v", s.Name, s)
		}
		seen[s.Name] = true
	}
	for _, want := range []string{"openai-news", "google-deepmind", "metr", "arxiv-cs-ai", "import-ai", "anthropic-news"} {
		if !seen[want] {
			t.Errorf("default sources lack %s", want)
		}
	}
	// Every default source carries a comment saying where its URL was found.
	text := string(DefaultYAML())
	for _, s := range c.Sources {
		i := strings.Index(text, "- name: "+s.Name+"\n")
		if i < 0 {
			t.Fatalf("source %s not found in default.yaml text", s.Name)
		}
		block := text[i:]
		if j := strings.Index(block[1:], "\n  - name: "); j >= 0 {
			block = block[:j+1]
		}
		if !strings.Contains(block, "listed in") && !strings.Contains(block, "found by") && !strings.Contains(text[max(0, i-400):i], "no RSS") {
			t.Errorf("source %s has no comment saying where its URL was found", s.Name)
		}
	}
}

func TestExampleConfig(t *testing.T) {
	c, err := Load(examplePath, exampleEnv)
	if err != nil {
		t.Fatalf("Load example: %v", err)
	}
	if !c.HTTP.AllowPrivateNetworks {
		t.Error("example: allow_private_networks not read")
	}
	if got := c.Alerts.Channels[0].Secret.Reveal(); got != "whsec-example-0123" {
		t.Errorf("webhook secret = %q", got)
	}
	if got := c.Alerts.Channels[1].URL.Reveal(); !strings.HasPrefix(got, "https://hooks.slack.com/") {
		t.Errorf("slack url not resolved from url_env")
	}
	if got := c.Alerts.Channels[2].SMTP.Password.Reveal(); got != "smtp-password-4567" {
		t.Errorf("smtp password = %q", got)
	}
	if got := c.Server.Token.Reveal(); got != "server-token-89ab" {
		t.Errorf("server token = %q", got)
	}
	if got := c.Topics[0].Include[0]; got != (WeightedPhrase{Phrase: "autonomous agent", Weight: 1}) {
		t.Errorf("bare phrase = %+v", got)
	}
	if got := c.Alerts.SinceTime(); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("since = %v", got)
	}
	src := c.FeedSources()
	if src[1].Enabled || src[1].Kind != frontierwatch.KindSite || src[1].MaxDepth != 1 || src[1].Delay != 2*time.Second {
		t.Errorf("site source = %+v", src[1])
	}
	// The example shows every key: each field of Config appears in it.
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range allKeys(reflect.TypeFor[Config]()) {
		if !strings.Contains(string(text), key+":") {
			t.Errorf("example does not show key %q", key)
		}
	}
}

// allKeys lists the yaml key of every field reachable from t.
func allKeys(t reflect.Type) []string {
	var out []string
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok || f.Tag.Get("secret") == "resolved" {
			continue
		}
		out = append(out, name)
		out = append(out, allKeys(f.Type)...)
	}
	return out
}

func TestUnknownKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"top level", "database:\n  url: sqlite://x.db\ndatabse:\n  url: x\n",
			`config: f.yaml:3: unknown key "databse" (did you mean "database"?)`},
		{"nested struct", "http:\n  timeout: 5s\n  max_bdy: 1MiB\n",
			`config: f.yaml:3: unknown key "max_bdy" in http`},
		{"list item", "sources:\n  - name: a\n    url: https://a.example/feed\n  - name: b\n    url: https://b.example/feed\n    shedule: \"@hourly\"\n",
			`config: f.yaml:6: unknown key "shedule" in sources[1] (did you mean "schedule"?)`},
		{"deep", "alerts:\n  channels:\n    - name: m\n      type: email\n      to: [a@example.org]\n      smtp:\n        hots: mail\n",
			`config: f.yaml:7: unknown key "hots" in alerts.channels[0].smtp`},
		{"resolved secret written inline", "server:\n  token: hunter2\n",
			`config: f.yaml:2: key "token" in server cannot be written in the file: give it with token_env or token_file`},
		{"repeated key", "log:\n  level: info\n  level: debug\n",
			`config: f.yaml:3: key "level" in log is repeated (first at line 2)`},
		{"wrong shape", "sources: feed.xml\n",
			`config: f.yaml:1: sources: expected a list, got a single value`},
		{"wrong type", "poll:\n  concurrency: many\n",
			"config: f.yaml:2: poll.concurrency: cannot unmarshal !!str `many` into int"},
		{"bad size", "http:\n  max_body: 10 parsecs\n",
			`config: f.yaml:2: http.max_body: invalid size "10 parsecs"`},
		{"syntax", "database:\n  url: [\n",
			`config: f.yaml:2: did not find expected node content`},
		{"two documents", "log: {level: info}\n---\nlog: {level: debug}\n",
			`config: f.yaml:2: more than one YAML document`},
		{"not a mapping", "- a\n- b\n",
			`config: f.yaml:1: the config must be a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "f.yaml", nil)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestAliasBombIsCheap(t *testing.T) {
	// A billion-laughs document must be rejected, not expanded.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", ")
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, refs)
	}
	b.WriteString("alerts:\n  channels:\n    - name: x\n      type: webhook\n      url: https://x.example/\n      headers: {h: *a11}\n")
	start := time.Now()
	_, err := Parse([]byte(b.String()), "laughs.yaml", nil)
	if err == nil {
		t.Fatal("Parse accepted an alias bomb")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Parse took %v on an alias bomb", d)
	}
}

func TestMergeKeysAndAliases(t *testing.T) {
	y := `
x-feed: &feed
  kind: feed
  schedule: "@hourly"
sources:
  - <<: *feed
    name: a
    url: https://a.example/feed
  - <<: *feed
    name: b
    url: https://b.example/feed
    schedule: "@daily"
`
	_, err := Parse([]byte(y), "f.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), `unknown key "x-feed"`) {
		t.Fatalf("want unknown key x-feed, got %v", err)
	}
	y = strings.Replace(y, "x-feed: &feed\n  kind: feed\n  schedule: \"@hourly\"\n", "", 1)
	y = "defaults: &feed\n  schedule: \"@hourly\"\n" + strings.ReplaceAll(y, "<<: *feed", "<<: *feed\n    kind: feed")
	c, err := Parse([]byte(y), "f.yaml", nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Sources[0].Schedule != "@hourly" || c.Sources[1].Schedule != "@daily" {
		t.Errorf("schedules = %q, %q", c.Sources[0].Schedule, c.Sources[1].Schedule)
	}
	y = "defaults: &d\n  schedule: \"@hourly\"\n  bogus: 1\nsources:\n  - <<: *d\n    name: a\n    url: https://a.example/\n"
	if _, err := Parse([]byte(y), "f.yaml", nil); err == nil || !strings.Contains(err.Error(), `unknown key "bogus"`) {
		t.Errorf("merged unknown key: got %v", err)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	for _, y := range []string{"", "# nothing\n", "~\n"} {
		c, err := Parse([]byte(y), "empty.yaml", nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", y, err)
		}
		if c.Poll.Concurrency != 8 || c.HTTP.MaxBody != 10<<20 || c.Server.Listen != DefaultListen || c.Log.Level != "info" {
			t.Errorf("defaults not applied: %+v", c)
		}
		if c.HTTP.UserAgent != DefaultUserAgent() || !strings.Contains(c.HTTP.UserAgent, frontierwatch.ProjectURL) {
			t.Errorf("user agent = %q", c.HTTP.UserAgent)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fw.yaml")
	if err := os.WriteFile(path, []byte("log:\n  level: debug\n  colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), path+`:3: unknown key "colour" in log`) {
		t.Errorf("Load error = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), nil); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load missing file: %v", err)
	}
}

func TestWriteYAMLRoundTrip(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"max_body: 10MiB", "timeout: 30s", "max_backoff: 24h", "enabled: true"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("WriteYAML output lacks %q", want)
		}
	}
	again, err := Parse(buf.Bytes(), "printed.yaml", nil)
	if err != nil {
		t.Fatalf("re-parse printed config: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(c, again) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", c, again)
	}
}

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		url  string
		want string
		ok   bool
	}{
		{"sqlite://./data/x.db", "./data/x.db", true},
		{"sqlite:///abs/x.db", "/abs/x.db", true},
		{"sqlite://x.db?_pragma=busy_timeout(5000)", "x.db", true},
		{"sqlite://", "", false},
		{"postgres://u@h:5432/db", "", false},
	}
	for _, tt := range tests {
		c := &Config{Database: Database{URL: tt.url}}
		got, ok := c.SQLitePath()
		if got != tt.want || ok != tt.ok {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q, %v", tt.url, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFeedSourcesDefaults(t *testing.T) {
	off := false
	c := &Config{
		Defaults: Defaults{Schedule: "@every 10m", FullText: "always"},
		Sources: []SourceConfig{
			{Name: "a", URL: "https://a.example/feed"},
			{Name: "b", Kind: "site", URL: "https://b.example/", Schedule: "@daily", FullText: "never", Enabled: &off,
				Follow: []string{"^https://b\\.example/p/"}, Delay: Duration(3 * time.Second)},
		},
	}
	got := c.FeedSources()
	want := []frontierwatch.Source{
		{Name: "a", Kind: frontierwatch.KindFeed, URL: "https://a.example/feed", Schedule: "@every 10m", FullText: "always",
			Enabled: true, Origin: frontierwatch.OriginConfig},
		{Name: "b", Kind: frontierwatch.KindSite, URL: "https://b.example/", Schedule: "@daily", FullText: "never",
			Enabled: false, Follow: []string{"^https://b\\.example/p/"}, Delay: 3 * time.Second, Origin: frontierwatch.OriginConfig},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FeedSources:\n got %+v\nwant %+v", got, want)
	}
}
