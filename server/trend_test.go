package server

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestTrendFit(t *testing.T) {
	e := math.E
	type pt struct {
		months float64
		v      float64
	}
	for _, c := range []struct {
		name         string
		pts          []pt
		lower        bool
		nilTrend     bool
		slope, r2    float64
		doubling     float64 // 0: null
		halving      float64 // 0: null
		n            int
		first, lastV float64 // the fitted curve at the first and last point
	}{
		{
			name: "doubles every 7 months exactly",
			pts:  []pt{{0, 1}, {7, 2}, {14, 4}, {21, 8}, {28, 16}},
			// slope = ln 2 / 7 per month; R² = 1.
			slope: math.Ln2 / 7, r2: 1, doubling: 7, n: 5, first: 1, lastV: 16,
		},
		{
			// By hand: x = 0,1,2,3; y = ln v = 0,1,1,2. Sxx = 14 - 6²/4 = 5,
			// Sxy = 9 - 6·4/4 = 3, Syy = 6 - 4²/4 = 2. slope = 3/5 = 0.6,
			// intercept = (4 - 0.6·6)/4 = 0.1, R² = 3²/(5·2) = 0.9,
			// doubling = ln 2 / 0.6 = 1.1552453 months.
			name:  "noisy, by hand",
			pts:   []pt{{0, 1}, {1, e}, {2, e}, {3, e * e}},
			slope: 0.6, r2: 0.9, doubling: math.Ln2 / 0.6, n: 4, first: math.Exp(0.1), lastV: math.Exp(0.1 + 0.6*3),
		},
		{
			name:  "non-positive values are left out",
			pts:   []pt{{0, 1}, {1, 0}, {1, -5}, {1, e}, {2, e}, {3, e * e}, {4, math.NaN()}},
			slope: 0.6, r2: 0.9, doubling: math.Ln2 / 0.6, n: 4, first: math.Exp(0.1), lastV: math.Exp(0.1 + 0.6*3),
		},
		{
			name:  "lower is better, falling: halving time",
			pts:   []pt{{0, e * e}, {1, e}, {2, e}, {3, 1}},
			lower: true, slope: -0.6, r2: 0.9, halving: math.Ln2 / 0.6, n: 4,
			first: math.Exp(1.9), lastV: math.Exp(1.9 - 1.8),
		},
		{
			name:  "lower is better, rising: wrong sign, no halving time",
			pts:   []pt{{0, 1}, {1, e}, {2, e}, {3, e * e}},
			lower: true, slope: 0.6, r2: 0.9, n: 4, first: math.Exp(0.1), lastV: math.Exp(1.9),
		},
		{
			name:  "higher is better, falling: wrong sign, no doubling time",
			pts:   []pt{{0, 8}, {7, 4}, {14, 2}},
			slope: -math.Ln2 / 7, r2: 1, n: 3, first: 8, lastV: 2,
		},
		{
			name:  "flat",
			pts:   []pt{{0, 5}, {1, 5}, {2, 5}},
			slope: 0, r2: 1, n: 3, first: 5, lastV: 5,
		},
		{name: "two points", pts: []pt{{0, 1}, {7, 2}}, nilTrend: true},
		{name: "three points, two of them zero", pts: []pt{{0, 1}, {7, 0}, {8, 0}, {9, 2}}, nilTrend: true},
		{name: "all at one time", pts: []pt{{3, 1}, {3, 2}, {3, 4}}, nilTrend: true},
		{name: "none", nilTrend: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var f fitter
			for _, p := range c.pts {
				f.add(monthsAfter(p.months), p.v)
			}
			tr := f.trend(c.lower)
			if c.nilTrend {
				if tr != nil {
					t.Fatalf("trend %+v, want none", tr)
				}
				if tr.Summary() != "" {
					t.Error("summary of no trend")
				}
				return
			}
			if tr == nil {
				t.Fatal("no trend")
			}
			if tr.Points != c.n || !near(tr.SlopePerMonth, c.slope) || !near(tr.R2, c.r2) {
				t.Errorf("n %d slope %v r2 %v, want %d %v %v", tr.Points, tr.SlopePerMonth, tr.R2, c.n, c.slope, c.r2)
			}
			check := func(what string, got *float64, want float64) {
				switch {
				case want == 0 && got != nil:
					t.Errorf("%s = %v, want null", what, *got)
				case want != 0 && (got == nil || !near(*got, want)):
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("doubling", tr.DoublingMonths, c.doubling)
			check("halving", tr.HalvingMonths, c.halving)
			if !near(tr.Line[0].Value, c.first) || !near(tr.Line[1].Value, c.lastV) {
				t.Errorf("line %v %v, want %v %v", tr.Line[0].Value, tr.Line[1].Value, c.first, c.lastV)
			}
		})
	}
}

func TestTrendSummary(t *testing.T) {
	d, h := 7.0, 130.0
	for _, c := range []struct {
		tr   Trend
		want string
	}{
		{Trend{Points: 5, R2: 1, SlopePerMonth: 0.1, DoublingMonths: &d}, "doubles every 7.0 months (R² 1.00, 5 figures)"},
		{Trend{Points: 4, R2: 0.9, SlopePerMonth: -0.1, HalvingMonths: &h}, "halves every 10.8 years (R² 0.90, 4 figures)"},
		{Trend{Points: 3, R2: 0.5, SlopePerMonth: -0.1}, "moving the wrong way: no doubling time (R² 0.50, 3 figures)"},
	} {
		if got := c.tr.Summary(); got != c.want {
			t.Errorf("Summary() = %q, want %q", got, c.want)
		}
	}
}

func TestAsOfTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{"2025-03", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), true},
		{"2025-Q1", time.Date(2025, 2, 15, 0, 0, 0, 0, time.UTC), true},
		{"2025-q4", time.Date(2025, 11, 15, 0, 0, 0, 0, time.UTC), true},
		{"2025-03-09", time.Date(2025, 3, 9, 12, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"2025-Q5", time.Time{}, false},
		{"2025-13", time.Time{}, false},
		{"1066", time.Time{}, false},
		{"20x5", time.Time{}, false},
		{"2025-02-30", time.Time{}, false},
		{"next year", time.Time{}, false},
	} {
		got, ok := asOfTime(c.in)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("asOfTime(%q) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
