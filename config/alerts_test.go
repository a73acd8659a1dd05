package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestChannelDeliveryKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"defaults", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/}\n", ""},
		{"timeout", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, timeout: -1s}\n",
			"config: alerts.channels[0].timeout: must be a positive duration"},
		{"max_age", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, max_age: -2h}\n",
			"config: alerts.channels[0].max_age: must be a positive duration"},
		{"reserved header", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, headers: {idempotency-key: x}}\n",
			`config: alerts.channels[0].headers: "idempotency-key" is set by frontierwatch`},
		{"signature header", "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, headers: {X-Frontierwatch-Signature: x}}\n",
			`config: alerts.channels[0].headers: "X-Frontierwatch-Signature" is set by frontierwatch`},
		{"subject on slack", "alerts:\n  channels:\n    - {name: s, type: slack, url: https://s.example/, subject: x}\n",
			"config: alerts.channels[0].subject: applies only to email channels"},
		{"bad subject", "alerts:\n  channels:\n    - {name: m, type: email, to: [a@example.org], smtp: {host: m}, subject: '{{.Headline'}\n",
			"config: alerts.channels[0].subject: invalid template"},
		{"good subject", "alerts:\n  channels:\n    - {name: m, type: email, to: [a@example.org], smtp: {host: m}, subject: '[fw] {{.Headline}}'}\n", ""},
		{"silence needs until", "alerts:\n  silences:\n    - {metric: task_horizon}\n",
			"config: alerts.silences[0].until: is required"},
		{"silence until", "alerts:\n  silences:\n    - {subject: x, until: next week}\n",
			`config: alerts.silences[0].until: invalid time "next week"`},
		{"silence metric", "alerts:\n  silences:\n    - {metric: iq, until: 2026-01-01}\n",
			`config: alerts.silences[0].metric: unknown metric "iq"`},
		{"silence ok", "alerts:\n  silences:\n    - {source: example.org, until: '2026-01-02T03:04:05Z', reason: noisy}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "f.yaml", nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				for _, ch := range c.Alerts.Channels {
					if ch.Timeout.Std() != 10*time.Second || ch.MaxAge.Std() != 24*time.Hour {
						t.Errorf("channel %s: timeout %v, max_age %v; want defaults 10s, 24h", ch.Name, ch.Timeout, ch.MaxAge)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestSilenceUntil(t *testing.T) {
	c, err := Parse([]byte("alerts:\n  silences:\n    - {metric: task_horizon, until: 2026-05-01}\n"), "f.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Alerts.Silences[0].UntilTime(); !got.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("UntilTime = %v", got)
	}
}

func TestTemplateFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodText := write("good.txt.tmpl", "{{.Headline}}\n")
	goodHTML := write("good.html.tmpl", "<p>{{.Headline}}</p>\n")
	badText := write("bad.txt.tmpl", "line one\n{{if .Test}}unclosed\n")
	badHTML := write("bad.html.tmpl", "<p>{{.Headline</p>\n")
	empty := write("empty.tmpl", "  \n")
	email := func(extra string) string {
		return "alerts:\n  channels:\n    - name: m\n      type: email\n      to: [a@example.org]\n      smtp: {host: m}\n" + extra
	}

	c, err := Parse([]byte(email("      template_text_file: "+goodText+"\n      template_html_file: "+goodHTML+"\n")), "f.yaml", nil)
	if err != nil {
		t.Fatalf("good templates: %v", err)
	}
	if ch := c.Alerts.Channels[0]; ch.TemplateText != "{{.Headline}}\n" || ch.TemplateHTML != "<p>{{.Headline}}</p>\n" {
		t.Errorf("templates not read: %q %q", ch.TemplateText, ch.TemplateHTML)
	}
	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<p>") || !strings.Contains(buf.String(), "template_html_file: "+goodHTML) {
		t.Errorf("config print shows template contents or lacks the file:\n%s", buf.String())
	}

	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bad text", email("      template_text_file: " + badText + "\n"),
			[]string{"config: alerts.channels[0].template_text_file: invalid template", badText}},
		{"bad html", email("      template_html_file: " + badHTML + "\n"),
			[]string{"config: alerts.channels[0].template_html_file: invalid template", badHTML}},
		{"missing", email("      template_text_file: " + filepath.Join(dir, "nope.tmpl") + "\n"),
			[]string{"config: alerts.channels[0].template_text_file: read template", "nope.tmpl"}},
		{"empty", email("      template_html_file: " + empty + "\n"),
			[]string{"config: alerts.channels[0].template_html_file: template file", "is empty"}},
		{"html on slack", "alerts:\n  channels:\n    - {name: s, type: slack, url: https://s.example/, template_html_file: " + goodHTML + "}\n",
			[]string{"config: alerts.channels[0].template_html_file: applies only to email channels"}},
		{"text on webhook", "alerts:\n  channels:\n    - {name: w, type: webhook, url: https://w.example/, template_text_file: " + goodText + "}\n",
			[]string{"config: alerts.channels[0].template_text_file: applies only to email, slack and discord"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "f.yaml", nil)
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestHeaderValuesMasked(t *testing.T) {
	y := "alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, headers: {Authorization: 'Bearer tok-123456', X-Bad: \"a\\r\\nX-Injected: tok-987\"}}\n"
	_, err := Parse([]byte(y), "f.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), `the value of "X-Bad" must be one line`) {
		t.Fatalf("error = %v", err)
	}
	if strings.Contains(err.Error(), "tok-") {
		t.Errorf("error shows a header value: %v", err)
	}
	c, err := Parse([]byte("alerts:\n  channels:\n    - {name: h, type: webhook, url: https://h.example/, headers: {Authorization: 'Bearer tok-123456'}}\n"), "f.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Alerts.Channels[0].Headers["Authorization"].Reveal(); got != "Bearer tok-123456" {
		t.Errorf("header = %q", got)
	}
	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "tok-123456") || !strings.Contains(buf.String(), "Authorization: '***'") {
		t.Errorf("config print does not mask header values:\n%s", buf.String())
	}
}
