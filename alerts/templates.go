package alerts

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
)

// The default body templates of an email, in alerts/templates/: a start
// for template_text_file and template_html_file. They get a *Message.
var (
	//go:embed templates/email.txt.tmpl
	defaultText string
	//go:embed templates/email.html.tmpl
	defaultHTML string
)

// DefaultSubject is the default subject template of an email, giving
// "frontierwatch: new record for task_horizon: 12 hours (Claude 4.6 Opus)",
// "[TEST] frontierwatch: …" for a test and "frontierwatch: 3 new
// milestones" for a digest.
const DefaultSubject = `{{if .Test}}[TEST] {{end}}frontierwatch: {{if .Digest}}{{.Count}} new milestones{{else}}{{.Headline}}{{end}}`

// maxRendered caps what one template may write.
const maxRendered = 1 << 20

// templates are a channel's parsed templates; nil where the channel has
// none (Slack and Discord without template_text_file build their own
// messages).
type templates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// parseTemplates parses the templates of ch, or the defaults. Errors name
// the channel, the key and the file.
func parseTemplates(ch config.Channel) (templates, error) {
	var t templates
	var err error
	wrap := func(key, file string, err error) error {
		where := key
		if file != "" {
			where += " " + file
		}
		return fmt.Errorf("alerts: channel %q: %s: %w", ch.Name, where, err)
	}
	text := ch.TemplateText
	if text == "" && ch.Type == TypeEmail {
		text = defaultText
	}
	if text != "" {
		if t.text, err = texttemplate.New("text").Parse(text); err != nil {
			return t, wrap("template_text_file", ch.TemplateTextFile, err)
		}
	}
	if ch.Type != TypeEmail {
		if ch.TemplateHTML != "" || ch.Subject != "" {
			return t, fmt.Errorf("alerts: channel %q: subject and template_html_file apply only to email channels", ch.Name)
		}
		return t, nil
	}
	html := ch.TemplateHTML
	if html == "" {
		html = defaultHTML
	}
	if t.html, err = htmltemplate.New("html").Parse(html); err != nil {
		return t, wrap("template_html_file", ch.TemplateHTMLFile, err)
	}
	subject := ch.Subject
	if subject == "" {
		subject = DefaultSubject
	}
	if t.subject, err = texttemplate.New("subject").Parse(subject); err != nil {
		return t, wrap("subject", "", err)
	}
	return t, nil
}

// errTooLong is returned by a limitedWriter past its cap.
var errTooLong = errors.New("output longer than 1 MiB")

type limitedWriter struct {
	buf bytes.Buffer
	n   int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, errTooLong
	}
	return w.buf.Write(p)
}

// executor is a parsed text or HTML template.
type executor interface {
	Execute(io.Writer, any) error
}

// execute renders t with m, at most maxRendered bytes.
func execute(t executor, m *Message) (string, error) {
	w := &limitedWriter{n: maxRendered}
	if err := t.Execute(w, m); err != nil {
		return "", err
	}
	return w.buf.String(), nil
}

// previewer renders a delivery without sending it.
type previewer interface {
	preview(alerts []Alert) error
}

// checkTemplates renders n's messages for a sample alert and a sample
// digest, so that a template that fails on real data fails at New.
func checkTemplates(n Notifier, base baseNotifier) error {
	p, ok := n.(previewer)
	if !ok {
		return nil
	}
	a := SampleAlert(base.name, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	b := a
	b.DeliveryID += "-2"
	b.Test = false
	for _, alerts := range [][]Alert{{a}, {a, b}} {
		if err := p.preview(alerts); err != nil {
			return fmt.Errorf("alerts: channel %q: templates do not render: %w", base.name, err)
		}
	}
	return nil
}

// markTest puts "[TEST] " before s unless it already says [TEST]: a
// custom template cannot make a test look real.
func markTest(s string, test bool) string {
	if !test || strings.Contains(s, "[TEST]") {
		return s
	}
	return "[TEST] " + s
}
