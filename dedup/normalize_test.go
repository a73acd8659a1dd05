package dedup

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  \n\t ", ""},
		{"Hello, World!", "hello world"},
		{"Anthropic’s “When AI Builds Itself” report", "anthropics when ai builds itself report"},
		{`Anthropic's "When AI Builds Itself" report`, "anthropics when ai builds itself report"},
		{"self-improvement — designing successors", "self improvement designing successors"},
		{"self–improvement – designing successors", "self improvement designing successors"},
		{"line one\r\nline two\n\nline three", "line one line two line three"},
		{"ＧＰＴ－５ scored ８０％", "gpt 5 scored 80"},                                    // full-width forms (NFKC)
		{"the ﬁnal ﬂow", "the final flow"},                                         // ligatures
		{"Claude 4.6 Opus, 1,000 tasks, 3.5x", "claude 4.6 opus 1,000 tasks 3.5x"}, // decimals stay
		{"It ends. 4. Then", "it ends 4 then"},
		{"com\u00adputer zero\u200bwidth", "computer zerowidth"}, // soft hyphen, zero-width space
		{"Straße ÉCOLE", "straße école"},
		{"'quoted' and rock 'n' roll", "quoted and rock n roll"},
		{"“80%” of code", "80 of code"},
		{"KI-Agenten arbeiten länger", "ki agenten arbeiten länger"},
		{"人工智能的自我改进", "人工智能的自我改进"},
		{"e\u0301cole", "école"},
		{"x\u200b\u0301y", "x\u0301y"},
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize not idempotent on %q: %q", got, again)
		}
	}
}

func TestContentHash(t *testing.T) {
	a := ContentHash("Anthropic’s report — “When AI Builds Itself”.\n")
	b := ContentHash(`ANTHROPIC'S REPORT - "when ai builds itself"`)
	if a != b {
		t.Errorf("hashes differ for texts that differ only in case and punctuation: %s %s", a, b)
	}
	if c := ContentHash("Anthropic's report: when AI builds itself, again"); c == a {
		t.Error("different words, same hash")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("ContentHash = %q, want 64 lower-case hex digits", a)
	}
	// SHA-256 of the empty string: the hash is the plain digest of the normalised text.
	if got, want := ContentHash(" … "), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("ContentHash(punctuation only) = %s, want %s", got, want)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Anthropic’s “report” — 80% of code", "ＧＰＴ－５ ﬁ", "e\u0301\u200b\u0301", "1,000.5 don't", "人工智能 ok", "\xff\xfe bad utf8", "ᄀ'ᅡ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, again)
		}
		if !utf8.ValidString(n) || strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8 or loose spaces", s, n)
		}
		if ContentHash(s) != ContentHash(n) {
			t.Fatalf("ContentHash differs between %q and its normalisation", s)
		}
	})
}
