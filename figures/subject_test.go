package figures

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestSubjects checks subjects the scores cannot: the corpus scores a
// subject only when its label is not empty, but a pronoun phrase or an
// unnamed system must give "" rather than a name from elsewhere in the
// sentence.
func TestSubjects(t *testing.T) {
	tests := []struct {
		text string
		want []string // "metric value subject"
	}{
		{"In the lab's training-code experiment, Nova-5 achieved a 52x acceleration, compared with 20x for its predecessor and about 4x for top human researchers.",
			[]string{"rnd_speedup 52 Nova-5", "rnd_speedup 20 ", "rnd_speedup 4 top human researchers"}},
		{"GPT-5 scored 65% on SWE-bench Verified, compared with 49% for its predecessor.",
			[]string{"benchmark_score 65 GPT-5", "benchmark_score 49 "}},
		{"Claude Opus 4.5 solved 42% of the tasks, versus 30% for GPT-5 and 25% for the company's previous model.",
			[]string{"task_success_rate 42 Claude Opus 4.5", "task_success_rate 30 GPT-5", "task_success_rate 25 "}},
		{"Nova-5 achieved a 52x acceleration on training code, compared with GPT-4's 20x and its predecessor's 9x.",
			[]string{"rnd_speedup 52 Nova-5", "rnd_speedup 20 GPT-4", "rnd_speedup 9 "}},
		{"Devin correctly resolves 13.86% of the issues end-to-end, far exceeding the previous state-of-the-art of 1.96%.",
			[]string{"task_success_rate 13.86 Devin", "task_success_rate 1.96 "}},
		{"The best-performing agent completed tasks of up to 3 hours, compared with 30 minutes for last year's model.",
			[]string{"task_horizon 3 best-performing agent", "task_horizon 0.5 "}},
		// a workload or the code's owner after "for" is no other subject
		{"Nova-5 achieved a 52x speedup on kernels, compared with 20x for training code.",
			[]string{"rnd_speedup 52 Nova-5", "rnd_speedup 20 Nova-5"}},
		{"Claude Code writes 90% of the code for the Claude Code team, up from 60% for the team last year.",
			[]string{"share_of_code_by_ai 90 Claude Code", "share_of_code_by_ai 60 Claude Code"}},
		// the source's subject carries over, even when it is none
		{"As of this spring, over 80% of the code merged into Aurora Labs' main codebase was written by its models, up from about 50% a year ago.",
			[]string{"share_of_code_by_ai 80 ", "share_of_code_by_ai 50 "}},
		// the people who take the time are not the subject of a METR-style horizon
		{"An independent evaluation group said the best AI agents it tested can now complete software tasks that take skilled engineers about one hour, with a 50% success rate.",
			[]string{"task_horizon 1 best AI agents"}},
		// a coordinated clause with an unnamed subject of its own
		{"Nova-5 can complete tasks lasting up to 12 hours of expert work, the evaluation group said, and its preview version operated autonomously for over 16 hours.",
			[]string{"task_horizon 12 Nova-5", "task_horizon 16 "}},
		{"Programmers with the tool completed tasks up to 3 times faster.",
			[]string{"productivity_multiplier 3 Programmers"}},
		// who reports a finding is not its subject
		{"Researchers found that the agent sped up kernel optimization by 1.8x compared with a baseline.",
			[]string{"rnd_speedup 1.8 "}},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, f := range e.Extract(tt.text, time.Time{}) {
				got = append(got, fmt.Sprintf("%s %v %s", f.Metric, deref(f.Value), f.Subject))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
