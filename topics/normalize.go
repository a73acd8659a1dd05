package topics

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text is cut into tokens the same way whether it is an article or a
// phrase, so that a phrase matches exactly the texts that read the same:
//
//   - a token is a run of letters and digits (any script), lower-cased and
//     with diacritics and compatibility forms folded ("Gödel" → "godel",
//     "ﬁ" → "fi", "Straße" → "strasse");
//   - combining marks are dropped and never split a token;
//   - everything else separates tokens, so "self-improvement",
//     "self improvement" and "self—improvement" are all [self improvement];
//   - "." and "," between ASCII digits stay inside a token ("1.5", "4,000");
//   - "%" is a token of its own, so "80% of code" is [80 % of code].

// tokenKind says how a phrase token matches a text token.
type tokenKind uint8

const (
	kindExact  tokenKind = iota // the same token
	kindPrefix                  // a token that starts with it ("agentic*")
	kindNumber                  // any number: digits or a number word ("#")
	kindAny                     // any one word ("?"), never first
)

// ptoken is one token of a compiled phrase.
type ptoken struct {
	text string
	kind tokenKind
}

// span is one token of a text: buf[start:end] of its tokenizer.
type span struct {
	start, end int32
	num        bool // starts with a digit
}

// tokenizer cuts texts into normalised tokens. Its buffers are reused from
// one text to the next, so a warm tokenizer does not allocate.
type tokenizer struct {
	buf  []byte
	toks []span
}

// asciiClass says what each ASCII byte is to the tokenizer.
var asciiClass [128]uint8

const (
	clSep   = iota // separates tokens
	clAlnum        // a letter or a digit
	clDigit        // a digit (also alnum)
	clJoin         // "." or ",": inside a number
	clPct          // "%": a token of its own
)

func init() {
	for c := 'a'; c <= 'z'; c++ {
		asciiClass[c] = clAlnum
		asciiClass[c-'a'+'A'] = clAlnum
	}
	for c := '0'; c <= '9'; c++ {
		asciiClass[c] = clDigit
	}
	asciiClass['.'] = clJoin
	asciiClass[','] = clJoin
	asciiClass['%'] = clPct
}

func (z *tokenizer) reset() {
	z.buf = z.buf[:0]
	z.toks = z.toks[:0]
}

// token returns the bytes of the i-th token.
func (z *tokenizer) token(i int) []byte {
	s := z.toks[i]
	return z.buf[s.start:s.end]
}

// tokenize appends the tokens of s.
func (z *tokenizer) tokenize(s string) {
	buf := z.buf
	start := -1 // start in buf of the token being built, -1 between tokens
	num := false
	end := func() {
		if start >= 0 && len(buf) > start {
			z.toks = append(z.toks, span{int32(start), int32(len(buf)), num})
		}
		start = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case clAlnum:
				if start < 0 {
					start, num = len(buf), false
				}
				buf = append(buf, c|0x20) // ASCII letters: set the lower-case bit
			case clDigit:
				if start < 0 {
					start, num = len(buf), true
				}
				buf = append(buf, c)
			case clJoin:
				if start >= 0 && len(buf) > start && isDigit(buf[len(buf)-1]) && i+1 < len(s) && isDigit(s[i+1]) {
					buf = append(buf, c)
				} else {
					end()
				}
			case clPct:
				end()
				z.toks = append(z.toks, span{int32(len(buf)), int32(len(buf) + 1), false})
				buf = append(buf, '%')
			default:
				end()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			end()
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r):
			if start < 0 {
				start, num = len(buf), unicode.IsDigit(r)
			}
			buf = foldRune(buf, r)
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// A combining mark belongs to the letter before it: drop it.
		default:
			end()
		}
	}
	end()
	z.buf = buf
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// foldTable maps the letters that fold to something else than their lower
// case: accented Latin, Greek and Cyrillic letters, ligatures, full-width
// forms and a few letters that have no decomposition. Every value is made
// of letters and digits that fold to themselves, so folding is idempotent.
var foldTable = buildFoldTable()

func buildFoldTable() map[rune]string {
	t := map[rune]string{}
	ranges := [][2]rune{
		{0x00C0, 0x024F}, // Latin-1 Supplement, Latin Extended-A and -B
		{0x0370, 0x04FF}, // Greek, Cyrillic
		{0x1E00, 0x1FFF}, // Latin Extended Additional, Greek Extended
		{0xFB00, 0xFB06}, // Latin ligatures
		{0xFF10, 0xFF5A}, // full-width digits and letters
	}
	special := map[rune]string{
		'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
		'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l",
		'þ': "th", 'Þ': "th", 'ð': "d", 'Ð': "d", 'ı': "i", 'ħ': "h", 'Ħ': "h",
	}
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
			f, ok := special[r]
			if !ok {
				var b strings.Builder
				for _, d := range norm.NFKD.String(string(r)) {
					if !unicode.Is(unicode.Mn, d) {
						b.WriteRune(unicode.ToLower(d))
					}
				}
				f = b.String()
			}
			if f != "" && f != string(unicode.ToLower(r)) {
				t[r] = f
			}
		}
	}
	// Fold the folded forms again until nothing changes, and drop the
	// entries that do not settle on plain letters and digits.
	for r, f := range t {
		for range 4 {
			g := refold(t, f)
			if g == f {
				break
			}
			f = g
		}
		if refold(t, f) != f || !plainToken(f) {
			delete(t, r)
			continue
		}
		t[r] = f
	}
	return t
}

// refold folds every rune of f once with table t.
func refold(t map[rune]string, f string) string {
	var b strings.Builder
	for _, r := range f {
		r = unicode.ToLower(r)
		if g, ok := t[r]; ok {
			b.WriteString(g)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainToken reports whether f is made only of lower-case letters and
// digits, that is whether the tokenizer keeps it whole.
func plainToken(f string) bool {
	for _, r := range f {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.ToLower(r) != r {
			return false
		}
	}
	return true
}

// foldRune appends the folded form of the letter or digit r to buf.
func foldRune(buf []byte, r rune) []byte {
	if f, ok := foldTable[r]; ok {
		return append(buf, f...)
	}
	l := unicode.ToLower(r)
	if l != r {
		if f, ok := foldTable[l]; ok {
			return append(buf, f...)
		}
	}
	return utf8.AppendRune(buf, l)
}

// Normalize returns text as the matcher sees it: its tokens joined by
// single spaces ("Self-Improvement in Zürich" → "self improvement in
// zurich").
func Normalize(text string) string {
	var z tokenizer
	z.tokenize(text)
	var b strings.Builder
	for i := range z.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(z.token(i))
	}
	return b.String()
}

// numberWords are the words that a "#" in a phrase matches besides digits.
var numberWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`zero one two three four five six seven eight nine ten
		eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty
		thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands
		dozen dozens several multiple many`) {
		numberWords[w] = true
	}
}

// parsePhrase compiles a phrase into tokens. A word "#" matches any number,
// a word "?" any one word (not as the first: "% of ? code" finds "80% of
// Anthropic's code"), and a word ending in "*" matches every token it
// starts.
func parsePhrase(p string) ([]ptoken, error) {
	var out []ptoken
	var z tokenizer
	for _, w := range strings.Fields(p) {
		if w == "#" {
			out = append(out, ptoken{text: "#", kind: kindNumber})
			continue
		}
		if w == "?" {
			if len(out) == 0 {
				return nil, fmt.Errorf("%q: a phrase cannot start with ?", p)
			}
			out = append(out, ptoken{text: "?", kind: kindAny})
			continue
		}
		base, star := strings.CutSuffix(w, "*")
		if strings.Contains(base, "*") {
			return nil, fmt.Errorf("%q: a * may only end a word", w)
		}
		z.reset()
		z.tokenize(base)
		if star && len(z.toks) == 0 {
			return nil, fmt.Errorf("%q: a * needs a word before it", w)
		}
		for i := range z.toks {
			t := ptoken{text: string(z.token(i)), kind: kindExact}
			if star && i == len(z.toks)-1 {
				t.kind = kindPrefix
			}
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q has no words", p)
	}
	return out, nil
}
