package archive

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTSQuery(t *testing.T) {
	near := func(a, b string) string {
		var alts []string
		for _, k := range []string{"1", "2", "3", "4"} {
			alts = append(alts, "("+a+" <"+k+"> "+b+")", "("+b+" <"+k+"> "+a+")")
		}
		return "(" + strings.Join(alts, " | ") + ")"
	}
	tests := []struct{ in, want, err string }{
		{in: "autonomy", want: "'autonomy'"},
		{in: "agents autonomy", want: "('agents' & 'autonomy')"},
		{in: "a AND b OR c", want: "(('a' & 'b') | 'c')"},
		{in: "a OR b c", want: "('a' | ('b' & 'c'))"},
		{in: "a NOT b", want: "('a' & !'b')"},
		{in: `"autonomy record"`, want: "'autonomy record'"},
		{in: `"say ""hi"""`, want: `'say "hi"'`},
		{in: "coop*", want: "'coop':*"},
		{in: "title:autonomy", want: "'autonomy':A"},
		{in: "text:Research*", want: "'Research':*B"},
		{in: "(a OR b) c", want: "(('a' | 'b') & 'c')"},
		{in: "NEAR(a b, 3)", want: near("'a'", "'b'")},
		{in: "NEAR(a b c)", want: "('a' & 'b' & 'c')"},
		{in: "it's", err: "unexpected"},
		{in: `"it's"`, want: "'it''s'"},
		{in: `"back\slash"`, want: `'back\\slash'`},
		{in: "café", want: "'café'"},
		{in: "AND", err: "operator"},
		{in: "a AND", err: "AND without"},
		{in: "a OR", err: "missing term"},
		{in: `"open`, err: "unterminated"},
		{in: "(a", err: "parenthesis"},
		{in: "a)", err: "unexpected"},
		{in: "foo:a", err: "no such column"},
		{in: "NEAR(", err: "unterminated"},
		{in: "*", err: "unexpected"},
		{in: "\x00a", err: "unexpected"},
		{in: "-", err: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := tsQuery(tt.in)
			if tt.err != "" {
				var te *tsSyntaxError
				if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("tsQuery(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
				}
				if !isQueryError(err) {
					t.Errorf("isQueryError(%v) = false", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("tsQuery(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPGPlaceholders(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT ? , ?":                          "SELECT $1 , $2",
		"WHERE a = ?1 AND b = ?2 OR c = ?1":     "WHERE a = $1 AND b = $2 OR c = $1",
		"WHERE a = '?' AND b = ? AND \"?\" = ?": "WHERE a = '?' AND b = $1 AND \"?\" = $2",
		"SELECT 1":                              "SELECT 1",
	} {
		if got := pgPlaceholders(in); got != want {
			t.Errorf("pgPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
	d := &dialect{pg: true}
	if got := d.rebind("instr(lower(f.subject), lower(?)) > 0"); got != "strpos(lower(f.subject), lower($1)) > 0" {
		t.Errorf("rebind = %q", got)
	}
	args := d.args([]any{true, false, "x", int64(3)})
	if args[0] != int64(1) || args[1] != int64(0) || args[2] != "x" {
		t.Errorf("args = %v", args)
	}
	if got := (&dialect{}).rebind("a = ?"); got != "a = ?" {
		t.Errorf("sqlite rebind = %q", got)
	}
}

// Whatever the query, tsQuery does not panic, and QuoteTerms' form (the
// retry of Search) is always valid.
func FuzzTSQuery(f *testing.F) {
	for _, seed := range []string{"autonomy", "AND", `"unbalanced`, "foo:bar", "NEAR(a b, 2)", "*", "a OR", "-x",
		"^title", "title:autonomy NOT record", "\x00", "(((", `""`, "é*", "a + b", "\xff\xfe", `"a\'b"`, "NEAR(a, 99999999999999999999)"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if out, err := tsQuery(q); err == nil && !utf8.ValidString(out) {
			t.Errorf("tsQuery(%q) = %q: not UTF-8", q, out)
		}
		if quoted := QuoteTerms(q); quoted != "" {
			if _, err := tsQuery(quoted); err != nil {
				t.Errorf("tsQuery(QuoteTerms(%q) = %q): %v", q, quoted, err)
			}
		}
	})
}

// FuzzSearchPostgres is FuzzSearch on PostgreSQL: any query gives results
// or ErrBadQuery, never another error.
func FuzzSearchPostgres(f *testing.F) {
	for _, seed := range []string{"autonomy", "AND", `"unbalanced`, "foo:bar", "NEAR(a b, 2)", "*", "a OR", "-x",
		"^title", "title:autonomy NOT record", "\x00", "(((", `""`, "é*", "a + b", "{title text}: x", "\xff\xfe", `"it's"`, `\`} {
		f.Add(seed)
	}
	s, _ := fillSearchFixture(f, openPGTest(f))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		_, err := s.Search(ctx, Query{Text: q, Limit: 5})
		if err != nil && !errors.Is(err, ErrBadQuery) {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
