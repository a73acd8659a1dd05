package milestones

import (
	"testing"

	"github.com/frontierwatch/frontierwatch"
)

func fig(metric string, v float64) frontierwatch.Figure {
	return frontierwatch.Figure{Metric: metric, Value: &v}
}

func rangeFig(metric string, lo, hi float64) frontierwatch.Figure {
	return frontierwatch.Figure{Metric: metric, Min: &lo, Max: &hi, Qualifier: frontierwatch.Range}
}

func f64(v float64) *float64 { return &v }

func TestDecide(t *testing.T) {
	r := Rules{Thresholds: []Threshold{{Metric: "task_horizon", AtLeast: f64(24)}, {Metric: "doubling_time", AtMost: f64(4)}}}
	forecast := fig("task_horizon", 1000)
	forecast.Forecast = true
	tests := []struct {
		name   string
		f      frontierwatch.Figure
		before Best
		kind   frontierwatch.MilestoneKind
		beats  *float64
	}{
		{"first of a metric", fig("task_horizon", 2), Best{}, frontierwatch.MilestoneFirst, nil},
		{"record", fig("task_horizon", 12), Best{8, true}, frontierwatch.MilestoneRecord, f64(8)},
		{"equal is no record", fig("task_horizon", 8), Best{8, true}, "", nil},
		{"lower is no record", fig("task_horizon", 4), Best{8, true}, "", nil},
		{"threshold crossed", fig("task_horizon", 30), Best{12, true}, frontierwatch.MilestoneThreshold, f64(12)},
		{"threshold already crossed: a record", fig("task_horizon", 40), Best{30, true}, frontierwatch.MilestoneRecord, f64(30)},
		{"doubling time: smaller is the record", fig("doubling_time", 5), Best{7, true}, frontierwatch.MilestoneRecord, f64(7)},
		{"doubling time: larger is nothing", fig("doubling_time", 9), Best{7, true}, "", nil},
		{"doubling time threshold", fig("doubling_time", 3.5), Best{5, true}, frontierwatch.MilestoneThreshold, f64(5)},
		{"forecasts make nothing", forecast, Best{8, true}, "", nil},
		{"forecast is not even a first", forecast, Best{}, "", nil},
		{"range counts its sure bound", rangeFig("task_horizon", 10, 20), Best{12, true}, "", nil},
		{"range above the record", rangeFig("task_horizon", 14, 20), Best{12, true}, frontierwatch.MilestoneRecord, f64(12)},
		{"range for lower-is-better uses max", rangeFig("doubling_time", 4, 6), Best{7, true}, frontierwatch.MilestoneRecord, f64(7)},
		{"no value at all", frontierwatch.Figure{Metric: "task_horizon"}, Best{}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Decide(tt.f, tt.before)
			if d.Kind != tt.kind {
				t.Fatalf("kind %q, want %q", d.Kind, tt.kind)
			}
			if (d.Beats == nil) != (tt.beats == nil) || (d.Beats != nil && *d.Beats != *tt.beats) {
				t.Errorf("beats %v, want %v", d.Beats, tt.beats)
			}
			if d.Kind == frontierwatch.MilestoneThreshold && d.Threshold == nil {
				t.Error("threshold milestone without its threshold")
			}
		})
	}
}

func TestKeyAndSame(t *testing.T) {
	a := fig("benchmark_score", 70)
	a.Benchmark = "SWE-bench Verified"
	b := fig("benchmark_score", 70)
	b.Benchmark = "GPQA"
	if Key(a) == Key(b) {
		t.Error("scores on different benchmarks must not compare")
	}
	r := Rules{}
	x, y := fig("task_horizon", 12), fig("task_horizon", 12.1)
	x.Subject, y.Subject = "Claude Opus 4.6", "claude opus 4.6"
	if !r.Same(x, y) {
		t.Error("12 and 12.1 hours for the same model are one claim")
	}
	y.Subject = "GPT-5"
	if r.Same(x, y) {
		t.Error("different subjects are different claims")
	}
	if r.Same(fig("task_horizon", 12), fig("task_horizon", 13)) {
		t.Error("12 and 13 differ by more than 2%")
	}
}

func TestThresholdString(t *testing.T) {
	if s := (Threshold{Metric: "task_horizon", AtLeast: f64(24)}).String(); s != "task_horizon >= 24" {
		t.Error(s)
	}
	if s := (Threshold{Metric: "doubling_time", AtMost: f64(4.5)}).String(); s != "doubling_time <= 4.5" {
		t.Error(s)
	}
}
