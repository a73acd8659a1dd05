package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// minimal is a valid config that tests break one key at a time.
const minimal = `
sources:
  - name: a
    url: https://a.example/feed.xml
`

func TestValidateOneProblem(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad source cron", "sources:\n  - name: a\n    url: https://a.example/\n    schedule: \"61 * * * *\"\n",
			`config: sources[0].schedule: invalid cron schedule "61 * * * *"`},
		{"cron that panics robfig", "sources:\n  - name: a\n    url: https://a.example/\n    schedule: \"TZ=UTC\"\n",
			`config: sources[0].schedule: invalid cron schedule "TZ=UTC"`},
		{"bad default cron", "defaults:\n  schedule: every hour\n", `config: defaults.schedule: invalid cron schedule "every hour"`},
		{"bad digest cron", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, digest: \"@weekly-ish\"}\n",
			`config: alerts.channels[0].digest: invalid cron schedule`},
		{"source name missing", "sources:\n  - url: https://a.example/\n", "config: sources[0].name: is required"},
		{"source name form", "sources:\n  - name: My Feed\n    url: https://a.example/\n", `config: sources[0].name: "My Feed" must match`},
		{"duplicate source", minimal + "  - name: a\n    url: https://b.example/\n", `config: sources[1].name: "a" is already the name of sources[0]`},
		{"kind", "sources:\n  - name: a\n    kind: podcast\n    url: https://a.example/\n", `config: sources[0].kind: "podcast" is not one of feed, site`},
		{"relative url", "sources:\n  - name: a\n    url: /feed.xml\n", `config: sources[0].url: "/feed.xml" is not an absolute http:// or https:// URL`},
		{"ftp url", "sources:\n  - name: a\n    url: ftp://a.example/feed\n", `config: sources[0].url: "ftp://a.example/feed" is not an absolute`},
		{"missing url", "sources:\n  - name: a\n", "config: sources[0].url: is required"},
		{"site needs follow", "sources:\n  - name: a\n    kind: site\n    url: https://a.example/\n", "config: sources[0].follow: a site needs"},
		{"bad follow regexp", "sources:\n  - name: a\n    kind: site\n    url: https://a.example/\n    follow: ['^https://a(']\n", "config: sources[0].follow[0]: invalid regexp"},
		{"follow on a feed", minimal + "    follow: [x]\n", "config: sources[0].follow: applies only to sources of kind site"},
		{"full_text", minimal + "    full_text: sometimes\n", `config: sources[0].full_text: "sometimes" is not one of auto, always, never`},
		{"database scheme", "database:\n  url: mysql://x/y\n", `config: database.url: unsupported scheme "mysql"`},
		{"database password hidden", "database:\n  url: oracle://u:hunter2@h/db\n", `config: database.url: unsupported scheme "oracle"`},
		{"database not a url", "database:\n  url: ./x.db\n", `config: database.url: "./x.db" is not a URL`},
		{"database password in the query hidden", "database:\n  url: \"postgres://h:port/db?sslmode=disable&password=hunter2\"\n", `config: database.url: invalid PostgreSQL URL`},
		{"max_body", "http:\n  max_body: 0B\n", ""}, // 0 means the default
		{"concurrency", "poll:\n  concurrency: 300\n", "config: poll.concurrency: must be between 1 and 256, not 300"},
		{"search rank window", "archive:\n  search_rank_window: -2\n", "config: archive.search_rank_window: must be a number of matches, or -1"},
		{"search rank window all", "archive:\n  search_rank_window: -1\n", ""},
		{"rate limit", "server:\n  rate_limit: {rate: -1}\n", "config: server.rate_limit.rate: must not be negative"},
		{"rate limit off", "server:\n  rate_limit: {disabled: true}\n", ""},
		{"negative concurrency", "poll:\n  concurrency: -1\n", "config: poll.concurrency: must be between 1 and 256"},
		{"backoff order", "poll:\n  base_backoff: 48h\n", "config: poll.base_backoff: must not exceed poll.max_backoff"},
		{"negative timeout", "http:\n  timeout: -5s\n", "config: http.timeout: must be a positive duration"},
		{"threshold metric", "alerts:\n  thresholds: [{metric: iq, at_least: 200}]\n", `config: alerts.thresholds[0].metric: unknown metric "iq"`},
		{"threshold bound", "alerts:\n  thresholds: [{metric: task_horizon}]\n", "config: alerts.thresholds[0]: needs at_least or at_most"},
		{"threshold on configured metric", "metrics:\n  - {name: papers, unit: papers, cues: [papers]}\nalerts:\n  thresholds: [{metric: papers, at_least: 3}]\n", ""},
		{"metric shadows builtin", "metrics:\n  - {name: task_horizon, unit: hours, cues: [x]}\n", `config: metrics[0].name: "task_horizon" is a built-in metric`},
		{"metric direction", "metrics:\n  - {name: m, unit: x, cues: [y], direction: sideways}\n", `config: metrics[0].direction: "sideways" is not one of higher, lower`},
		{"channel type", "alerts:\n  channels:\n    - {name: c, type: pager}\n", `config: alerts.channels[0].type: "pager" is not one of`},
		{"channel names", "alerts:\n  channels:\n    - {name: c, type: webhook, url: https://h.example/}\n    - {name: c, type: slack, url: https://h.example/}\n",
			`config: alerts.channels[1].name: "c" is used by another channel`},
		{"webhook needs url", "alerts:\n  channels:\n    - {name: c, type: webhook}\n", "config: alerts.channels[0].url: is required"},
		{"email needs to", "alerts:\n  channels:\n    - {name: c, type: email, smtp: {host: mail.example}}\n", "config: alerts.channels[0].to: an email channel needs"},
		{"email needs host", "alerts:\n  channels:\n    - {name: c, type: email, to: [a@example.org]}\n", "config: alerts.channels[0].smtp.host: an email channel needs an SMTP host"},
		{"smtp tls", "alerts:\n  channels:\n    - {name: c, type: email, to: [a@example.org], smtp: {host: m, tls: ssl3}}\n", `config: alerts.channels[0].smtp.tls: "ssl3" is not one of`},
		{"channel kinds", "alerts:\n  channels:\n    - {name: c, type: webhook, url: https://h.example/, kinds: [rumour]}\n", `config: alerts.channels[0].kinds[0]: "rumour" is not one of record, threshold, first`},
		{"since", "alerts:\n  since: yesterday\n", `config: alerts.since: invalid time "yesterday"`},
		{"read token without a token", "server:\n  read_token_required: true\n", "config: server.read_token_required: needs a token"},
		{"since rfc3339", "alerts:\n  since: 2026-03-01T12:00:00+02:00\n", ""},
		{"min_sources", "alerts:\n  min_sources: -2\n", "config: alerts.min_sources: must be at least 1"},
		{"topic needs phrase", "topics:\n  - name: t\n", "config: topics[0].include: a topic needs at least one phrase"},
		{"topic weight", "topics:\n  - {name: t, include: [{phrase: p, weight: -1}]}\n", "config: topics[0].include[0].weight: must be greater than 0"},
		{"topic field", "topics:\n  - {name: t, include: [p], fields: [body]}\n", `config: topics[0].fields[0]: "body" is not one of title, summary, text, url`},
		{"listen", "server:\n  listen: 8080\n", `config: server.listen: "8080" is not host:port`},
		{"log level", "log:\n  level: loud\n", `config: log.level: "loud" is not one of debug, info, warn, error`},
		{"log format", "log:\n  format: xml\n", `config: log.format: "xml" is not one of text, json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "f.yaml", nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows a database password: %v", err)
			}
		})
	}
}

func TestValidateCollectsAllProblems(t *testing.T) {
	y := `
database:
  url: mysql://x
poll:
  concurrency: 0
  base_backoff: -1s
sources:
  - name: Bad Name
    url: nope
    schedule: "* * *"
alerts:
  since: soon
  thresholds: [{metric: iq}]
log:
  level: loud
`
	_, err := Parse([]byte(y), "f.yaml", nil)
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	want := []string{
		"database.url", "poll.base_backoff", "sources[0].name", "sources[0].url", "sources[0].schedule",
		"alerts.since", "alerts.thresholds[0].metric", "alerts.thresholds[0]: needs", "log.level",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), "config: "+w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) < len(want) {
		t.Errorf("%d problems reported, want at least %d", len(lines), len(want))
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Error("errors are not *FieldError")
	}
}

func TestValidateOnBuiltConfig(t *testing.T) {
	c := &Config{}
	if err := c.Validate(); err == nil {
		t.Error("a zero Config validated")
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("zero Config with defaults: %v", err)
	}
}

func TestParseSchedule(t *testing.T) {
	for _, ok := range []string{"*/5 * * * *", "@hourly", "@every 30m", "@daily", "0 9 * * 1", "CRON_TZ=UTC 0 6 * * *"} {
		if _, err := ParseSchedule(ok); err != nil {
			t.Errorf("ParseSchedule(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "  ", "TZ=UTC", "CRON_TZ=", "* * * * * *", "@every", "@every -1m", "60 * * * *", "*/0 * * * *"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded", bad)
		}
	}
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"2026-02-03", time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), false},
		{"2026-02-03T04:05:06Z", time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), false},
		{"2026-02-30", time.Time{}, true},
		{"03/02/2026", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v", tt.in, got, err)
		}
	}
}
