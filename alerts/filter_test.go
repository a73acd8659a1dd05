package alerts

import (
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

func TestFilter(t *testing.T) {
	one := sampleAlert()
	one.Milestone.Sources = []string{"metr.org"}
	one.Sources = one.Sources[:1]
	three := sampleAlert()
	three.Milestone.Sources = []string{"metr.org", "example.com", "Example.com", "other.net"} // 3 distinct

	tests := []struct {
		name   string
		ch     config.Channel
		global int
		a      Alert
		want   bool
	}{
		{"all", config.Channel{}, 1, sampleAlert(), true},
		{"metric wanted", config.Channel{Metrics: []string{"doubling_time", "task_horizon"}}, 1, sampleAlert(), true},
		{"metric not wanted", config.Channel{Metrics: []string{"doubling_time"}}, 1, sampleAlert(), false},
		{"kind wanted", config.Channel{Kinds: []string{"record"}}, 1, sampleAlert(), true},
		{"kind not wanted", config.Channel{Kinds: []string{"threshold", "first"}}, 1, sampleAlert(), false},
		{"global min_sources met", config.Channel{}, 2, sampleAlert(), true},
		{"global min_sources not met", config.Channel{}, 2, one, false},
		{"channel min_sources overrides global", config.Channel{MinSources: 1}, 3, one, true},
		{"channel min_sources not met", config.Channel{MinSources: 3}, 1, sampleAlert(), false},
		{"distinct sites counted once", config.Channel{MinSources: 3}, 1, three, true},
		{"metric and kind both", config.Channel{Metrics: []string{"task_horizon"}, Kinds: []string{"first"}}, 1, sampleAlert(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewFilter(tt.ch, tt.global).Accepts(tt.a); got != tt.want {
				t.Errorf("Accepts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSourceCount(t *testing.T) {
	a := sampleAlert()
	if got := a.SourceCount(); got != 2 {
		t.Errorf("SourceCount = %d", got)
	}
	a.Milestone.Sources = nil
	if got := a.SourceCount(); got != 2 {
		t.Errorf("SourceCount from Sources = %d", got)
	}
	a.Sources = nil
	if got := a.SourceCount(); got != 1 {
		t.Errorf("SourceCount from the article = %d", got)
	}
	if got := (Alert{}).SourceCount(); got != 0 {
		t.Errorf("empty SourceCount = %d", got)
	}
}

func TestSilences(t *testing.T) {
	until := testNow.Add(time.Hour)
	// onlyMetr is reported by metr.org alone.
	onlyMetr := sampleAlert()
	onlyMetr.Milestone.Sources = []string{"metr.org"}
	onlyMetr.Sources = onlyMetr.Sources[:1]
	sub := sampleAlert()
	sub.Milestone.Sources = []string{"blog.metr.org"}
	sub.Sources = nil
	sub.Article.Site = "blog.metr.org"
	sub.Article.Source = "metr-blog"

	tests := []struct {
		name string
		s    Silence
		a    Alert
		want bool
	}{
		{"metric", Silence{Metric: "task_horizon", Until: until}, sampleAlert(), true},
		{"other metric", Silence{Metric: "doubling_time", Until: until}, sampleAlert(), false},
		{"subject case-insensitive", Silence{Subject: "claude 4.6 OPUS", Until: until}, sampleAlert(), true},
		{"other subject", Silence{Subject: "GPT-6", Until: until}, sampleAlert(), false},
		{"source by name", Silence{Source: "metr", Until: until}, onlyMetr, true},
		{"source by site", Silence{Source: "metr.org", Until: until}, onlyMetr, true},
		{"source by parent site", Silence{Source: "metr.org", Until: until}, sub, true},
		{"source confirmed elsewhere too", Silence{Source: "metr.org", Until: until}, sampleAlert(), false},
		{"other source", Silence{Source: "example.net", Until: until}, onlyMetr, false},
		{"not a suffix match", Silence{Source: "etr.org", Until: until}, onlyMetr, false},
		{"all fields match", Silence{Metric: "task_horizon", Subject: "Claude 4.6 Opus", Source: "metr", Until: until}, onlyMetr, true},
		{"one field differs", Silence{Metric: "task_horizon", Subject: "Other", Source: "metr", Until: until}, onlyMetr, false},
		{"empty silence mutes all", Silence{Until: until}, sampleAlert(), true},
		{"expired", Silence{Metric: "task_horizon", Until: testNow}, sampleAlert(), false},
		{"expired long ago", Silence{Metric: "task_horizon", Until: testNow.Add(-time.Hour)}, sampleAlert(), false},
		{"zero until", Silence{Metric: "task_horizon"}, sampleAlert(), false},
		{"source on an alert without reports", Silence{Source: "metr", Until: until}, Alert{Milestone: frontierwatch.Milestone{Metric: "x"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Silenced([]Silence{tt.s}, tt.a, testNow); got != tt.want {
				t.Errorf("Silenced = %v, want %v", got, tt.want)
			}
		})
	}
	if Silenced(nil, sampleAlert(), testNow) {
		t.Error("no silence mutes")
	}
	ss := []Silence{{Metric: "doubling_time", Until: until}, {Subject: "claude 4.6 opus", Until: until}}
	if !Silenced(ss, sampleAlert(), testNow) {
		t.Error("the second silence should mute")
	}
	if Silenced(ss, sampleAlert(), until) {
		t.Error("a silence mutes at its until")
	}
}

func TestSilencesFromConfig(t *testing.T) {
	got := SilencesFromConfig([]config.Silence{
		{Metric: "task_horizon", Subject: "X", Source: "metr", Until: "2026-04-01", Reason: "noisy"},
		{Until: "2026-04-01T12:00:00+02:00"},
		{Until: "garbage"},
	})
	if len(got) != 3 || got[0].Metric != "task_horizon" || got[0].Reason != "noisy" ||
		!got[0].Until.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) ||
		!got[1].Until.Equal(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)) || !got[2].Until.IsZero() {
		t.Errorf("SilencesFromConfig = %+v", got)
	}
	if got[2].Active(testNow) {
		t.Error("an invalid until mutes")
	}
}
