package alerts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

func TestValueText(t *testing.T) {
	tests := []struct {
		v    float64
		fig  frontierwatch.Figure
		want string
	}{
		{12, frontierwatch.Figure{Unit: "hours", Qualifier: frontierwatch.Exact}, "12 hours"},
		{1, frontierwatch.Figure{Unit: "hours"}, "1 hour"},
		{12, frontierwatch.Figure{Unit: "hours", Qualifier: frontierwatch.Over}, "over 12 hours"},
		{90, frontierwatch.Figure{Unit: "percent", Qualifier: frontierwatch.AtLeast}, "at least 90%"},
		{3.5, frontierwatch.Figure{Unit: "x", Qualifier: frontierwatch.About}, "about 3.5x"},
		{0.123456, frontierwatch.Figure{}, "0.123"},
		{4, frontierwatch.Figure{Unit: "months", Qualifier: frontierwatch.Range, Min: ptr(2), Max: ptr(4)}, "2–4 months"},
		{7, frontierwatch.Figure{Unit: "months", Qualifier: frontierwatch.UpTo}, "up to 7 months"},
		{5, frontierwatch.Figure{Unit: "months", Qualifier: frontierwatch.Under}, "under 5 months"},
	}
	for _, tt := range tests {
		if got := valueText(tt.v, tt.fig); got != tt.want {
			t.Errorf("valueText(%v, %+v) = %q, want %q", tt.v, tt.fig, got, tt.want)
		}
	}
	a := sampleAlert()
	if got := headline(a); got != "new record for task_horizon: over 12 hours (Claude 4.6 Opus)" {
		t.Errorf("headline = %q", got)
	}
	a.Milestone.Kind, a.Milestone.Subject, a.Figure.Subject = frontierwatch.MilestoneFirst, "", ""
	if got := headline(a); got != "first figure for task_horizon: over 12 hours" {
		t.Errorf("headline without subject = %q", got)
	}
}

func TestEmailTemplateOverrides(t *testing.T) {
	ch := config.Channel{
		Name: "m", Type: TypeEmail, To: []string{"a@example.org"}, SMTP: &config.SMTP{Host: "127.0.0.1"},
		Subject:      "fw {{.Metric}}",
		TemplateText: "{{.Count}} alert(s): {{range .Alerts}}{{.Headline}}; {{end}}",
		TemplateHTML: "<b>{{.Article.Title}}</b> <a href=\"{{.Article.URL}}\">x</a>",
	}
	n := newNotifier(t, ch, Deps{}).(*emailNotifier)
	a := hostileAlert()
	a.Article.URL = "javascript:alert(1)"
	r, err := n.render([]Alert{a})
	if err != nil {
		t.Fatal(err)
	}
	if r.subject != "fw task_horizon" {
		t.Errorf("subject = %q", r.subject)
	}
	if !strings.HasPrefix(r.text, "1 alert(s): new record for task_horizon") {
		t.Errorf("text = %q", r.text)
	}
	if strings.Contains(r.html, "<script>") || strings.Contains(r.html, "javascript:") || !strings.Contains(r.html, "&lt;script&gt;") {
		t.Errorf("html = %q", r.html)
	}
	// A custom template cannot hide that an alert is a test.
	r, err = n.render([]Alert{SampleAlert("m", testNow)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.subject, "[TEST] fw task_horizon") || !strings.HasPrefix(r.text, "[TEST] ") ||
		!strings.HasPrefix(r.html, "<p><strong>[TEST]</strong> This is a test alert") {
		t.Errorf("test alert: subject %q, text %q, html %q", r.subject, r.text, r.html)
	}
	if got := insertAfterBody("<html><BODY class=x><p>hi</p></body>", "<p>T</p>"); got != "<html><BODY class=x>\n<p>T</p><p>hi</p></body>" {
		t.Errorf("insertAfterBody = %q", got)
	}
	// Subjects are one line, whatever the template writes.
	ch.Subject = "a\r\nBcc: evil@example.org\n{{.Metric}}"
	n = newNotifier(t, ch, Deps{}).(*emailNotifier)
	if r, _ := n.render([]Alert{sampleAlert()}); r.subject != "a Bcc: evil@example.org task_horizon" {
		t.Errorf("subject = %q", r.subject)
	}
}

func TestTemplateErrors(t *testing.T) {
	email := func(mod func(*config.Channel)) config.Channel {
		ch := config.Channel{Name: "m", Type: TypeEmail, To: []string{"a@example.org"}, SMTP: &config.SMTP{Host: "h"}}
		mod(&ch)
		return ch
	}
	tests := []struct {
		name string
		ch   config.Channel
		want string
	}{
		{"subject parse", email(func(c *config.Channel) { c.Subject = "{{.Metric" }), `alerts: channel "m": subject:`},
		{"text parse names the file", email(func(c *config.Channel) {
			c.TemplateText, c.TemplateTextFile = "{{if}}", "/etc/fw/mail.txt.tmpl"
		}), `alerts: channel "m": template_text_file /etc/fw/mail.txt.tmpl:`},
		{"html parse", email(func(c *config.Channel) { c.TemplateHTML = "<p>{{.Headline</p>" }), `alerts: channel "m": template_html_file`},
		{"unknown field fails at New", email(func(c *config.Channel) { c.TemplateText = "{{.Nope}}" }), `templates do not render`},
		{"slack unknown field", config.Channel{Name: "s", Type: TypeSlack, URL: "https://h.example/x", TemplateText: "{{.Article.Nope}}"}, `templates do not render`},
		{"html on slack", config.Channel{Name: "s", Type: TypeSlack, URL: "https://h.example/x", TemplateHTML: "<p>"}, "apply only to email"},
		{"text on webhook", config.Channel{Name: "w", Type: TypeWebhook, URL: "https://h.example/x", TemplateText: "x"}, "fixed JSON"},
		{"email without host", config.Channel{Name: "m", Type: TypeEmail, To: []string{"a@example.org"}}, "smtp.host"},
		{"email bad from", email(func(c *config.Channel) { c.From = "not an address" }), "from"},
		{"email bad tls", email(func(c *config.Channel) { c.SMTP.TLS = "ssl" }), "smtp.tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.ch, Deps{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDefaultTemplatesFromFiles loads the shipped templates through
// config, as a user copying them would, and renders them.
func TestDefaultTemplatesFromFiles(t *testing.T) {
	dir := t.TempDir()
	yaml := "alerts:\n  channels:\n    - name: m\n      type: email\n      to: [a@example.org]\n      smtp: {host: 127.0.0.1}\n" +
		"      template_text_file: templates/email.txt.tmpl\n      template_html_file: templates/email.html.tmpl\n"
	path := filepath.Join(dir, "fw.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := newNotifier(t, c.Alerts.Channels[0], Deps{}).(*emailNotifier)
	r, err := n.render([]Alert{sampleAlert()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.text, "Beats the record of 8 hours.") || !strings.Contains(r.html, "<blockquote>Claude 4.6 Opus completed") {
		t.Errorf("text:\n%s\nhtml:\n%s", r.text, r.html)
	}
	golden(t, "email.txt.golden", []byte(r.text))
}

func TestChatTestMarking(t *testing.T) {
	ta := SampleAlert("c", testNow)
	var sm slackMessage
	if err := json.Unmarshal(sendTo(t, config.Channel{Type: TypeSlack}, Deps{}, ta), &sm); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sm.Text, "[TEST] ") || len(sm.Blocks) == 0 || !strings.Contains(sm.Blocks[0].Elements[0].Text, "test alert") {
		t.Errorf("Slack test alert: %+v", sm)
	}
	var dm discordMessage
	if err := json.Unmarshal(sendTo(t, config.Channel{Type: TypeDiscord}, Deps{}, ta), &dm); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dm.Content, `\[TEST\] `) || !strings.Contains(dm.Embeds[0].Description, "test alert") || dm.Embeds[0].Color != discordTestColor {
		t.Errorf("Discord test alert: %+v", dm)
	}
	// A real alert says nothing of tests.
	if err := json.Unmarshal(sendTo(t, config.Channel{Type: TypeDiscord}, Deps{}, sampleAlert()), &dm); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dm.Content+dm.Embeds[0].Description, "TEST") {
		t.Errorf("real alert marked as a test: %+v", dm)
	}
}

func TestSampleAlertDelivers(t *testing.T) {
	rcv := newReceiver(t, nil)
	n := newNotifier(t, config.Channel{Name: "w", Type: TypeWebhook, URL: config.Secret(rcv.URL)}, Deps{})
	if _, err := n.Notify(context.Background(), []Alert{SampleAlert("w", testNow)}); err != nil {
		t.Fatal(err)
	}
	var body WebhookAlert
	if err := json.Unmarshal(rcv.last(t).Body, &body); err != nil {
		t.Fatal(err)
	}
	if !body.Test || body.ID != "test-w-1772600767" || body.Headline != "new record for task_horizon: 12 hours (Example Model)" {
		t.Errorf("sample body = %+v", body)
	}
}
