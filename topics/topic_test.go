package topics

import (
	"reflect"
	"testing"

	"github.com/frontierwatch/frontierwatch/config"
)

func TestFromConfig(t *testing.T) {
	if got := FromConfig(nil); len(got) != 1 || !reflect.DeepEqual(got[0], Default()) {
		t.Errorf("FromConfig(nil) = %v, want the default topic", got)
	}
	if got := FromConfig([]config.Topic{}); len(got) != 1 || got[0].Name != DefaultName {
		t.Errorf("FromConfig(empty) = %v, want the default topic", got)
	}

	in := []config.Topic{
		{Name: "robots", Include: []config.WeightedPhrase{{Phrase: "robot*"}, {Phrase: "humanoid", Weight: 3}},
			Exclude: []string{"robot vacuum"}, MinScore: 2},
		{Name: "chips", Include: []config.WeightedPhrase{{Phrase: "gpu", Weight: 1}}, Fields: []string{"title", "url"}},
	}
	got := FromConfig(in)
	want := []Topic{
		{Name: "robots", Include: []Phrase{{"robot*", 1}, {"humanoid", 3}}, Exclude: []string{"robot vacuum"},
			Fields: []string{"title", "text"}, MinScore: 2},
		{Name: "chips", Include: []Phrase{{"gpu", 1}}, Fields: []string{"title", "url"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromConfig = %+v\nwant %+v", got, want)
	}
	got[1].Fields[0] = "summary"
	if in[1].Fields[0] != "title" {
		t.Error("FromConfig shares slices with the config")
	}
}

// TestFromConfigFile goes from a config file to matches.
func TestFromConfigFile(t *testing.T) {
	c, err := config.Parse([]byte(`
topics:
  - name: robots
    include: [robot*, {phrase: humanoid robot, weight: 3}]
    exclude: [robot vacuum]
    min_score: 4
`), "test.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := mustMatcher(t, FromConfig(c.Topics)...)
	tests := []struct {
		doc  Doc
		want float64
	}{
		{Doc{Title: "A humanoid robot folds laundry"}, 2 * (3 + 1)},
		{Doc{Text: "Robots, robotics and a robot"}, 1 + ln(3)}, // below min_score
		{Doc{Text: "Robots, robotics and a robot"}, 1 + ln(3) + 2*FigureBonus},
		{Doc{Title: "Humanoid robot or robot vacuum?"}, 0},
	}
	for i, tt := range tests {
		figures := 0
		if i == 2 {
			figures = 2
		}
		want := round3(tt.want)
		if want < 4 {
			want = 0
		}
		if got := score(t, m, tt.doc, figures, "robots"); got != want {
			t.Errorf("%+v: score %v, want %v", tt.doc, got, want)
		}
	}
}
