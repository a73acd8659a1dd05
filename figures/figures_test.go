package figures

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

func short(f frontierwatch.Figure) string {
	v := fmt.Sprint(deref(f.Value))
	if f.Min != nil {
		v = fmt.Sprintf("%v-%v", *f.Min, *f.Max)
	}
	return fmt.Sprintf("%s %s %s %s subj=%q as_of=%q forecast=%v", f.Metric, v, f.Unit, f.Qualifier, f.Subject, f.AsOf, f.Forecast)
}

func TestExtract(t *testing.T) {
	pub := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		text      string
		published time.Time
		want      []string
	}{
		{"By March 2026, Claude 4.6 Opus could manage complex tasks lasting up to 12 hours.", pub,
			[]string{`task_horizon 12 hours up_to subj="Claude 4.6 Opus" as_of="2026-03" forecast=false`}},
		{"By 2027, AI agents will work autonomously for a week at a time.", time.Time{},
			[]string{`task_horizon 168 hours exact subj="AI agents" as_of="2027" forecast=true`}},
		{"By 2027, AI agents will work autonomously for a week at a time.", time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC),
			[]string{`task_horizon 168 hours exact subj="AI agents" as_of="2027" forecast=false`}},
		{"The duration for which models can operate autonomously roughly doubles every four months.", time.Time{},
			[]string{`doubling_time 4 months about subj="models" as_of="" forecast=false`}},
		{"In the second quarter of 2026, Anthropic engineers averaged eight times more code merges per day than in 2024.", time.Time{},
			[]string{`productivity_multiplier 8 x exact subj="Anthropic engineers" as_of="2026-Q2" forecast=false`}},
		{"Claude Mythos Preview achieved a 52x acceleration on small-model training code in April 2026.", time.Time{},
			[]string{`rnd_speedup 52 x exact subj="Claude Mythos Preview" as_of="2026-04" forecast=false`}},
		{"As of May 2026, over 80% of Anthropic’s code is now written by Claude, up from single digits in early 2025.", time.Time{},
			[]string{`share_of_code_by_ai 80 percent over subj="Claude" as_of="2026-05" forecast=false`,
				`share_of_code_by_ai 1-9 percent range subj="Claude" as_of="2025" forecast=false`}},
		{"Gemini 3 Pro scored 76.2% on SWE-bench Verified.", time.Time{},
			[]string{`benchmark_score 76.2 percent exact subj="Gemini 3 Pro" as_of="" forecast=false`}},
		{"In trials, the agent succeeded in 7 out of 10 tasks.", time.Time{},
			[]string{`task_success_rate 70 percent exact subj="" as_of="" forecast=false`}},
		{"Laut Anthropic arbeitete Claude Opus 4.5 etwa 30 Stunden autonom.", time.Time{},
			[]string{`task_horizon 30 hours about subj="Claude Opus 4.5" as_of="" forecast=false`}},
		{"据报道,Sonnet 4.5 连续运行 31 小时 17 分钟。", time.Time{},
			[]string{`task_horizon 31.2833 hours exact subj="Claude Sonnet 4.5" as_of="" forecast=false`}},
		{"AI to write 90% of all new code at the bank by 2027, its CTO says.", time.Time{},
			[]string{`share_of_code_by_ai 90 percent exact subj="" as_of="2027" forecast=true`}},
		{"By 2025, AI had written 30% of the company's code.", time.Time{},
			[]string{`share_of_code_by_ai 30 percent exact subj="" as_of="2025" forecast=false`}},
		// not figures
		{"Anthropic raised $13 billion at a $183 billion valuation.", time.Time{}, nil},
		{"GPT-5.1 and Claude 4.6 Opus shipped under ASL-3.", time.Time{}, nil},
		{"Its 50% time horizon is a reliability level.", time.Time{}, nil},
		{"Top human researchers typically achieve a 4x improvement within 4 to 8 hours.", time.Time{},
			[]string{`rnd_speedup 4 x exact subj="Top human researchers" as_of="" forecast=false`}},
		{"AI will write 90% of code within 3-6 months.", time.Time{},
			[]string{`share_of_code_by_ai 90 percent exact subj="" as_of="" forecast=true`}},
		{"The time horizon grew by a factor of 12, a sixfold increase in two years.", time.Time{}, nil},
		{"Developers who reviewed the code needed 11 hours per task.", time.Time{}, nil},
		{"The tool saved engineers 8-10 hours weekly.", time.Time{}, nil},
		{"The model has 1 trillion parameters and a 256K context window.", time.Time{}, nil},
		{"Shares rose 12% after the launch on June 5.", time.Time{}, nil},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, f := range e.Extract(tt.text, tt.published) {
				got = append(got, short(f))
				if !strings.Contains(f.Sentence, f.Surface) {
					t.Errorf("surface %q not in sentence %q", f.Surface, f.Sentence)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Extract(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestFigureJSON checks the JSON shape of the contract in DESIGN.md.
func TestFigureJSON(t *testing.T) {
	e := New()
	figs := e.Extract("By March 2026, Claude 4.6 Opus could manage complex tasks lasting up to 12 hours.",
		time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC))
	if len(figs) != 1 {
		t.Fatalf("got %d figures, want 1", len(figs))
	}
	b, err := json.Marshal(figs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"metric":"task_horizon","value":12,"min":null,"max":null,"unit":"hours","qualifier":"up_to",` +
		`"subject":"Claude 4.6 Opus","benchmark":"","as_of":"2026-03","forecast":false,"surface":"up to 12 hours",` +
		`"sentence":"By March 2026, Claude 4.6 Opus could manage complex tasks lasting up to 12 hours."}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestOrderAndDuplicates(t *testing.T) {
	e := New()
	text := "Claude ran autonomously for 7 hours. Later, GPT-5 worked on its own for 9 hours, yes, autonomously for 9 hours."
	var got []string
	for _, f := range e.Extract(text, time.Time{}) {
		got = append(got, fmt.Sprintf("%v %s", *f.Value, f.Subject))
	}
	want := []string{"7 Claude", "9 GPT-5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBuiltinMetrics(t *testing.T) {
	ms := BuiltinMetrics()
	want := map[string]string{TaskHorizon: "hours", DoublingTime: "months", ShareOfCodeByAI: "percent",
		ProductivityMultiplier: "x", RnDSpeedup: "x", TaskSuccessRate: "percent", BenchmarkScore: "percent"}
	if len(ms) != len(want) {
		t.Fatalf("%d metrics, want %d", len(ms), len(want))
	}
	for i, m := range ms {
		if want[m.Name] != m.Unit || len(m.Cues) == 0 || m.Name != builtinNames[i] || m.Unit != builtinUnits[i] {
			t.Errorf("metric %+v", m)
		}
		if m.HigherIsBetter != (m.Name != DoublingTime) {
			t.Errorf("%s: HigherIsBetter = %v", m.Name, m.HigherIsBetter)
		}
	}
	ms[0].Cues[0] = "changed"
	if BuiltinMetrics()[0].Cues[0] == "changed" {
		t.Error("BuiltinMetrics shares its slices")
	}
}

func TestWithMetrics(t *testing.T) {
	e := New(WithMetrics(
		MetricDef{Name: "share_of_tests_by_ai", Unit: "percent", HigherIsBetter: true, Cues: []string{"unit tests", "tests"}},
		MetricDef{Name: "time_to_patch", Unit: "days", Cues: []string{"patch*"}},
		MetricDef{Name: TaskHorizon, Cues: []string{"marathon"}},
	))
	tests := []struct{ text, want string }{
		{"AI now writes 40% of our unit tests.", "share_of_tests_by_ai 40 percent exact"},
		{"The agent ships security patches in 36 hours.", "time_to_patch 1.5 days exact"},
		{"The agent's coding marathon lasted 9 hours.", "task_horizon 9 hours exact"},
		{"Over 80% of the code is written by Claude.", "share_of_code_by_ai 80 percent over"},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range e.Extract(tt.text, time.Time{}) {
			got = append(got, fmt.Sprintf("%s %v %s %s", f.Metric, *f.Value, f.Unit, f.Qualifier))
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("Extract(%q) = %q, want [%q]", tt.text, got, tt.want)
		}
	}
	// without the options, the built-in extractor finds none of the first three
	plain := New()
	for _, tt := range tests[:3] {
		if got := plain.Extract(tt.text, time.Time{}); len(got) != 0 {
			t.Errorf("plain Extract(%q) = %v, want none", tt.text, got)
		}
	}
}

// TestConfiguredCuesAnyShape checks that configured cues of any shape
// compile: short prefixes, punctuation, empty strings.
func TestConfiguredCuesAnyShape(t *testing.T) {
	e := New(WithMetrics(MetricDef{Name: "odd", Unit: "furlongs", Cues: []string{"a*", "*", "", "?!", "x-*"}}),
		WithSubjects("  ", "*"))
	for _, f := range e.Extract("A widget ran for 3 hours, a 20% gain.", time.Time{}) {
		if f.Metric == "odd" {
			t.Errorf("a count metric took a duration or a multiplier: %+v", f)
		}
	}
	got := New(WithMetrics(MetricDef{Name: "widgets_built", Unit: "count", Cues: []string{"wid*"}})).
		Extract("The agent built 1,200 widgets overnight.", time.Time{})
	if len(got) != 1 || got[0].Metric != "widgets_built" || *got[0].Value != 1200 {
		t.Errorf("count metric: %v", got)
	}
}

func TestWithSubjects(t *testing.T) {
	text := "In the trial, the zeta-9 agent ran autonomously for 5 hours."
	if got := New().Extract(text, time.Time{}); len(got) != 1 || got[0].Subject == "zeta-9" {
		t.Fatalf("without the subject: %v", got)
	}
	got := New(WithSubjects("zeta-9", "")).Extract(text, time.Time{})
	if len(got) != 1 || got[0].Subject != "zeta-9" {
		t.Errorf("with the subject: %v", got)
	}
}

// TestConcurrent runs one Extractor from several goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	e := New()
	text := benchText(t)
	want := e.Extract(text, time.Time{})
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := e.Extract(text, time.Time{}); !reflect.DeepEqual(got, want) {
				errs <- "concurrent result differs"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
