package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// Discord's limits.
const (
	discordContentMax     = 2000
	discordTitleMax       = 256
	discordDescriptionMax = 4096
	discordFieldNameMax   = 256
	discordFieldValueMax  = 1024
	discordFieldsMax      = 25
	discordFooterMax      = 2048
	discordEmbedTotalMax  = 6000
)

// discordMessage is a Discord webhook message.
//
// A Discord channel posts to an incoming webhook
// (https://discord.com/developers/docs/resources/webhook#execute-webhook):
//
//	{"content": "frontierwatch: new record for task\_horizon: 12 hours (…)",
//	 "embeds": [{"title": "<article title>", "url": "<article URL>",
//	             "description": "> <sentence>", "color": …,
//	             "fields": [{"name": "Value", …}, {"name": "Beats", …}, {"name": "Reported", …}],
//	             "footer": {"text": "frontierwatch · <source>"}, "timestamp": "<detected at>"}],
//	 "allowed_mentions": {"parse": []}}
//
// A digest is one message whose embed has a field per alert, within
// Discord's limits (25 fields, 6000 characters), then "…and N more". With
// template_text_file the message is {"content": …} only, rendered from
// the template. Text is escaped for Discord's markdown (no formatting, no
// [masked](links), no <@mentions>), @ is followed by a zero-width space,
// and allowed_mentions is empty: nothing can ping. Every text is cut to
// Discord's limits with ….
type discordMessage struct {
	Content         string          `json:"content,omitempty"`
	Embeds          []discordEmbed  `json:"embeds,omitempty"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
}

// discordMentions with an empty Parse allows no mention at all.
type discordMentions struct {
	Parse []string `json:"parse"`
}

type discordEmbed struct {
	Title       string         `json:"title,omitempty"`
	URL         string         `json:"url,omitempty"`
	Description string         `json:"description,omitempty"`
	Color       int            `json:"color,omitempty"`
	Fields      []discordField `json:"fields,omitempty"`
	Footer      *discordFooter `json:"footer,omitempty"`
	Timestamp   string         `json:"timestamp,omitempty"`
}

type discordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

type discordFooter struct {
	Text string `json:"text"`
}

// size counts the characters Discord adds up against discordEmbedTotalMax.
func (e *discordEmbed) size() int {
	n := textLen(e.Title) + textLen(e.Description)
	for _, f := range e.Fields {
		n += textLen(f.Name) + textLen(f.Value)
	}
	if e.Footer != nil {
		n += textLen(e.Footer.Text)
	}
	return n
}

// discordColors tell the kinds apart.
var discordColors = map[frontierwatch.MilestoneKind]int{
	frontierwatch.MilestoneRecord:    0x2ecc71,
	frontierwatch.MilestoneThreshold: 0xe67e22,
	frontierwatch.MilestoneFirst:     0x3498db,
}

const discordTestColor = 0x95a5a6

// discordPayload renders the Discord message of a delivery.
func (n *httpNotifier) discordPayload(alerts []Alert) ([]byte, error) {
	test := anyTest(alerts)
	msg := discordMessage{AllowedMentions: discordMentions{Parse: []string{}}}
	if n.tpl.text != nil {
		text, err := execute(n.tpl.text, newMessage(n.name, alerts, n.deps, discordText))
		if err != nil {
			return nil, fmt.Errorf("template_text_file: %w", err)
		}
		msg.Content = truncate(markTest(strings.TrimSpace(text), test), discordContentMax)
		if msg.Content == "" {
			msg.Content = "frontierwatch" // Discord refuses an empty message
		}
		return marshalJSON(msg)
	}
	if len(alerts) == 1 {
		msg.Content = fit(markTest("frontierwatch: "+headline(alerts[0]), test), discordContentMax, discordEscape)
		msg.Embeds = []discordEmbed{n.discordEmbed(alerts[0], test)}
	} else {
		title := markTest(fmt.Sprintf("frontierwatch: %d new milestones", len(alerts)), test)
		msg.Content = fit(title, discordContentMax, discordEscape)
		msg.Embeds = []discordEmbed{n.discordDigest(alerts, title, test)}
	}
	return marshalJSON(msg)
}

// discordEmbed is the embed of one alert. Its parts are bounded so that
// the whole stays within discordEmbedTotalMax: title 256, description
// about 3700, fields 1400, footer 200.
func (n *httpNotifier) discordEmbed(a Alert, test bool) discordEmbed {
	title := oneLine(a.Article.Title)
	if title == "" {
		title = headline(a)
	}
	e := discordEmbed{
		Title: fit(title, discordTitleMax, discordEscape),
		URL:   safeURL(a.Article.URL),
		Color: discordColors[a.Milestone.Kind],
	}
	var desc strings.Builder
	if test {
		desc.WriteString("**" + discordEscape("[TEST]") + "** " + discordEscape(testNotice) + "\n\n")
	}
	if s := oneLine(a.Figure.Sentence); s != "" {
		desc.WriteString("> " + fit(s, 3000, discordEscape))
	}
	if link := safeURL(n.deps.PublicURL); link != "" && len(link) < 500 {
		desc.WriteString("\n\n[Open frontierwatch](" + discordURL(link) + ")")
	}
	e.Description = desc.String()
	if test {
		e.Color = discordTestColor
	}
	e.Fields = append(e.Fields, discordField{Name: "Value", Value: fit(valueText(a.Milestone.Value, a.Figure), 200, discordEscape), Inline: true})
	if a.Milestone.Beats != nil {
		e.Fields = append(e.Fields, discordField{Name: "Beats", Value: fit(quantity(*a.Milestone.Beats, a.Figure.Unit), 200, discordEscape), Inline: true})
	}
	e.Fields = append(e.Fields, discordField{Name: "Reported", Value: fit(details(a, n.deps.minSources()), 1000, discordEscape)})
	footer := "frontierwatch"
	if src := oneLine(a.Article.Source); src != "" {
		footer += " · " + src
	}
	e.Footer = &discordFooter{Text: fit(footer, 200, discordEscape)}
	if !a.Milestone.DetectedAt.IsZero() {
		e.Timestamp = a.Milestone.DetectedAt.UTC().Format(time.RFC3339)
	}
	return e
}

// discordDigest is the one embed of a digest: a field per alert while
// Discord's limits allow, then "…and N more" in the footer.
func (n *httpNotifier) discordDigest(alerts []Alert, title string, test bool) discordEmbed {
	e := discordEmbed{Title: fit(title, discordTitleMax, discordEscape), Color: 0x2ecc71}
	if test {
		e.Color = discordTestColor
		e.Description = "**" + discordEscape("[TEST]") + "** " + discordEscape(testNotice)
	}
	if link := safeURL(n.deps.PublicURL); link != "" && len(link) < 500 {
		e.Description = strings.TrimSpace(e.Description + "\n\n[Open frontierwatch](" + discordURL(link) + ")")
	}
	const footerReserve = 100 // room for the "…and N more" footer
	shown := 0
	for _, a := range alerts {
		f := discordField{
			Name:  fit(headline(a), discordFieldNameMax, discordEscape),
			Value: discordArticleLine(a),
		}
		if len(e.Fields) == discordFieldsMax || e.size()+textLen(f.Name)+textLen(f.Value)+footerReserve > discordEmbedTotalMax {
			break
		}
		e.Fields = append(e.Fields, f)
		shown++
	}
	footer := "frontierwatch"
	if rest := len(alerts) - shown; rest > 0 {
		footer = fmt.Sprintf("…and %d more · frontierwatch", rest)
	}
	e.Footer = &discordFooter{Text: footer}
	return e
}

// discordArticleLine links an alert's article: "[title](url) · source",
// within a field value's limit.
func discordArticleLine(a Alert) string {
	title := oneLine(a.Article.Title)
	u := discordURL(safeURL(a.Article.URL))
	if len(u) > 500 {
		u = ""
	}
	var line string
	switch {
	case u != "" && title != "":
		line = "[" + fit(title, 300, discordEscape) + "](" + u + ")"
	case u != "":
		line = u
	case title != "":
		line = fit(title, 300, discordEscape)
	}
	if src := oneLine(a.Article.Source); src != "" {
		line = strings.TrimPrefix(line+" · "+fit(src, 100, discordEscape), " · ")
	}
	if line == "" {
		line = fit(valueText(a.Milestone.Value, a.Figure), 200, discordEscape)
	}
	return line
}
