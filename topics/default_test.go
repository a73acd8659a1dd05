package topics

import (
	"fmt"
	"time"

	"github.com/frontierwatch/frontierwatch/figures"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestDefaultTopic(t *testing.T) {
	d := Default()
	if d.Name != DefaultName || d.MinScore != DefaultMinScore || !slices.Equal(d.Fields, DefaultFields) {
		t.Errorf("Default() = %q, min %v, fields %v", d.Name, d.MinScore, d.Fields)
	}
	if len(d.Include) < 60 {
		t.Errorf("default topic has %d phrases, want ≥ 60", len(d.Include))
	}
	seen := map[string]bool{}
	for _, p := range d.Include {
		if p.Weight < 0.5 || p.Weight > 3 {
			t.Errorf("phrase %q: weight %v outside [0.5, 3]", p.Text, p.Weight)
		}
		toks, err := parsePhrase(p.Text)
		if err != nil {
			t.Errorf("phrase %q: %v", p.Text, err)
			continue
		}
		var key string
		for _, tk := range toks {
			key += fmt.Sprintf("%d:%s ", tk.kind, tk.text)
		}
		if seen[key] {
			t.Errorf("phrase %q is listed twice", p.Text)
		}
		seen[key] = true
	}
	// Default returns a fresh topic each time.
	d.Include[0].Weight = 99
	d.Exclude[0] = "x"
	if e := Default(); e.Include[0].Weight == 99 || e.Exclude[0] == "x" {
		t.Error("Default() shares its slices between calls")
	}
}

// TestDefaultArticles is the calibration of the default topic: every
// on-topic article in testdata/positive matches without help from figures,
// and no article in testdata/negative matches with the figures the
// extractor really finds in it (the pipeline's bonus).
func TestDefaultArticles(t *testing.T) {
	m := mustMatcher(t, Default())
	pos, neg := loadArticles(t, "positive"), loadArticles(t, "negative")
	if len(pos) < 20 || len(neg) < 20 {
		t.Fatalf("%d positive and %d negative articles, want ≥ 20 each", len(pos), len(neg))
	}
	for _, a := range pos {
		if s := score(t, m, a.doc, 0, DefaultName); s < DefaultMinScore {
			t.Errorf("positive %s: score %v, want a match", a.name, s)
		}
		// A figure raises the score.
		if s0, s1 := score(t, m, a.doc, 0, DefaultName), score(t, m, a.doc, 1, DefaultName); s1 != round3(s0+FigureBonus) {
			t.Errorf("positive %s: score %v with a figure, %v without", a.name, s1, s0)
		}
	}
	ex := figures.New()
	for _, a := range neg {
		n := 0
		for _, f := range ex.Extract(a.doc.Title+"\n"+a.doc.Text, time.Time{}) {
			if !f.Forecast {
				n++
			}
		}
		if got := m.Match(a.doc, n); got != nil {
			t.Errorf("negative %s with its %d figures: matched %v", a.name, n, got)
		}
	}
}

// TestDefaultShortItems checks feed items that carry little more than a
// title.
func TestDefaultShortItems(t *testing.T) {
	m := mustMatcher(t, Default())
	tests := []struct {
		title, text string
		figures     int
		match       bool
	}{
		{"METR: new model completes tasks that take humans over two hours", "", 0, true},
		{"Claude Code wrote 90% of its own code", "", 0, true},
		{"OpenAI aims for an automated AI researcher by 2028", "", 0, true},
		{"Self-improving AI is closer than you think", "", 0, true},
		{"The intelligence explosion, explained", "", 0, true},
		{"Recursive self-improvement: what labs are measuring", "", 0, true},
		{"New coding agent tops SWE-bench Verified", "", 0, true},
		{"AI agents can now work autonomously for 30 hours", "", 0, true},
		{"Anthropic's new model sets a record",
			"The model can work autonomously for 30 hours on coding tasks.", 1, true},
		{"Claude Opus 5 works for 30 hours straight", "", 0, false}, // too little to go on without a figure
		{"Top 10 travel agents for AI-planned holidays", "Autonomous AI agents plan your trip.", 0, false},
		{"Star forward becomes a free agent", "AI agents could negotiate contracts one day, METR says.", 0, false},
		{"Your investment time horizon, explained", "", 1, false},
		{"Self-improvement tips for the new year", "", 1, false},
		{"OpenAI releases a new image model", "", 0, false},
		{"Over 80% of Aurora's code is now written by its models", "", 0, true},
		{"Half of the company's code is written by AI", "", 0, true},
		// Short reports whose substance is a headline figure.
		{"New model tops coding benchmark", "Nova-4 scored 78% on SWE-bench Verified, the highest result reported so far.", 1, true},
		{"Twentyfold: agents accelerate AI research code", "The lab's latest agent achieved a 20x speedup on training code.", 1, true},
		{"52x: the AI research speed-up that has labs talking", "The model achieved a 52x acceleration on the lab's training-code task.", 1, true},
		{"Chip maker reports a 52x speedup in memory tests", "The new DRAM controller is 52 times faster.", 0, false},
	}
	for _, tt := range tests {
		got := m.Match(Doc{Title: tt.title, Text: tt.text}, tt.figures)
		if (got != nil) != tt.match {
			t.Errorf("%q: Match = %v, want match %v", tt.title, got, tt.match)
		}
	}
}

// TestDefaultCorpus runs the default topic on the shared corpus article,
// when the corpus is checked out next to the repository.
func TestDefaultCorpus(t *testing.T) {
	b, err := os.ReadFile("../../shared/corpus/when-ai-builds-itself.txt")
	if os.IsNotExist(err) {
		t.Skip("../../shared/corpus is not checked out")
	}
	if err != nil {
		t.Fatal(err)
	}
	title, text, _ := strings.Cut(string(b), "\n")
	m := mustMatcher(t, Default())
	if s := score(t, m, Doc{Title: title, Text: text}, 0, DefaultName); s < 2*DefaultMinScore {
		t.Errorf("corpus article scores %v, want ≥ %v", s, 2*DefaultMinScore)
	}
}
