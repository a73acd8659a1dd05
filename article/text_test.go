package article

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "  Models now  handle\t12-hour tasks. ", "Models now handle 12-hour tasks."},
		{"paragraphs", "<p>First &amp; foremost.</p><p>Second<br>line</p>", "First & foremost.\nSecond\nline"},
		{"inline", "Over <b>80%</b> of <a href='/x'>code</a>", "Over 80% of code"},
		{"script and style", "<p>Keep</p><script>var x = '<p>drop</p>';</script><style>p{}</style><p>this</p>", "Keep\nthis"},
		{"entities", "5 &lt; 6 &mdash; &#8220;quoted&#8221; caf&eacute;", "5 < 6 — “quoted” café"},
		{"list", "<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
		{"unclosed", "<p>open <i>italic", "open italic"},
		{"cdata-like text", "a <![CDATA[x]]> b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainTextDeepNesting(t *testing.T) {
	in := strings.Repeat("<div>", 100000) + "deep" + strings.Repeat("</div>", 100000)
	if got := PlainText(in); got != "deep" {
		t.Errorf("got %q", got)
	}
}

func TestWordCount(t *testing.T) {
	if n := WordCount(" one two\nthree\t four "); n != 4 {
		t.Errorf("WordCount = %d, want 4", n)
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<script>x", "&amp;&#x;", "<svg><p>x</svg>y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := PlainText(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("valid input gave invalid UTF-8: %q", out)
		}
		if strings.Contains(out, "\n\n") {
			t.Fatalf("empty line in output %q", out)
		}
	})
}

// foldLinesReference is the straightforward foldLines, kept to check the
// one-pass version against. It folds each line's runs of white space into one space, trims the
// lines and drops empty ones.
func foldLinesReference(s string) string {
	var out strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		f := strings.FieldsFunc(line, unicode.IsSpace)
		if len(f) == 0 {
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(strings.Join(f, " "))
	}
	return out.String()
}

func FuzzFoldLines(f *testing.F) {
	for _, s := range []string{"  a  b \n\n c\t\u00a0d \n ", "\x85x\u2028y", "\n\nx\n", "é  ü\u2003z", "\r\n a\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := foldLines(s), foldLinesReference(s); got != want {
			t.Fatalf("foldLines(%q) = %q, want %q", s, got, want)
		}
	})
}
