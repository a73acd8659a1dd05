package alerts

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/frontierwatch/frontierwatch"
)

// Message is what every template gets: one alert, or a digest of several.
// The first alert's fields are promoted, so a single-alert template can
// say {{.Headline}}; a digest template ranges over .Alerts.
//
// When a template renders for Slack or Discord, every text field is
// already escaped for it (and URLs are only ever http or https); for
// email the text template gets the plain text and html/template escapes
// the HTML part itself.
type Message struct {
	Channel string // the channel's name
	Test    bool   // a test alert: say so
	Digest  bool   // more than one alert
	Count   int    // len(Alerts)
	Key     string // the delivery's idempotency key
	// Link is frontierwatch's web page (Deps.PublicURL), "" when unset.
	Link   string
	Alerts []Item
	Item   // the first alert
}

// Item is one alert as templates see it.
type Item struct {
	ID          string  // the delivery ID
	Kind        string  // record, threshold or first
	KindText    string  // "new record", "threshold crossed", "first figure"
	Metric      string  // e.g. task_horizon
	Subject     string  // e.g. the model, "" when unknown
	Number      float64 // the milestone's value
	Unit        string  // the figure's unit, e.g. hours
	Qualifier   string  // exact, over, about…
	Value       string  // the value for people: "over 12 hours"
	Beats       string  // the record it beats, "8 hours"; "" when none
	Headline    string  // "new record for task_horizon: 12 hours (Claude 4.6 Opus)"
	Sentence    string  // the sentence that states the figure, on one line
	Surface     string  // the figure as written, e.g. "12-hour"
	Benchmark   string  // the figure's benchmark, if any
	AsOf        string  // the figure's as-of date, if any
	Confirmed   bool    // reported by at least alerts.min_sources sites
	SourceCount int     // distinct sites that report it
	DetectedAt  time.Time
	Article     ArticleItem
	Sources     []SourceItem
}

// ArticleItem is the first article that reported an alert.
type ArticleItem struct {
	Title     string
	URL       string // http or https, else ""
	Source    string // the configured source's name
	Site      string
	Published time.Time
}

// SourceItem is one site that reports an alert.
type SourceItem struct {
	Site      string
	URL       string // http or https, else ""
	Title     string
	Published time.Time
}

// escaper turns plain text into text for one target, and a URL into a
// URL safe to put in that target's link syntax.
type escaper struct {
	text func(string) string
	url  func(string) string
}

// plain leaves text as it is (email text part, html/template input).
var plain = escaper{text: func(s string) string { return s }, url: func(s string) string { return s }}

// newMessage builds the template data of alerts for channel.
func newMessage(channel string, alerts []Alert, deps Deps, esc escaper) *Message {
	m := &Message{
		Channel: channel, Test: anyTest(alerts), Digest: len(alerts) > 1, Count: len(alerts),
		Key: deliveryKey(alerts), Link: esc.url(safeURL(deps.PublicURL)),
	}
	for _, a := range alerts {
		m.Alerts = append(m.Alerts, newItem(a, deps.minSources(), esc))
	}
	if len(m.Alerts) > 0 {
		m.Item = m.Alerts[0]
	}
	return m
}

func newItem(a Alert, minSources int, esc escaper) Item {
	t := func(s string) string { return esc.text(oneLine(s)) }
	ms, fig := a.Milestone, a.Figure
	unit := fig.Unit
	subject := ms.Subject
	if subject == "" {
		subject = fig.Subject
	}
	it := Item{
		ID:          t(a.ID()),
		Kind:        t(string(ms.Kind)),
		KindText:    t(kindText(ms.Kind)),
		Metric:      t(ms.Metric),
		Subject:     t(subject),
		Number:      ms.Value,
		Unit:        t(unit),
		Qualifier:   t(string(fig.Qualifier)),
		Value:       t(valueText(ms.Value, fig)),
		Headline:    t(headline(a)),
		Sentence:    t(fig.Sentence),
		Surface:     t(fig.Surface),
		Benchmark:   t(fig.Benchmark),
		AsOf:        t(fig.AsOf),
		SourceCount: a.SourceCount(),
		DetectedAt:  ms.DetectedAt.UTC(),
		Article: ArticleItem{
			Title: t(a.Article.Title), URL: esc.url(safeURL(a.Article.URL)), Source: t(a.Article.Source),
			Site: t(a.Article.Site), Published: a.Article.Published.UTC(),
		},
	}
	it.Confirmed = it.SourceCount >= minSources
	if ms.Beats != nil {
		it.Beats = t(quantity(*ms.Beats, unit))
	}
	for _, s := range a.Sources {
		it.Sources = append(it.Sources, SourceItem{
			Site: t(s.Site), URL: esc.url(safeURL(s.URL)), Title: t(s.Title), Published: s.Published.UTC(),
		})
	}
	return it
}

// kindText says a milestone kind in words.
func kindText(k frontierwatch.MilestoneKind) string {
	switch k {
	case frontierwatch.MilestoneRecord:
		return "new record"
	case frontierwatch.MilestoneThreshold:
		return "threshold crossed"
	case frontierwatch.MilestoneFirst:
		return "first figure"
	case "":
		return "milestone"
	}
	return string(k)
}

// headline is the one-line summary of an alert: "new record for
// task_horizon: 12 hours (Claude 4.6 Opus)".
func headline(a Alert) string {
	var b strings.Builder
	b.WriteString(kindText(a.Milestone.Kind))
	if a.Milestone.Metric != "" {
		b.WriteString(" for " + a.Milestone.Metric)
	}
	b.WriteString(": " + valueText(a.Milestone.Value, a.Figure))
	subject := a.Milestone.Subject
	if subject == "" {
		subject = a.Figure.Subject
	}
	if subject = strings.TrimSpace(subject); subject != "" {
		b.WriteString(" (" + subject + ")")
	}
	return oneLine(b.String())
}

// qualifierWords prefix a value.
var qualifierWords = map[frontierwatch.Qualifier]string{
	frontierwatch.Over: "over ", frontierwatch.Under: "under ", frontierwatch.UpTo: "up to ",
	frontierwatch.AtLeast: "at least ", frontierwatch.About: "about ",
}

// valueText says a milestone's value with its figure's qualifier and
// unit: "over 12 hours", "2–4 months", "90%".
func valueText(v float64, fig frontierwatch.Figure) string {
	if fig.Qualifier == frontierwatch.Range && fig.Min != nil && fig.Max != nil {
		return number(*fig.Min) + "–" + quantity(*fig.Max, fig.Unit)
	}
	return qualifierWords[fig.Qualifier] + quantity(v, fig.Unit)
}

// quantity says a number with its unit: "12 hours", "1 hour", "90%",
// "3.5x".
func quantity(v float64, unit string) string {
	n := number(v)
	switch u := strings.TrimSpace(unit); strings.ToLower(u) {
	case "":
		return n
	case "percent", "%":
		return n + "%"
	case "x", "×", "times":
		return n + "x"
	default:
		if v == 1 && len(u) > 1 && strings.HasSuffix(u, "s") {
			u = strings.TrimSuffix(u, "s")
		}
		return n + " " + u
	}
}

// number formats v with at most three decimals and no trailing zeros.
func number(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if math.Abs(v) < 1e15 {
		v = math.Round(v*1000) / 1000
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// oneLine replaces control characters and runs of white space with one
// space, and trims.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// safeURL returns raw when it is an absolute http or https URL with a
// host and no white space or control characters, else "".
func safeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// hostOf returns the host of an absolute URL, "" when there is none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
