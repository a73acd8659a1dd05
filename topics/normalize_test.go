package topics

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"case and hyphens", "Recursive Self-Improvement", "recursive self improvement"},
		{"dashes and slashes", "self—improvement / self–improvement", "self improvement self improvement"},
		{"diacritics", "Gödel, Zürich, café, naïve, São Paulo", "godel zurich cafe naive sao paulo"},
		{"combining marks", "Go\u0308del cafe\u0301", "godel cafe"},
		{"letters without decomposition", "Straße Øresund Łódź Þór æon œuvre", "strasse oresund lodz thor aeon oeuvre"},
		{"ligatures and full width", "ﬁnal ＡＩ ２０２７", "final ai 2027"},
		{"greek and cyrillic", "Ἀθῆναι ΆΛΦΑ Йод", "αθηναι αλφα иод"},
		{"decimals and thousands", "1.5 hours, 4,000 tasks. 3.", "1.5 hours 4,000 tasks 3"},
		{"percent", "over 80% of code", "over 80 % of code"},
		{"apostrophes", "Anthropic's code, Anthropic’s code", "anthropic s code anthropic s code"},
		{"ampersand", "AI R&D", "ai r d"},
		{"mixed alphanumerics", "4h49m, GPT-5.1, ASL-3", "4h49m gpt 5.1 asl 3"},
		{"markup and symbols", "<b>METR</b> #1 @agent *star*", "b metr b 1 agent star"},
		{"empty", " \t\n–— ", ""},
		{"invalid UTF-8", "a\xffb", "a b"},
		{"CJK stays whole", "自己改善 AI", "自己改善 ai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(tt.want); again != tt.want {
				t.Errorf("Normalize is not idempotent: %q → %q", tt.want, again)
			}
		})
	}
}

func TestParsePhrase(t *testing.T) {
	tests := []struct {
		in      string
		want    []ptoken
		wantErr string
	}{
		{in: "Self-Improvement", want: []ptoken{{"self", kindExact}, {"improvement", kindExact}}},
		{in: "agentic*", want: []ptoken{{"agentic", kindPrefix}}},
		{in: "self-improv*", want: []ptoken{{"self", kindExact}, {"improv", kindPrefix}}},
		{in: "for # hours", want: []ptoken{{"for", kindExact}, {"#", kindNumber}, {"hours", kindExact}}},
		{in: "% of code", want: []ptoken{{"%", kindExact}, {"of", kindExact}, {"code", kindExact}}},
		{in: "C#", want: []ptoken{{"c", kindExact}}},
		{in: "", wantErr: "no words"},
		{in: " -- ", wantErr: "no words"},
		{in: "*", wantErr: "needs a word"},
		{in: "ag*ent", wantErr: "may only end"},
		{in: "agent**", wantErr: "may only end"},
	}
	for _, tt := range tests {
		got, err := parsePhrase(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parsePhrase(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parsePhrase(%q): %v", tt.in, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("parsePhrase(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parsePhrase(%q) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

// TestFoldTableIdempotent checks that every folded letter folds to itself.
func TestFoldTableIdempotent(t *testing.T) {
	if len(foldTable) < 500 {
		t.Fatalf("fold table has %d entries, want the Latin, Greek and Cyrillic letters", len(foldTable))
	}
	for r, f := range foldTable {
		if got := Normalize(f); got != f {
			t.Errorf("%q folds to %q, which normalises to %q", r, f, got)
		}
	}
}
