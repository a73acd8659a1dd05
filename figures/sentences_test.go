package figures

import (
	"reflect"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"simple", "One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"titles", "Dr. Chen and Mr. Smith met Prof. Lee. They agreed.",
			[]string{"Dr. Chen and Mr. Smith met Prof. Lee.", "They agreed."}},
		{"u.s. inside", "The lab in the U.S. and Europe grew. It hired.",
			[]string{"The lab in the U.S. and Europe grew.", "It hired."}},
		{"u.s. at the end", "It opened an office in the U.S. The move was expected.",
			[]string{"It opened an office in the U.S.", "The move was expected."}},
		{"u.s. before a name", "The U.S. Army tested it.", []string{"The U.S. Army tested it."}},
		{"e.g. and i.e.", "Some models, e.g. GPT-5.1, are fast, i.e. They answer quickly.",
			[]string{"Some models, e.g. GPT-5.1, are fast, i.e. They answer quickly."}},
		{"inc. lower case", "Acme Inc. said it grew. Acme Inc. The company grew.",
			[]string{"Acme Inc. said it grew.", "Acme Inc.", "The company grew."}},
		{"vs. and approx.", "Claude vs. GPT took approx. 5 hours. Done.",
			[]string{"Claude vs. GPT took approx. 5 hours.", "Done."}},
		{"month abbreviation", "It shipped on Jan. 5 with tests. Then it ran.",
			[]string{"It shipped on Jan. 5 with tests.", "Then it ran."}},
		{"decimals and versions", "Claude 4.6 Opus ran 4.5 hours. GPT-5.1 and o3-mini did not.",
			[]string{"Claude 4.6 Opus ran 4.5 hours.", "GPT-5.1 and o3-mini did not."}},
		{"url", "See https://metr.org/blog/2025.html for details. Next sentence.",
			[]string{"See https://metr.org/blog/2025.html for details.", "Next sentence."}},
		{"initials", "Led by Frank F. Xu and J. R. Smith, the team won.",
			[]string{"Led by Frank F. Xu and J. R. Smith, the team won."}},
		{"ellipsis continues", "It was... surprising. Then it ended… Really.",
			[]string{"It was... surprising.", "Then it ended…", "Really."}},
		{"quote closes", `He said "it works." Then he left.`, []string{`He said "it works."`, "Then he left."}},
		{"curly quote closes", "She wrote “It is done.” The end.", []string{"She wrote “It is done.”", "The end."}},
		{"comma in quote", "A report titled “When AI Builds Itself,” detailing progress. Next.",
			[]string{"A report titled “When AI Builds Itself,” detailing progress.", "Next."}},
		{"question in quote", `"Is it safe?" she asked. Yes.`, []string{`"Is it safe?" she asked.`, "Yes."}},
		{"parenthesis closes", "It grew (a lot.) Then stopped.", []string{"It grew (a lot.)", "Then stopped."}},
		{"list items", "Highlights:\n- 12-hour tasks\n- 80% of code\n\nEnd.",
			[]string{"Highlights:", "12-hour tasks", "80% of code", "End."}},
		{"bullets", "• First item\n• Second item", []string{"First item", "Second item"}},
		{"numbered list", "1. First point\n2. Second point", []string{"1. First point", "2. Second point"}},
		{"hard wrap", "The agent worked for\nseven hours on the task.\nNext line here.",
			[]string{"The agent worked for seven hours on the task.", "Next line here."}},
		{"newline without stop", "Title Line\nBody starts here.", []string{"Title Line", "Body starts here."}},
		{"cjk", "模型连续运行 31 小时。然后停止！好吗？", []string{"模型连续运行 31 小时。", "然后停止！", "好吗？"}},
		{"whitespace", "  Too   many\tspaces  here.  ", []string{"Too many spaces here."}},
		{"no letters", "... --- !!!", nil},
		{"empty", "", nil},
		{"digits after a point", "Revenue rose in 2024. 25 firms joined.", []string{"Revenue rose in 2024.", "25 firms joined."}},
		{"no. before a digit", "It ranked No. 1 on the list. Good.", []string{"It ranked No. 1 on the list.", "Good."}},
		{"et al.", "Smith et al. found it. They published.", []string{"Smith et al. found it.", "They published."}},
		{"crlf", "One line.\r\nTwo line.", []string{"One line.", "Two line."}},
		{"german abbreviation", "Es gibt z.B. Modelle. Sie laufen.", []string{"Es gibt z.B. Modelle.", "Sie laufen."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sentences(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
			norm := NormalizeSpace(tt.text)
			for _, s := range got {
				if !strings.Contains(norm, s) {
					t.Errorf("sentence %q is not in the normalised text", s)
				}
			}
		})
	}
}

func TestNormalizeSpace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a b", "a b"},
		{" a  b ", "a b"},
		{"a\n\tb", "a b"},
		{"a\u00a0\u2009b", "a b"},
		{"é  ü", "é ü"},
	}
	for _, tt := range tests {
		if got := NormalizeSpace(tt.in); got != tt.want {
			t.Errorf("NormalizeSpace(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
