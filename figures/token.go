package figures

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tkind is the kind of a token.
type tkind uint8

const (
	kWord  tkind = iota + 1 // letters; digits too when it starts with a letter ("o3", "K2.5")
	kNum                    // digits with internal separators ("1,000", "4.5")
	kPunct                  // one rune of anything else
	kCJK                    // one Han, kana or hangul rune
)

// token is one token of a sentence. Offsets are bytes into the sentence.
type token struct {
	s, e  int
	kind  tkind
	low   string // lower case; punctuation normalised (’ → ', “ → ", ‐ → -)
	space bool   // whitespace before it
	upper bool   // first rune is upper case
	digit bool   // a word that contains digits
}

// punctNorm folds look-alike punctuation so lexicons need one spelling.
var punctNorm = map[rune]string{
	'’': "'", '‘': "'", '‚': "'", '′': "'", '`': "'",
	'“': `"`, '”': `"`, '„': `"`, '«': `"`, '»': `"`, '″': `"`,
	'‐': "-", '‑': "-", '‒': "-", '−': "-", '﹣': "-", '－': "-",
	'％': "%", '～': "~", '〜': "~", '，': ",", '：': ":", '；': ";",
	'（': "(", '）': ")", '．': ".", '！': "!", '？': "?", '。': ".",
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

func isCJK(r rune) bool {
	if r < 0x1100 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || (unicode.IsNumber(r) && !isDigitRune(r) && r > 127)
}

// tokenize splits a sentence into tokens. It appends to buf to let callers
// reuse memory.
func tokenize(s string, buf []token) []token {
	toks := buf[:0]
	space := false
	i := 0
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r) || r == '\u200b':
			space = true
			i += n
			continue
		case isDigitRune(r):
			j := scanNumber(s, i)
			toks = append(toks, token{s: i, e: j, kind: kNum, low: s[i:j], space: space})
			i = j
		case isCJK(r):
			toks = append(toks, token{s: i, e: i + n, kind: kCJK, low: s[i : i+n], space: space})
			i += n
		case isWordRune(r):
			afterNum := !space && len(toks) > 0 && toks[len(toks)-1].kind == kNum && toks[len(toks)-1].e == i
			j, hasDigit := scanWord(s, i, !afterNum)
			w := s[i:j]
			toks = append(toks, token{s: i, e: j, kind: kWord, low: lower(w), space: space,
				upper: unicode.IsUpper(r), digit: hasDigit})
			i = j
		default:
			low := s[i : i+n]
			if p, ok := punctNorm[r]; ok {
				low = p
			}
			toks = append(toks, token{s: i, e: i + n, kind: kPunct, low: low, space: space})
			i += n
		}
		space = false
	}
	return toks
}

// scanNumber reads digits with single internal '.' or ',' separators.
func scanNumber(s string, i int) int {
	j := i
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if isDigitRune(r) {
			j += n
			continue
		}
		if (r == '.' || r == ',') && j+1 < len(s) {
			r2, _ := utf8.DecodeRuneInString(s[j+1:])
			if isDigitRune(r2) {
				j++
				continue
			}
		}
		break
	}
	return j
}

// scanWord reads a word. With digits allowed (the word does not stick to a
// number before it) it also takes digits and a '.' between digits: "K2.5".
func scanWord(s string, i int, digits bool) (int, bool) {
	j := i
	hasDigit := false
	for j < len(s) {
		r, n := rune(s[j]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[j:])
		}
		switch {
		case isWordRune(r) && !isCJK(r):
			j += n
		case digits && r >= '0' && r <= '9':
			hasDigit = true
			j += n
		case digits && hasDigit && r == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9':
			j++
		default:
			return j, hasDigit
		}
	}
	return j, hasDigit
}

// lower lower-cases a word without allocating when it already is.
func lower(w string) string {
	ascii, hasUpper := true, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			hasUpper = true
		}
	}
	if ascii && !hasUpper {
		return w
	}
	if ascii {
		b := make([]byte, len(w))
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		return string(b)
	}
	return strings.ToLower(w)
}
