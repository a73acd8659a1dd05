// Package milestones decides which headline figures matter: a new record
// for a metric, a configured threshold crossed, or the first figure of a
// metric. It holds the rules only; the archive keeps the history they are
// applied to.
package milestones

import (
	"fmt"
	"math"
	"strings"

	"github.com/frontierwatch/frontierwatch"
)

// Direction says which way a metric improves.
type Direction int

// The directions.
const (
	HigherIsBetter Direction = iota
	LowerIsBetter
)

// Threshold is a configured level of a metric worth an alert when first
// crossed: at least AtLeast, or at most AtMost.
type Threshold struct {
	Metric  string
	AtLeast *float64
	AtMost  *float64
}

// String is how the threshold reads in messages: "task_horizon >= 24".
func (t Threshold) String() string {
	switch {
	case t.AtLeast != nil:
		return fmt.Sprintf("%s >= %g", t.Metric, *t.AtLeast)
	case t.AtMost != nil:
		return fmt.Sprintf("%s <= %g", t.Metric, *t.AtMost)
	}
	return t.Metric
}

// Met reports whether value meets the threshold.
func (t Threshold) Met(value float64) bool {
	switch {
	case t.AtLeast != nil:
		return value >= *t.AtLeast
	case t.AtMost != nil:
		return value <= *t.AtMost
	}
	return false
}

// Rules are the directions of the metrics and the thresholds.
type Rules struct {
	// Directions of metrics that improve downwards; every other metric
	// improves upwards. doubling_time is lower-is-better by default.
	Lower      map[string]bool
	Thresholds []Threshold
}

// DefaultLower are the built-in metrics for which smaller is better.
var DefaultLower = map[string]bool{"doubling_time": true}

// Direction of a metric.
func (r Rules) Direction(metric string) Direction {
	lower := r.Lower
	if lower == nil {
		lower = DefaultLower
	}
	if lower[metric] {
		return LowerIsBetter
	}
	return HigherIsBetter
}

// Key is what figures are compared within: the metric, and for benchmark
// scores the benchmark (a score on one benchmark says nothing about
// another).
func Key(f frontierwatch.Figure) string {
	if f.Benchmark != "" {
		return f.Metric + "/" + strings.ToLower(strings.TrimSpace(f.Benchmark))
	}
	return f.Metric
}

// Value is the figure's value for comparisons: its value, or for a range
// the bound it certainly reaches (the minimum when higher is better, the
// maximum when lower is better). ok is false when the figure has none.
func (r Rules) Value(f frontierwatch.Figure) (v float64, ok bool) {
	switch {
	case f.Value != nil:
		v = *f.Value
	case r.Direction(f.Metric) == HigherIsBetter && f.Min != nil:
		v = *f.Min
	case r.Direction(f.Metric) == LowerIsBetter && f.Max != nil:
		v = *f.Max
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// Better reports whether a beats b for metric.
func (r Rules) Better(metric string, a, b float64) bool {
	if r.Direction(metric) == LowerIsBetter {
		return a < b
	}
	return a > b
}

// Best is what the archive knew of a metric (a Key) before a figure: the
// best earlier non-forecast value, if any.
type Best struct {
	Value float64
	Known bool // false: the metric had no figure before
}

// Decision is what a figure makes: nothing, or a milestone of Kind.
type Decision struct {
	Kind frontierwatch.MilestoneKind // "" when the figure is no milestone
	// Value is the figure's comparable value.
	Value float64
	// Beats is the earlier best it beats (records and thresholds).
	Beats *float64
	// Threshold is the threshold crossed (threshold milestones).
	Threshold *Threshold
}

// Decide applies the rules to a figure given the best earlier value of its
// Key. One figure makes at most one milestone: a first figure of a metric
// is a "first"; otherwise crossing a threshold (every earlier figure was
// short of it) is a "threshold"; otherwise beating every earlier figure is
// a "record". Forecasts make none.
func (r Rules) Decide(f frontierwatch.Figure, before Best) Decision {
	v, ok := r.Value(f)
	if f.Forecast || !ok {
		return Decision{}
	}
	d := Decision{Value: v}
	if !before.Known {
		d.Kind = frontierwatch.MilestoneFirst
		return d
	}
	if !r.Better(f.Metric, v, before.Value) {
		return Decision{}
	}
	beats := before.Value
	d.Beats = &beats
	for _, t := range r.Thresholds {
		if t.Metric == f.Metric && t.Met(v) && !t.Met(before.Value) {
			t := t
			d.Kind, d.Threshold = frontierwatch.MilestoneThreshold, &t
			return d
		}
	}
	d.Kind = frontierwatch.MilestoneRecord
	return d
}

// Same reports whether two figures state the same claim: same key and
// subject, and values within 2% (the corpus's matching tolerance), so a
// later report of it adds a source instead of making a new milestone.
func (r Rules) Same(a, b frontierwatch.Figure) bool {
	if Key(a) != Key(b) || !strings.EqualFold(strings.TrimSpace(a.Subject), strings.TrimSpace(b.Subject)) {
		return false
	}
	va, ok1 := r.Value(a)
	vb, ok2 := r.Value(b)
	if !ok1 || !ok2 {
		return false
	}
	return Close(va, vb)
}

// Close reports whether two values are within 2% of each other.
func Close(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 0.02*math.Max(math.Abs(a), math.Abs(b))
}
