package figures

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits plain text into sentences.
//
// A sentence ends at '.', '!', '?', '…' or an ellipsis followed by space
// and a sentence start (closing quotes and brackets stay with it), at
// '。', '！', '？', and at line breaks: a line is a sentence even without a
// full stop (list items, headings), except that a line ending without
// punctuation continues when the next line starts in lower case (hard
// wrapping). A point does not end a sentence inside a number or a name
// ("4.5", "GPT-5.1", "example.com"), after an initial ("Frank F. Xu"), a
// title or a Latin abbreviation ("Dr.", "e.g.", "vs.", "approx."), or after
// an abbreviation such as "Inc.", "U.S." or "Jan." unless a common
// sentence opener follows. Bullet marks at the start of a line are dropped.
//
// Each sentence has its whitespace normalised: runs of white space become
// one space and the ends are trimmed. Every sentence is a substring of the
// text with the same normalisation applied (NormalizeSpace).
func Sentences(text string) []string {
	var out []string
	forEachSentence(text, func(s string) { out = append(out, s) })
	return out
}

// NormalizeSpace collapses each run of white space into one space and
// trims the ends.
func NormalizeSpace(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || unicode.IsSpace(r) || r == '\u200b' {
				clean = false
				break
			}
			prevSpace = false
			i += n
			continue
		}
		sp := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		if sp && (c != ' ' || prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
		i++
	}
	if clean && !prevSpace {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forEachSentence calls fn with each sentence of text.
func forEachSentence(text string, fn func(string)) {
	start := -1 // start of the current block of lines
	prevEnd := 0

	emitBlock := func(end int) {
		if start >= 0 {
			splitBlock(text[start:end], fn)
		}
		start = -1
	}
	for pos := 0; pos <= len(text); {
		nl := strings.IndexByte(text[pos:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		ls, le := trimSpan(text, pos, lineEnd)
		ls = skipBullet(text, ls, le)
		if ls >= le {
			emitBlock(prevEnd) // a blank line ends the block
		} else {
			if start >= 0 && !continues(text[start:prevEnd], text[ls:le]) {
				emitBlock(prevEnd)
			}
			if start < 0 {
				start = ls
			}
			prevEnd = le

		}
		if nl < 0 {
			break
		}
		pos = lineEnd + 1
	}
	emitBlock(prevEnd)
}

// trimSpan trims white space from text[s:e].
func trimSpan(text string, s, e int) (int, int) {
	for s < e {
		r, n := utf8.DecodeRuneInString(text[s:e])
		if !unicode.IsSpace(r) && r != '\u200b' && r != '\ufeff' {
			break
		}
		s += n
	}
	for e > s {
		r, n := utf8.DecodeLastRuneInString(text[s:e])
		if !unicode.IsSpace(r) && r != '\u200b' {
			break
		}
		e -= n
	}
	return s, e
}

// skipBullet skips a bullet mark at the start of a line.
func skipBullet(text string, s, e int) int {
	r, n := utf8.DecodeRuneInString(text[s:e])
	switch r {
	case '•', '·', '◦', '▪', '‣', '-', '*', '–', '—', '►', '➤':
		if s+n < e {
			r2, _ := utf8.DecodeRuneInString(text[s+n : e])
			if unicode.IsSpace(r2) {
				s2, _ := trimSpan(text, s+n, e)
				return s2
			}
		}
	}
	return s
}

// continues reports whether line next continues the block (hard wrap).
func continues(block, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(block)
	switch last {
	case '.', '!', '?', '…', '。', '！', '？', ':', ';', '"', '”', '\'', '’', ')', ']':
		return false
	}
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(first)
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']', '」', '』', '）':
		return true
	}
	return false
}

// splitBlock splits a block of lines into sentences.
func splitBlock(b string, fn func(string)) {
	start := 0
	lowerOnly := true // a text written all in lower case starts sentences in lower case
	for _, r := range b {
		if unicode.IsUpper(r) {
			lowerOnly = false
			break
		}
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRuneInString(b[i:])
		if !isTerminator(r) {
			i += n
			continue
		}
		end := i + n
		dots := 1
		for end < len(b) {
			r2, n2 := utf8.DecodeRuneInString(b[end:])
			if !isTerminator(r2) {
				break
			}
			dots++
			end += n2
		}
		for end < len(b) {
			r2, n2 := utf8.DecodeRuneInString(b[end:])
			if !isCloser(r2) {
				break
			}
			end += n2
		}
		if boundary(b, start, i, end, r, dots, lowerOnly) {
			emit(b[start:end], fn)
			start = end
		}
		i = end
	}
	emit(b[start:], fn)
}

func emit(s string, fn func(string)) {
	s = NormalizeSpace(s)
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			fn(s)
			return
		}
	}
}

// Abbreviations that never end a sentence, and ones that end it only
// before a common sentence opener.
var (
	abbrevAlways = wordSet("mr", "mrs", "ms", "dr", "prof", "st", "sr", "vs", "approx", "e.g", "i.e", "cf", "ca",
		"fig", "figs", "vol", "pp", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt", "mt", "ft", "z.b",
		"bzw", "vgl", "resp", "dept", "est", "incl", "excl", "min", "max", "nr", "op", "mme", "sra", "dra")
	abbrevMaybe = wordSet("inc", "ltd", "co", "corp", "llc", "etc", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m",
		"jr", "al", "bros", "plc", "gmbh", "ag", "s.a", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
		"sept", "oct", "nov", "dec", "no", "nos")
	openers = wordSet("the", "a", "an", "it", "this", "that", "these", "those", "he", "she", "they", "we", "i",
		"in", "on", "at", "but", "and", "however", "its", "his", "her", "their", "our", "as", "for", "by",
		"with", "according", "after", "before", "when", "while", "if", "so", "yet", "meanwhile", "still",
		"also", "then", "there", "here", "what", "why", "how", "some", "many", "most", "such", "both", "all",
		"not", "one", "more", "other", "since", "during", "last", "next", "today", "now", "its", "you", "my")
)

// boundary decides whether the terminator at b[i] (run ending at end)
// ends a sentence.
func boundary(b string, segStart, i, end int, r rune, dots int, lowerOnly bool) bool {
	switch r {
	case '。', '！', '？':
		return true
	}
	// what follows
	next := end
	for next < len(b) {
		r2, n2 := utf8.DecodeRuneInString(b[next:])
		if !unicode.IsSpace(r2) {
			break
		}
		next += n2
	}
	if next >= len(b) {
		return true
	}
	if next == end {
		return false // "4.5", "e.g.x", "example.com", "U.S.-based"
	}
	nr, _ := utf8.DecodeRuneInString(b[next:])
	if unicode.IsLower(nr) && !lowerOnly {
		return false
	}
	if r != '.' || dots > 1 {
		return true // "?", "!", "…", "..."
	}
	// the word before the point
	ws := i
	for ws > segStart {
		r2, n2 := utf8.DecodeLastRuneInString(b[segStart:ws])
		if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '.') {
			break
		}
		ws -= n2
	}
	w := strings.ToLower(strings.Trim(b[ws:i], "."))
	if w == "" {
		return true
	}
	nextWord := firstWord(b[next:])
	switch {
	case abbrevAlways[w]:
		return false
	case utf8.RuneCountInString(w) == 1 && unicode.IsUpper(firstRune(b[ws:i])):
		return false // an initial
	case abbrevMaybe[w] || strings.Count(w, ".") >= 1 && len(w) <= 5:
		if unicode.IsDigit(nr) {
			return false // "Jan. 5", "No. 3"
		}
		return openers[strings.ToLower(nextWord)]
	case lowerOnly && unicode.IsLower(nr) && utf8.RuneCountInString(w) == 1:
		return false // "e. coli" in a lower-case text
	case isDigits(w) && strings.TrimSpace(b[segStart:ws]) == "":
		return false // a numbered list item: "1. First"
	}
	return true
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func firstWord(s string) string {
	e := 0
	for e < len(s) {
		r, n := utf8.DecodeRuneInString(s[e:])
		if !unicode.IsLetter(r) {
			break
		}
		e += n
	}
	return s[:e]
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
