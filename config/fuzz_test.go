package config

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must return a config or an
// error, never panic, and a config it returns must validate and print.
func FuzzParse(f *testing.F) {
	f.Add(DefaultYAML())
	if b, err := os.ReadFile(examplePath); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "~", "[", "a: [", "sources:\n  - name: a\n    url: https://a.example/\n    schedule: \"TZ=UTC\"\n",
		"sources: &s\n  - *s\n", "x: &a [*a]\n", "<<: {log: {level: info}}\n", "http:\n  max_body: 1e99\n",
		"defaults: &d {schedule: '@hourly'}\nsources: [{<<: *d, name: a, url: 'https://a/'}]\n",
		"topics: [{name: t, include: [p, {phrase: q, weight: 2}]}]\n", "alerts:\n  channels: [{name: c, type: email}]\n",
		"log: {level: info}\n---\nlog: {}\n", "\xff\xfe", "server: {token: x}\n",
	} {
		f.Add([]byte(s))
	}
	env := []string{"FW_WEBHOOK_SECRET=a", "FW_SLACK_WEBHOOK_URL=https://hooks.example/x", "FW_SMTP_PASSWORD=b", "FW_SERVER_TOKEN=c"}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml", env)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse returned a config that does not validate: %v", err)
		}
		var buf bytes.Buffer
		if err := c.WriteYAML(&buf); err != nil {
			t.Fatalf("WriteYAML: %v", err)
		}
		_ = c.FeedSources()
	})
}

// FuzzEnv feeds arbitrary values to every kind of override.
func FuzzEnv(f *testing.F) {
	for _, s := range []string{"", "1", "true", "30s", "10MiB", "[{name: a, url: 'https://a/'}]", "[", "{a: b}", "-1"} {
		f.Add("POLL_CONCURRENCY", s)
		f.Add("SOURCES", s)
		f.Add("HTTP_MAX_BODY", s)
	}
	f.Fuzz(func(t *testing.T, key, val string) {
		if strings.ContainsAny(key, "=\x00") {
			return
		}
		_, _ = Load("", []string{EnvPrefix + key + "=" + val})
	})
}

func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"10MiB", "1.5GB", "1048576", "", "9999999999TiB", ".", "1.e5KB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseByteSize(s)
		if err != nil {
			return
		}
		if b < 0 {
			t.Fatalf("ParseByteSize(%q) = %d", s, b)
		}
		back, err := ParseByteSize(b.String())
		if err != nil || back != b {
			t.Fatalf("round trip of %d via %q: %d, %v", b, b.String(), back, err)
		}
	})
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"@every 30m", "*/5 * * * *", "TZ=UTC", "CRON_TZ=Europe/Paris 0 6 * * *", "@daily", "1-5/0 * * * *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseSchedule(s)
	})
}
