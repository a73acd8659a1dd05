package alerts

import (
	"fmt"
	"strings"
)

// Slack's limits, with a margin.
const (
	slackSectionMax  = 3000  // a section's text
	slackTextMax     = 39000 // a text-only message ("truncated after 40,000")
	slackDigestItems = 45    // alert sections in a digest (50 blocks at most)
)

// slackMessage is a Slack incoming-webhook message.
//
// A Slack channel posts to an incoming webhook
// (https://api.slack.com/messaging/webhooks) a message of Block Kit
// blocks, with "text" as the notification fallback:
//
//	{"text": "frontierwatch: new record for task_horizon: 12 hours (…)",
//	 "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*…*\n>sentence\n<url|title> · source"}},
//	            {"type": "context", "elements": [{"type": "mrkdwn", "text": "record · beats 8 hours · …"}]}],
//	 "unfurl_links": false, "unfurl_media": false}
//
// A digest is one message with a section per alert (at most 45, then
// "…and N more"). With template_text_file the message is {"text": …}
// only, rendered from the template. Every piece of article text is
// escaped (&, <, >), so nothing in it can mention or link.
type slackMessage struct {
	Text        string       `json:"text"`
	Blocks      []slackBlock `json:"blocks,omitempty"`
	UnfurlLinks bool         `json:"unfurl_links"`
	UnfurlMedia bool         `json:"unfurl_media"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackTextO  `json:"text,omitempty"`
	Elements []slackTextO `json:"elements,omitempty"`
}

// slackTextO is a Block Kit text object.
type slackTextO struct {
	Type string `json:"type"` // mrkdwn
	Text string `json:"text"`
}

func slackSection(text string) slackBlock {
	return slackBlock{Type: "section", Text: &slackTextO{Type: "mrkdwn", Text: text}}
}

func slackContext(text string) slackBlock {
	return slackBlock{Type: "context", Elements: []slackTextO{{Type: "mrkdwn", Text: text}}}
}

const testNotice = "This is a test alert from frontierwatch: nothing happened, the channel works."

// slackPayload renders the Slack message of a delivery.
func (n *httpNotifier) slackPayload(alerts []Alert) ([]byte, error) {
	test := anyTest(alerts)
	if n.tpl.text != nil {
		text, err := execute(n.tpl.text, newMessage(n.name, alerts, n.deps, slackText))
		if err != nil {
			return nil, fmt.Errorf("template_text_file: %w", err)
		}
		return marshalJSON(slackMessage{Text: truncate(markTest(strings.TrimSpace(text), test), slackTextMax)})
	}
	msg := slackMessage{}
	if test {
		msg.Blocks = append(msg.Blocks, slackContext("*[TEST]* "+testNotice))
	}
	if len(alerts) == 1 {
		a := alerts[0]
		msg.Text = fit(markTest("frontierwatch: "+headline(a), test), 500, slackEscape)
		msg.Blocks = append(msg.Blocks, slackSection(slackAlertText(a, true)), slackContext(slackDetails(a, n.deps.minSources())))
	} else {
		title := markTest(fmt.Sprintf("frontierwatch: %d new milestones", len(alerts)), test)
		msg.Text = slackEscape(title)
		msg.Blocks = append(msg.Blocks, slackSection("*"+slackEscape(title)+"*"))
		for i, a := range alerts {
			if i == slackDigestItems {
				msg.Blocks = append(msg.Blocks, slackContext(fmt.Sprintf("…and %d more", len(alerts)-i)))
				break
			}
			msg.Blocks = append(msg.Blocks, slackSection(slackAlertText(a, false)))
		}
	}
	if link := safeURL(n.deps.PublicURL); link != "" {
		msg.Blocks = append(msg.Blocks, slackContext("<"+slackURL(link)+"|Open frontierwatch>"))
	}
	return marshalJSON(msg)
}

// slackAlertText is the mrkdwn of one alert: the headline in bold, the
// sentence quoted (when full), and the article linked. Each piece is
// bounded so the whole stays under slackSectionMax.
func slackAlertText(a Alert, full bool) string {
	var b strings.Builder
	b.WriteString("*" + fit(headline(a), 400, slackEscape) + "*")
	if s := oneLine(a.Figure.Sentence); full && s != "" {
		b.WriteString("\n>" + fit(s, 1500, slackEscape))
	}
	if line := slackArticleLine(a); line != "" {
		b.WriteString("\n" + line)
	}
	return b.String()
}

// slackArticleLine links the article: "<url|title> · source".
func slackArticleLine(a Alert) string {
	title := oneLine(a.Article.Title)
	u := slackURL(safeURL(a.Article.URL))
	if len(u) > 600 {
		u = ""
	}
	var line string
	switch {
	case u != "" && title != "":
		line = "<" + u + "|" + fit(title, 300, slackEscape) + ">"
	case u != "":
		line = "<" + u + ">"
	case title != "":
		line = fit(title, 300, slackEscape)
	}
	if src := oneLine(a.Article.Source); src != "" && line != "" {
		line += " · " + fit(src, 100, slackEscape)
	}
	return line
}

// slackDetails is the context line of one alert.
func slackDetails(a Alert, minSources int) string {
	return fit(details(a, minSources), slackSectionMax-100, slackEscape)
}

// details says an alert's kind, record beaten, sources and detection
// time on one line of plain text.
func details(a Alert, minSources int) string {
	parts := []string{kindText(a.Milestone.Kind)}
	if a.Milestone.Beats != nil {
		parts = append(parts, "beats "+quantity(*a.Milestone.Beats, a.Figure.Unit))
	}
	n := a.SourceCount()
	src := fmt.Sprintf("%d site", n)
	if n != 1 {
		src += "s"
	}
	var sites []string
	for _, s := range a.Sources {
		if s.Site != "" {
			sites = append(sites, oneLine(s.Site))
		}
	}
	if len(sites) > 0 {
		src += ": " + strings.Join(sites, ", ")
	}
	if n < minSources {
		src += " (not yet confirmed)"
	}
	parts = append(parts, src)
	if !a.Milestone.DetectedAt.IsZero() {
		parts = append(parts, "detected "+a.Milestone.DetectedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return strings.Join(parts, " · ")
}
