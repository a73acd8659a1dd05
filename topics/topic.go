// Package topics decides which articles are about what the user watches.
// A topic is a list of weighted phrases, phrases that rule an article out,
// the fields it reads and a minimum score; a Matcher compiles every phrase
// of every topic once and scores an article against all topics in one pass
// over its words. The default topic covers AI self-improvement and
// autonomy.
//
// Phrases match whole words, case-insensitively, with diacritics folded
// and hyphens equal to spaces ("Self-Improvement" matches "self
// improvement"). A word ending in "*" matches the words it starts
// ("agentic*" matches "agentic" and "agentically"), and the word "#"
// matches any number ("autonomously for # hours" matches "autonomously for
// 16 hours" and "autonomously for seven hours").
package topics

import (
	"github.com/frontierwatch/frontierwatch/config"
)

// Fields a topic can read.
const (
	FieldTitle   = "title"
	FieldSummary = "summary"
	FieldText    = "text"
	FieldURL     = "url"
)

// DefaultFields are the fields a topic reads when it names none.
var DefaultFields = []string{FieldTitle, FieldText}

// Scoring constants.
const (
	// TitleFactor multiplies the weight of a phrase found in the title.
	TitleFactor = 2.0
	// FigureBonus is added to a matching topic's score for each headline
	// figure the article carries, up to MaxFigures figures.
	FigureBonus = 3.0
	// MaxFigures caps the figures that earn a bonus.
	MaxFigures = 3
)

// Phrase is a phrase to look for and how much each match counts.
type Phrase struct {
	Text   string
	Weight float64
}

// Topic is a watched subject.
type Topic struct {
	// Name identifies the topic in scores.
	Name string
	// Include are the phrases that make an article relevant.
	Include []Phrase
	// Exclude are phrases that rule an article out: a topic scores 0 on an
	// article that carries any of them in the fields it reads.
	Exclude []string
	// Fields are the parts of an article the topic reads: title, summary,
	// text or url. Empty means DefaultFields.
	Fields []string
	// MinScore is the score an article needs to match the topic.
	MinScore float64
}

// FromConfig turns the configured topics into topics; an empty list means
// the default topic alone. A phrase without a weight counts 1.
func FromConfig(ts []config.Topic) []Topic {
	if len(ts) == 0 {
		return []Topic{Default()}
	}
	out := make([]Topic, 0, len(ts))
	for _, c := range ts {
		t := Topic{
			Name:     c.Name,
			Include:  make([]Phrase, 0, len(c.Include)),
			Exclude:  append([]string(nil), c.Exclude...),
			Fields:   append([]string(nil), c.Fields...),
			MinScore: c.MinScore,
		}
		for _, p := range c.Include {
			w := p.Weight
			if w == 0 {
				w = 1
			}
			t.Include = append(t.Include, Phrase{Text: p.Phrase, Weight: w})
		}
		if len(t.Fields) == 0 {
			t.Fields = append([]string(nil), DefaultFields...)
		}
		out = append(out, t)
	}
	return out
}
