package figures

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzExtract checks the extractor's invariants on any input: no panic;
// every surface is a substring of its sentence; every sentence is a
// substring of the input after whitespace normalisation (NormalizeSpace);
// values are finite and min <= value <= max where set.
func FuzzExtract(f *testing.F) {
	for _, name := range []string{"labelled.jsonl", filepath.Join("corpus", "sentences.jsonl")} {
		for _, l := range readLines(f, filepath.Join("testdata", name)) {
			f.Add(l.Text)
		}
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "corpus", "when-ai-builds-itself.txt")); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{"", ".", "4h", "4h49m30s", "1h30", "between and", "from 3 to", "~", "-5%",
		"a a a a", "½ hour", "百分之八十", "三分之一的代码", "one- to two-", "9999999999999999999999 hours",
		"1e308 hours", "Q5 2026", "2026-13-45", "May May May 2026", "\xff\xfe", "U.S.\n\nA.", "“”‘’",
		"for over 16 hours over 16 hours", "every every 4 months", "single digits single digits"} {
		f.Add(s)
	}
	e := New(WithMetrics(MetricDef{Name: "widgets", Unit: "count", Cues: []string{"widgets"}}),
		WithSubjects("Acme Agent"))
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeSpace(s)
		for _, sen := range Sentences(s) {
			if !strings.Contains(norm, sen) {
				t.Fatalf("sentence %q not in normalised input %q", sen, norm)
			}
		}
		for _, fg := range e.Extract(s, time.Time{}) {
			if !strings.Contains(fg.Sentence, fg.Surface) || fg.Surface == "" {
				t.Fatalf("surface %q not in sentence %q", fg.Surface, fg.Sentence)
			}
			if !strings.Contains(norm, fg.Sentence) {
				t.Fatalf("sentence %q not in normalised input", fg.Sentence)
			}
			for _, p := range []*float64{fg.Value, fg.Min, fg.Max} {
				if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
					t.Fatalf("value not finite: %+v", fg)
				}
			}
			if fg.Min != nil && fg.Max != nil && *fg.Min > *fg.Max {
				t.Fatalf("min > max: %+v", fg)
			}
			if fg.Value != nil && fg.Min != nil && (*fg.Value < *fg.Min || *fg.Value > *fg.Max) {
				t.Fatalf("value outside [min, max]: %+v", fg)
			}
			if (fg.Value == nil) == (fg.Min == nil) {
				t.Fatalf("a figure has a value or a range, not both or neither: %+v", fg)
			}
		}
	})
}

// FuzzSentences checks the splitter alone: sentences are normalised
// substrings of the input, trimmed, and non-empty.
func FuzzSentences(f *testing.F) {
	for _, s := range []string{"Dr. A. B. Smith went. He left.", "a\nb\n\nc", "“Q?” A.", "1. 2. 3.", "。。！"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeSpace(s)
		for _, sen := range Sentences(s) {
			if sen == "" || sen != strings.TrimSpace(sen) || !strings.Contains(norm, sen) {
				t.Fatalf("bad sentence %q from %q", sen, s)
			}
		}
	})
}
