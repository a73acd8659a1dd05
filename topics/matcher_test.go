package topics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/frontierwatch/frontierwatch"
)

// score returns the score of topic name in m.Match(d, figures), or 0 when
// the topic does not match.
func score(t *testing.T, m *Matcher, d Doc, figures int, name string) float64 {
	t.Helper()
	for _, s := range m.Match(d, figures) {
		if s.Topic == name {
			return s.Score
		}
	}
	return 0
}

func mustMatcher(t testing.TB, ts ...Topic) *Matcher {
	t.Helper()
	m, err := NewMatcher(ts)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	return m
}

func ln(x float64) float64 { return math.Log(x) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// TestScoring checks weights, repetitions, fields, the title factor, the
// minimum score, excludes and the figure bonus on one-topic matchers.
func TestScoring(t *testing.T) {
	topic := func(mod func(*Topic)) Topic {
		tp := Topic{Name: "t", Include: []Phrase{{"time horizon", 2}}}
		if mod != nil {
			mod(&tp)
		}
		return tp
	}
	tests := []struct {
		name    string
		topic   Topic
		doc     Doc
		figures int
		want    float64 // 0: no match
	}{
		{"one hit in the text", topic(nil), Doc{Text: "The time horizon grew."}, 0, 2},
		{"repeats count with diminishing returns", topic(nil),
			Doc{Text: "time horizon, time horizon and time horizon"}, 0, 2 * (1 + ln(3))},
		{"title hits count double", topic(nil), Doc{Title: "Time horizons? No: time horizon"}, 0, 4},
		{"title and text add up", topic(nil), Doc{Title: "time horizon", Text: "time horizon"}, 0, 6},
		{"no hit, no match", topic(nil), Doc{Title: "Horizon time", Text: "timehorizon"}, 0, 0},
		{"summary is not read by default", topic(nil), Doc{Summary: "time horizon"}, 0, 0},
		{"url is not read by default", topic(nil), Doc{URL: "https://x.example/time-horizon"}, 0, 0},
		{"fields: summary", topic(func(t *Topic) { t.Fields = []string{"summary"} }),
			Doc{Title: "time horizon", Summary: "time horizon"}, 0, 2},
		{"fields: url", topic(func(t *Topic) { t.Fields = []string{"url"} }),
			Doc{Text: "time horizon", URL: "https://metr.example/blog/time-horizon-of-agents"}, 0, 2},
		{"fields: title only", topic(func(t *Topic) { t.Fields = []string{"Title"} }),
			Doc{Title: "time horizon", Text: "time horizon"}, 0, 4},
		{"weights sum over phrases", topic(func(t *Topic) { t.Include = append(t.Include, Phrase{"metr", 3}) }),
			Doc{Text: "METR measured the time horizon"}, 0, 5},
		{"overlapping phrases both count", topic(func(t *Topic) { t.Include = append(t.Include, Phrase{"horizon", 0.5}) }),
			Doc{Text: "time horizon"}, 0, 2.5},
		{"below min score", topic(func(t *Topic) { t.MinScore = 2.5 }), Doc{Text: "time horizon"}, 0, 0},
		{"at min score", topic(func(t *Topic) { t.MinScore = 2 }), Doc{Text: "time horizon"}, 0, 2},
		{"min score is compared after rounding", topic(func(t *Topic) { t.MinScore = round3(2 * (1 + ln(2))) }),
			Doc{Text: "time horizon time horizon"}, 0, 2 * (1 + ln(2))},
		{"exclude rules the topic out", topic(func(t *Topic) { t.Exclude = []string{"investment"} }),
			Doc{Title: "time horizon", Text: "your investment time horizon"}, 0, 0},
		{"exclude in an unread field does nothing", topic(func(t *Topic) { t.Exclude = []string{"investment"} }),
			Doc{Text: "time horizon", Summary: "investment"}, 0, 2},
		{"exclude wins over figures", topic(func(t *Topic) { t.Exclude = []string{"investment"} }),
			Doc{Text: "time horizon investment"}, 3, 0},
		{"one figure adds its bonus", topic(nil), Doc{Text: "time horizon"}, 1, 2 + FigureBonus},
		{"figures are capped", topic(nil), Doc{Text: "time horizon"}, 10, 2 + MaxFigures*FigureBonus},
		{"negative figures count none", topic(nil), Doc{Text: "time horizon"}, -4, 2},
		{"figures alone do not match", topic(nil), Doc{Text: "nothing relevant"}, 3, 0},
		{"figures lift an article over min score", topic(func(t *Topic) { t.MinScore = 3 }),
			Doc{Text: "time horizon"}, 1, 2 + FigureBonus},
		{"min score 0 still needs a hit", topic(func(t *Topic) { t.MinScore = 0 }), Doc{Text: "other"}, 0, 0},
		{"whole words only", topic(func(t *Topic) { t.Include = []Phrase{{"agent", 1}} }),
			Doc{Text: "agents agentic reagent agent-based"}, 0, 1},
		{"prefix phrase", topic(func(t *Topic) { t.Include = []Phrase{{"agentic*", 1}} }),
			Doc{Text: "agent agentic agentically"}, 0, 1 + ln(2)},
		{"prefix in the middle of a phrase", topic(func(t *Topic) { t.Include = []Phrase{{"self-improv* ai", 1}} }),
			Doc{Text: "self-improving AI and self improvement AI but not self improving agents"}, 0, 1 + ln(2)},
		{"number wildcard", topic(func(t *Topic) { t.Include = []Phrase{{"for # hours", 1}} }),
			Doc{Text: "for 16 hours, for 1.5 hours, for seven hours, for many hours, for the hours"}, 0, 1 + ln(4)},
		{"number wildcard first", topic(func(t *Topic) { t.Include = []Phrase{{"# hour task*", 1}} }),
			Doc{Text: "a 12-hour task, twelve-hour tasks, hour tasks"}, 0, 1 + ln(2)},
		{"hyphen and space are equal", topic(func(t *Topic) { t.Include = []Phrase{{"self improvement", 1}} }),
			Doc{Text: "Self-Improvement"}, 0, 1},
		{"diacritics fold both ways", topic(func(t *Topic) { t.Include = []Phrase{{"Gödel machine", 1}, {"cafe", 1}} }),
			Doc{Text: "the Godel Machine in a café"}, 0, 2},
		{"a phrase does not cross fields", topic(nil), Doc{Title: "time", Text: "horizon"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMatcher(t, tt.topic)
			got := score(t, m, tt.doc, tt.figures, "t")
			if want := round3(tt.want); got != want {
				t.Errorf("score = %v, want %v", got, want)
			}
		})
	}
}

func TestMatchSeveralTopics(t *testing.T) {
	m := mustMatcher(t,
		Topic{Name: "b-agents", Include: []Phrase{{"ai agent*", 2}, {"metr", 1}}},
		Topic{Name: "a-agents", Include: []Phrase{{"ai agents", 2}}},
		Topic{Name: "horizon", Include: []Phrase{{"time horizon", 1}, {"metr", 3}}, Exclude: []string{"pension"}},
		Topic{Name: "robots", Include: []Phrase{{"robot*", 1}}},
		Topic{Name: "summaries", Include: []Phrase{{"metr", 1}}, Fields: []string{"summary"}},
	)
	got := m.Match(Doc{
		Title:   "METR: AI agents double their time horizon",
		Text:    "AI agents keep improving, METR says.",
		Summary: "METR",
	}, 0)
	want := []frontierwatch.TopicScore{
		{Topic: "horizon", Score: 3*2 + 1*2 + 3},      // metr and time horizon in the title, metr in the text
		{Topic: "b-agents", Score: 2*2 + 2 + 1*2 + 1}, // ai agent* and metr, title and text
		{Topic: "a-agents", Score: 2*2 + 2},
		{Topic: "summaries", Score: 1}, // reads the summary only
	}
	if !slices.Equal(got, want) {
		t.Errorf("Match = %v\nwant    %v", got, want)
	}

	// An exclude rules out its own topic only.
	got = m.Match(Doc{Text: "METR and AI agents, not pension time horizons"}, 0)
	if slices.ContainsFunc(got, func(s frontierwatch.TopicScore) bool { return s.Topic == "horizon" }) {
		t.Errorf("excluded topic matched: %v", got)
	}
	if !slices.ContainsFunc(got, func(s frontierwatch.TopicScore) bool { return s.Topic == "b-agents" }) {
		t.Errorf("other topics must still match: %v", got)
	}
	if names := m.Topics(); !slices.Equal(names, []string{"b-agents", "a-agents", "horizon", "robots", "summaries"}) {
		t.Errorf("Topics() = %v", names)
	}
}

func TestMatchTies(t *testing.T) {
	m := mustMatcher(t,
		Topic{Name: "zeta", Include: []Phrase{{"metr", 1}}},
		Topic{Name: "alpha", Include: []Phrase{{"metr", 1}}},
	)
	got := m.Match(Doc{Text: "METR"}, 0)
	want := []frontierwatch.TopicScore{{Topic: "alpha", Score: 1}, {Topic: "zeta", Score: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

func TestNewMatcherErrors(t *testing.T) {
	ok := Phrase{"metr", 1}
	tests := []struct {
		name  string
		topic Topic
		want  string
	}{
		{"no name", Topic{Include: []Phrase{ok}}, "needs a name"},
		{"no include", Topic{Name: "t"}, "at least one include"},
		{"empty phrase", Topic{Name: "t", Include: []Phrase{{"  ", 1}}}, "no words"},
		{"zero weight", Topic{Name: "t", Include: []Phrase{{"metr", 0}}}, "weight 0"},
		{"negative weight", Topic{Name: "t", Include: []Phrase{{"metr", -1}}}, "weight -1"},
		{"NaN weight", Topic{Name: "t", Include: []Phrase{{"metr", math.NaN()}}}, "weight NaN"},
		{"infinite weight", Topic{Name: "t", Include: []Phrase{{"metr", math.Inf(1)}}}, "weight +Inf"},
		{"misplaced star", Topic{Name: "t", Include: []Phrase{{"ag*nt", 1}}}, "may only end"},
		{"bad exclude", Topic{Name: "t", Include: []Phrase{ok}, Exclude: []string{"--"}}, "no words"},
		{"unknown field", Topic{Name: "t", Include: []Phrase{ok}, Fields: []string{"body"}}, `unknown field "body"`},
		{"negative min score", Topic{Name: "t", Include: []Phrase{ok}, MinScore: -1}, "min score -1"},
		{"NaN min score", Topic{Name: "t", Include: []Phrase{ok}, MinScore: math.NaN()}, "min score NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMatcher([]Topic{tt.topic})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "topics: ") {
				t.Errorf("NewMatcher error = %v, want one containing %q", err, tt.want)
			}
		})
	}

	_, err := NewMatcher([]Topic{{Name: "t", Include: []Phrase{ok}}, {Name: "t", Include: []Phrase{ok}}})
	if err == nil || !strings.Contains(err.Error(), "used by another topic") {
		t.Errorf("duplicate names: error = %v", err)
	}
	// All problems are reported at once.
	_, err = NewMatcher([]Topic{{Name: "a", Include: []Phrase{{"x", 0}}}, {Name: "b", Fields: []string{"body"}}})
	for _, want := range []string{`topic "a"`, `topic "b"`, "weight 0", "unknown field", "at least one include"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
	// No topics is valid and matches nothing.
	m, err := NewMatcher(nil)
	if err != nil {
		t.Fatalf("NewMatcher(nil): %v", err)
	}
	if got := m.Match(Doc{Text: "METR recursive self-improvement"}, 3); got != nil {
		t.Errorf("Match with no topics = %v", got)
	}
}

// TestMatchConcurrent runs Match from several goroutines (run it with
// -race) and checks that they agree with a serial run.
func TestMatchConcurrent(t *testing.T) {
	m := mustMatcher(t, append(FromConfig(nil), Topic{Name: "code", Include: []Phrase{{"code", 1}}})...)
	docs := append(loadArticles(t, "positive"), loadArticles(t, "negative")...)
	want := make([]string, len(docs))
	for i, a := range docs {
		want[i] = fmt.Sprint(m.Match(a.doc, i%4))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(docs))
	for g := range 8 {
		wg.Go(func() {
			for k := range docs {
				i := (k + g*5) % len(docs)
				if got := fmt.Sprint(m.Match(docs[i].doc, i%4)); got != want[i] {
					errs <- fmt.Sprintf("%s: got %s, want %s", docs[i].name, got, want[i])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMatchHugeToken checks that one long token and a long text neither
// break matching nor stay pinned in the pool.
func TestMatchHugeToken(t *testing.T) {
	m := mustMatcher(t, Default())
	text := strings.Repeat("a", 3<<20) + " METR recursive self-improvement"
	if got := score(t, m, Doc{Text: text}, 0, DefaultName); got < DefaultMinScore {
		t.Errorf("score = %v, want ≥ %v", got, DefaultMinScore)
	}
	if got := m.Match(Doc{Text: "unrelated"}, 0); got != nil {
		t.Errorf("Match after a huge text = %v", got)
	}
}

func TestAnyWordWildcard(t *testing.T) {
	m, err := NewMatcher([]Topic{{Name: "w", Include: []Phrase{{Text: "% of ? code", Weight: 1}}, MinScore: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"80% of Anthropic's code":    false, // "anthropic s" is two words here
		"80% of the code":            true,
		"80% of our code":            true,
		"80% of code":                false, // ? is exactly one word
		"80% of the merged new code": false,
	} {
		if got := m.Match(Doc{Text: text}, 0) != nil; got != want {
			t.Errorf("%q: match %v, want %v", text, got, want)
		}
	}
	if _, err := NewMatcher([]Topic{{Name: "w", Include: []Phrase{{Text: "? code", Weight: 1}}}}); err == nil {
		t.Error("a phrase starting with ? must be refused")
	}
}
