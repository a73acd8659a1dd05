package server

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// TestAppendPoint checks the hand-written encoding of a point against
// encoding/json's encoding of the same struct.
func TestAppendPoint(t *testing.T) {
	p := seriesPoint{T: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), TimeBasis: "as_of", Value: 1.5e-7, FigureID: 9,
		Min: fl(1), Max: nil, Qualifier: "about", Subject: `Model "X" <b>&</b>` + "\u2028\x01\xff", Benchmark: "SWE-bench",
		AsOf: "2025-03", Seen: time.Date(2025, 4, 1, 12, 30, 0, 123e6, time.UTC), Surface: "1.5\te-7 hours\n",
		Source: "metr", Site: "metr.org", ArticleID: 3, ArticleURL: "https://metr.org/a?b=1&c=2"}
	want, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	got := appendPoint(nil, p)
	if string(got) != string(want) {
		t.Errorf("appendPoint:\n got %s\nwant %s", got, want)
	}
}

func TestWriteSeries(t *testing.T) {
	d := 7.0
	se := series{Metric: "task_horizon", Unit: "hours", Direction: "higher", Total: 2,
		Trend:  &Trend{Points: 2, DoublingMonths: &d, Line: [2]TrendPoint{{T: t0, Value: 1}, {T: t0, Value: 2}}},
		Points: []seriesPoint{{T: t0, Value: 1, Source: "a"}, {T: t0, Value: 2, Source: "b"}}}
	rec := httptestRecorder()
	writeSeries(rec, se)
	var got, want any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	b, _ := json.Marshal(se)
	_ = json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("writeSeries:\n got %s\nwant %s", rec.Body, b)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<>&", "\u2028\u2029", "\x00\x1f\x7f", "\xff\xfe", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 1.5, 1e-7, 1e21, 123456789, 1e-6, 0.000001234, -2.5e-300, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		want, err := json.Marshal(v)
		if err != nil {
			if got := string(appendFloat(nil, v)); got != "null" {
				t.Fatalf("%v: %s, want null", v, got)
			}
			return
		}
		if got := appendFloat(nil, v); string(got) != string(want) {
			t.Fatalf("%v: got %s, want %s", v, got, want)
		}
	})
}
