package server

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// monthDays is the length of the mean Gregorian month in days, the month
// of every rate the API reports.
const monthDays = 365.2425 / 12

// month is that month as a duration.
const month = time.Duration(monthDays * 24 * float64(time.Hour))

// Trend is a log-linear least-squares fit of a metric's figures: ln(value)
// against time in months. Values that are zero or negative are left out.
type Trend struct {
	// Points is how many figures the fit used.
	Points int `json:"points"`
	// SlopePerMonth is the fitted change of ln(value) per month.
	SlopePerMonth float64 `json:"slope_per_month"`
	// DoublingMonths is ln 2 / slope for a metric where higher is better,
	// null when the fit does not grow (slope <= 0) or lower is better.
	DoublingMonths *float64 `json:"doubling_months"`
	// HalvingMonths is ln 2 / -slope for a metric where lower is better,
	// null when the fit does not shrink (slope >= 0) or higher is better.
	HalvingMonths *float64 `json:"halving_months"`
	// R2 is the coefficient of determination of the fit, in ln space.
	R2 float64 `json:"r2"`
	// From and To are the first and last times of the fitted points.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Line is the fitted curve at From and To: a straight line on a log
	// scale.
	Line [2]TrendPoint `json:"line"`
}

// TrendPoint is one point of the fitted curve.
type TrendPoint struct {
	T     time.Time `json:"t"`
	Value float64   `json:"value"`
}

// fitter accumulates points for a log-linear least-squares fit in one
// pass; times are taken relative to the first point, in months, which keeps
// the sums well-conditioned.
type fitter struct {
	n                     int
	t0, first, last       time.Time
	sx, sy, sxx, sxy, syy float64
}

// add takes one point; non-positive (and non-finite) values are skipped.
func (f *fitter) add(t time.Time, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		return
	}
	if f.n == 0 {
		f.t0, f.first, f.last = t, t, t
	}
	if t.Before(f.first) {
		f.first = t
	}
	if t.After(f.last) {
		f.last = t
	}
	x := float64(t.Sub(f.t0)) / float64(month)
	y := math.Log(v)
	f.n++
	f.sx += x
	f.sy += y
	f.sxx += x * x
	f.sxy += x * y
	f.syy += y * y
}

// trend returns the fit, or nil with fewer than 3 points or when all
// points share one time (no slope exists). lowerIsBetter picks halving
// over doubling.
func (f *fitter) trend(lowerIsBetter bool) *Trend {
	if f.n < 3 {
		return nil
	}
	n := float64(f.n)
	sxx := f.sxx - f.sx*f.sx/n // n·var(x)
	sxy := f.sxy - f.sx*f.sy/n
	syy := f.syy - f.sy*f.sy/n
	if !(sxx > 1e-12) {
		return nil
	}
	slope := sxy / sxx
	if math.Abs(slope) < 1e-12 {
		slope = 0 // rounding noise of a flat series must not read as a doubling time
	}
	intercept := (f.sy - slope*f.sx) / n
	r2 := 1.0
	if syy > 1e-12 {
		r2 = sxy * sxy / (sxx * syy)
		r2 = math.Min(math.Max(r2, 0), 1)
	}
	t := &Trend{Points: f.n, SlopePerMonth: slope, R2: r2, From: f.first.UTC(), To: f.last.UTC()}
	switch {
	case !lowerIsBetter && slope > 0:
		d := math.Ln2 / slope
		t.DoublingMonths = &d
	case lowerIsBetter && slope < 0:
		h := math.Ln2 / -slope
		t.HalvingMonths = &h
	}
	at := func(tm time.Time) TrendPoint {
		x := float64(tm.Sub(f.t0)) / float64(month)
		return TrendPoint{T: tm.UTC(), Value: math.Exp(intercept + slope*x)}
	}
	t.Line = [2]TrendPoint{at(f.first), at(f.last)}
	return t
}

// Summary is the trend in words: "doubles every 7.0 months (R² 1.00, 12
// figures)"; empty without a trend.
func (t *Trend) Summary() string {
	if t == nil {
		return ""
	}
	tail := " (R² " + strconv.FormatFloat(t.R2, 'f', 2, 64) + ", " + strconv.Itoa(t.Points) + " figures)"
	switch {
	case t.DoublingMonths != nil:
		return "doubles every " + formatMonths(*t.DoublingMonths) + tail
	case t.HalvingMonths != nil:
		return "halves every " + formatMonths(*t.HalvingMonths) + tail
	case t.SlopePerMonth == 0:
		return "flat" + tail
	}
	return "moving the wrong way: no doubling time" + tail
}

// formatMonths writes a number of months with one decimal ("7.0 months"),
// or in years beyond ten years.
func formatMonths(m float64) string {
	if m >= 120 {
		return strconv.FormatFloat(m/12, 'f', 1, 64) + " years"
	}
	s := strconv.FormatFloat(m, 'f', 1, 64)
	if s == "1.0" {
		return "1.0 month"
	}
	return s + " months"
}

// asOfTime reads a figure's as_of ("YYYY", "YYYY-MM", "YYYY-Qn",
// "YYYY-MM-DD") as the middle of the period it names: July 1st of a year,
// the 15th of a month, the 15th of the middle month of a quarter, noon of
// a day. ok is false when it is empty or none of these.
func asOfTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || y > 2200 {
			return time.Time{}, false
		}
		return time.Date(y, time.July, 1, 0, 0, 0, 0, time.UTC), true
	case len(s) == 7 && (s[5] == 'Q' || s[5] == 'q') && s[4] == '-':
		y, err := strconv.Atoi(s[:4])
		q := int(s[6] - '0')
		if err != nil || y < 1900 || y > 2200 || q < 1 || q > 4 {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(3*q-1), 15, 0, 0, 0, 0, time.UTC), true
	case len(s) == 7:
		t, err := time.Parse("2006-01", s)
		if err != nil || t.Year() < 1900 || t.Year() > 2200 {
			return time.Time{}, false
		}
		return t.AddDate(0, 0, 14), true
	case len(s) == 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || t.Year() < 1900 || t.Year() > 2200 {
			return time.Time{}, false
		}
		return t.Add(12 * time.Hour), true
	}
	return time.Time{}, false
}
