package figures

import (
	"fmt"
	"math"
	"testing"
)

func TestParseDigits(t *testing.T) {
	tests := []struct {
		raw  string
		euro bool
		want float64
		ok   bool
	}{
		{"24", false, 24, true},
		{"4.5", false, 4.5, true},
		{"1,000", false, 1000, true},
		{"59,000", false, 59000, true},
		{"1,000,000", false, 1e6, true},
		{"1,234.5", false, 1234.5, true},
		{"0.33", false, 0.33, true},
		{"74,9", false, 74.9, true},
		{"74,9", true, 74.9, true},
		{"1.000", true, 1000, true},
		{"1.234,5", true, 1234.5, true},
		{"1,5", true, 1.5, true},
		{"3.7.1", false, 0, false},
		{"1,23,4", false, 0, false},
		{"２４", false, 24, true},
	}
	for _, tt := range tests {
		got, ok := parseDigits(tt.raw, tt.euro)
		if ok != tt.ok || ok && math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("parseDigits(%q, %v) = %v, %v; want %v, %v", tt.raw, tt.euro, got, ok, tt.want, tt.ok)
		}
	}
}

// quantities returns the quantities read from a sentence as short strings:
// "dur 2.2833 exact", "pct 1-9 range".
func quantities(s string) []string {
	e := New()
	a := &sent{}
	a.reset(e, s)
	a.findEntities()
	a.findDates()
	a.premask()
	a.findQuantities()
	var out []string
	names := map[qkind]string{qDur: "dur", qPct: "pct", qMult: "x", qBare: "bare"}
	for _, q := range a.quants {
		if q.kind == qBare && math.IsNaN(q.v) && !q.rng {
			continue
		}
		v := fmt.Sprintf("%.4g", q.v)
		if q.rng {
			v = fmt.Sprintf("%.4g-%.4g", q.lo, q.hi)
		}
		out = append(out, fmt.Sprintf("%s %s %s", names[q.kind], v, q.qual))
	}
	return out
}

func TestQuantities(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// digits, separators, symbols
		{"it ran for 24 hours", []string{"dur 24 exact"}},
		{"about 1 000 hours of work", []string{"dur 1000 about"}},
		{"it logged 800+ hours", []string{"dur 800 over"}},
		{"~60 minutes", []string{"dur 1 about"}},
		{">50% of code", []string{"pct 50 over"}},
		{"90%+ of code", []string{"pct 90 over"}},
		{"≈ 3 hours", []string{"dur 3 about"}},
		{"1.5 hours", []string{"dur 1.5 exact"}},
		{"2 billion hours", []string{"dur 2e+09 exact"}},
		// words
		{"eight hours", []string{"dur 8 exact"}},
		{"twenty-five minutes", []string{"dur 0.4167 exact"}},
		{"a dozen hours", []string{"dur 12 exact"}},
		{"a couple of hours", []string{"dur 2 about"}},
		{"one and a half days", []string{"dur 36 exact"}},
		{"half an hour", []string{"dur 0.5 exact"}},
		{"an hour and a half", []string{"dur 1.5 exact"}},
		{"half of all code", []string{"pct 50 exact"}},
		{"one-third of the code", []string{"pct 33.33 exact"}},
		{"a third of the code", []string{"pct 33.33 exact"}},
		{"three-quarters of all code", []string{"pct 75 exact"}},
		{"two thirds of the code", []string{"pct 66.67 exact"}},
		{"single digits", []string{"bare 1-9 range"}},
		{"single-digit percentages", []string{"pct 1-9 range"}},
		{"low double digits", []string{"bare 10-30 range"}},
		{"four in five", []string{"pct 80 exact"}},
		{"3 out of 20 tasks", []string{"pct 15 exact"}},
		{"12 of 20 tasks", []string{"pct 60 exact"}},
		// qualifiers
		{"over 16 hours", []string{"dur 16 over"}},
		{"more than 24 hours", []string{"dur 24 over"}},
		{"upwards of 5 hours", []string{"dur 5 over"}},
		{"north of 40%", []string{"pct 40 over"}},
		{"under 10%", []string{"pct 10 under"}},
		{"fewer than 5%", []string{"pct 5 under"}},
		{"up to 12 hours", []string{"dur 12 up_to"}},
		{"as many as 3 hours", []string{"dur 3 up_to"}},
		{"as much as 30%", []string{"pct 30 up_to"}},
		{"at least 65%", []string{"pct 65 at_least"}},
		{"no less than 65%", []string{"pct 65 at_least"}},
		{"a minimum of 2 hours", []string{"dur 2 at_least"}},
		{"roughly 4 hours", []string{"dur 4 about"}},
		{"nearly half of code", []string{"pct 50 about"}},
		{"almost 4 hours", []string{"dur 4 about"}},
		{"close to 17%", []string{"pct 17 about"}},
		{"some 80 per cent", []string{"pct 80 about"}},
		{"circa 5 hours", []string{"dur 5 about"}},
		{"just over 4 months", []string{"dur 2922 over"}},
		{"24 hours or more", []string{"dur 24 at_least"}},
		// ranges
		{"4 to 8 hours", []string{"dur 4-8 range"}},
		{"4-8 hours", []string{"dur 4-8 range"}},
		{"3–4 months", []string{"dur 2192-2922 range"}},
		{"between 60% and 70%", []string{"pct 60-70 range"}},
		{"between 1 and 2 hours", []string{"dur 1-2 range"}},
		{"from 20% to 30%", []string{"pct 20-30 range"}},
		{"rose from 20% to 30%", []string{"pct 20 exact", "pct 30 exact"}},
		{"roughly 70 percent to 90 percent", []string{"pct 70-90 range"}},
		{"between 0.8 per cent and 2.1 per cent", []string{"pct 0.8-2.1 range"}},
		{"4x to 5x", []string{"x 4-5 range"}},
		{"one- to two-orders-of-magnitude", []string{"x 10-100 range"}},
		// durations
		{"2 hours 17 minutes", []string{"dur 2.283 exact"}},
		{"3 hours and 6 minutes", []string{"dur 3.1 exact"}},
		{"4h49m", []string{"dur 4.817 exact"}},
		{"1h 30m", []string{"dur 1.5 exact"}},
		{"12-hour tasks", []string{"dur 12 exact"}},
		{"four minutes", []string{"dur 0.06667 exact"}},
		{"90 seconds", []string{"dur 0.025 exact"}},
		{"a full day", []string{"dur 24 exact"}},
		{"a week", []string{"dur 168 exact"}},
		{"128.7 days", []string{"dur 3089 exact"}},
		{"seven straight hours", []string{"dur 7 exact"}},
		{"31 小时 17 分钟", []string{"dur 31.28 exact"}},
		{"mehr als 30 Stunden", []string{"dur 30 over"}},
		{"environ 24 heures", []string{"dur 24 about"}},
		{"3 horas y 20 minutos", []string{"dur 3.333 exact"}},
		{"4,5 Stunden und mehr", []string{"dur 4.5 exact"}},
		// percentages and multipliers
		{"80 percent", []string{"pct 80 exact"}},
		{"80 per cent", []string{"pct 80 exact"}},
		{"etwa 95 Prozent", []string{"pct 95 about"}},
		{"74,9 %", []string{"pct 74.9 exact"}},
		{"52x acceleration", []string{"x 52 exact"}},
		{"52× faster", []string{"x 52 exact"}},
		{"a 14-fold speedup", []string{"x 14 exact"}},
		{"a threefold slowdown", []string{"x 0.3333 exact"}},
		{"eight times more", []string{"x 8 exact"}},
		{"2.5 times faster", []string{"x 2.5 exact"}},
		{"55.8% faster", []string{"x 1.558 exact"}},
		{"19% slower", []string{"x 0.81 exact"}},
		{"up 150%", []string{"x 2.5 exact"}},
		{"200% productivity improvements", []string{"x 3 exact"}},
		{"an order of magnitude", []string{"x 10 exact"}},
		{"by a factor of 4.8", []string{"x 4.8 exact"}},
		{"deux fois plus", []string{"x 2 exact"}},
		{"twice as fast", []string{"x 2 exact"}},
		{"three times a week", []string{"dur 168 exact"}}, // a frequency, not a multiplier
		{"5 percentage points", nil},
		// not quantities
		{"Claude 4.6 Opus and GPT-5.1", nil},
		{"under ASL-3 rules", nil},
		{"a $65 billion round", nil},
		{"on June 5, 2026", nil},
		{"in March 2024", nil},
		{"the 2020s", nil},
		{"version 2 of the tool", nil},
		{"at 15:30 today", nil},
		{"cited [6]", nil},
		{"Terminal-Bench 2.0", nil},
		{"AIME 2024", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := quantities(tt.text)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("quantities(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
