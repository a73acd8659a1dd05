package topics

import (
	"math"
	"strings"
	"testing"
)

// FuzzMatch feeds arbitrary articles and phrases to the matcher: it must
// not panic, scores must be finite, positive, at least the topic's minimum
// and sorted; normalising must be idempotent; and a phrase made of a text's
// own words must always match that text.
func FuzzMatch(f *testing.F) {
	seeds := []struct {
		title, text, phrase string
		figures             int
	}{
		{"METR: time horizons double every 7 months", "Agents work autonomously for 16 hours.", "for # hours", 1},
		{"Recursive Self-Improvement", "80% of code is written by Claude", "% of code", 0},
		{"Gödel", "Go\u0308del café ﬁnal ＡＩ", "gödel*", 2},
		{"free agent", "a real estate agent", "agent", 5},
		{"", "", "", -1},
		{"1.5, 4,000. 3.", "a1.5 1..2 ,5 %% #", "# %", 3},
		{"\xff\xfe", "\u0301\u0301a\u0301", "*", 0},
		{"ag*nt", "x", "ag*nt agent**", 0},
	}
	for _, s := range seeds {
		f.Add(s.title, s.text, s.phrase, s.figures)
	}
	def := mustMatcher(f, Default())
	f.Fuzz(func(t *testing.T, title, text, phrase string, figures int) {
		if len(title)+len(text) > 1<<16 {
			return
		}
		m := def
		topics := []Topic{Default(), {Name: "fuzz", Include: []Phrase{{phrase, 1.5}}, Exclude: []string{phrase + " never"}}}
		if fm, err := NewMatcher(topics); err == nil {
			m = fm
		} else if !strings.HasPrefix(err.Error(), "topics: ") {
			t.Fatalf("error %q lacks the package prefix", err)
		}
		doc := Doc{Title: title, Text: text, Summary: text, URL: title}
		got := m.Match(doc, figures)
		for i, s := range got {
			if math.IsNaN(s.Score) || math.IsInf(s.Score, 0) || s.Score <= 0 {
				t.Fatalf("topic %s: score %v", s.Topic, s.Score)
			}
			if s.Topic == DefaultName && s.Score < DefaultMinScore {
				t.Fatalf("default topic matched with %v < %v", s.Score, DefaultMinScore)
			}
			if i > 0 && got[i-1].Score < s.Score {
				t.Fatalf("scores not sorted: %v", got)
			}
		}

		n := Normalize(text)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", text, n, again)
		}
		words := strings.Fields(n)
		if len(words) == 0 {
			return
		}
		own := strings.Join(words[len(words)/2:min(len(words), len(words)/2+3)], " ")
		om, err := NewMatcher([]Topic{{Name: "own", Include: []Phrase{{own, 1}}}})
		if err != nil {
			t.Fatalf("phrase %q from the text's own words: %v", own, err)
		}
		if got := om.Match(Doc{Text: text}, 0); len(got) != 1 || !(got[0].Score >= 1) {
			t.Fatalf("phrase %q from the text's own words does not match %q: %v", own, text, got)
		}
	})
}
