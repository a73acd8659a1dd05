package figures

import (
	"unicode"
	"unicode/utf8"
)

// Why a token cannot be part of a quantity.
const (
	mFree    uint8 = iota
	mName          // inside a model, organisation or benchmark name
	mDate          // inside a date
	mMoney         // a price or an amount of money
	mVersion       // a version, level or reference number
)

// sent is the analysis of one sentence. One is reused per Extract call.
type sent struct {
	e      *Extractor
	s      string
	toks   []token
	euro   bool
	allLow bool // the sentence has no upper-case letter: names match in any case
	mask   []uint8
	strong []int16 // clause ids: ; but while whereas, parentheses
	fine   []int16 // clause ids: also dashes and colons
	ents   []entity
	dates  []dateEnt
	quants []quant
	hits   []hit // cue hits; tag is a bit set of cue categories
	has    uint64
	xhits  []hit // configured cue hits; tag indexes Extractor.custom (or -1-builtin)

	qualWord string // scratch: the first word of the last qualifier read
}

func (a *sent) reset(e *Extractor, s string) {
	a.e, a.s = e, s
	a.toks = tokenize(s, a.toks)
	n := len(a.toks)
	a.mask = grow(a.mask, n)
	a.strong = grow16(a.strong, n)
	a.fine = grow16(a.fine, n)
	a.ents, a.dates, a.quants, a.hits, a.xhits = a.ents[:0], a.dates[:0], a.quants[:0], a.hits[:0], a.xhits[:0]
	a.has = 0
	a.euro = euroSentence(a.toks)
	a.allLow = true
	for _, t := range a.toks {
		if t.upper {
			a.allLow = false
			break
		}
	}
	a.clauses()
}

func grow(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	b = b[:n]
	clear(b)
	return b
}

func grow16(b []int16, n int) []int16 {
	if cap(b) < n {
		return make([]int16, n)
	}
	b = b[:n]
	clear(b)
	return b
}

var strongBarriers = wordSet("but", "while", "whereas", "although", "though", "however", "aber", "mais", "pero", "但", "而")

// clauses numbers the clauses of the sentence at two granularities.
func (a *sent) clauses() {
	var st, fi int16
	var stack [][2]int16
	next := int16(0)
	newID := func() int16 { next++; return next }
	for k := range a.toks {
		t := &a.toks[k]
		switch {
		case t.low == "(" || t.low == "[":
			stack = append(stack, [2]int16{st, fi})
			st, fi = newID(), newID()
		case (t.low == ")" || t.low == "]") && len(stack) > 0:
			a.strong[k], a.fine[k] = st, fi
			st, fi = stack[len(stack)-1][0], stack[len(stack)-1][1]
			stack = stack[:len(stack)-1]
			continue
		case t.low == ";" || (t.kind == kWord && strongBarriers[t.low] && k > 0):
			st, fi = newID(), newID()
		case t.low == "—" || t.low == ":" || ((t.low == "–" || t.low == "-") && t.space && k+1 < len(a.toks) && a.toks[k+1].space):
			fi = newID()
		}
		a.strong[k], a.fine[k] = st, fi
	}
}

// sameFine reports whether tokens i and j are in the same fine clause.
func (a *sent) sameFine(i, j int) bool { return a.fine[i] == a.fine[j] }

// sameStrong reports whether tokens i and j are in the same strong clause.
func (a *sent) sameStrong(i, j int) bool { return a.strong[i] == a.strong[j] }

// low returns the lower-case form of token k, or "" out of range.
func (a *sent) low(k int) string {
	if k < 0 || k >= len(a.toks) {
		return ""
	}
	return a.toks[k].low
}

// is reports whether token k is one of the words.
func (a *sent) is(k int, ws words) bool {
	if k < 0 || k >= len(a.toks) {
		return false
	}
	return ws[a.toks[k].low]
}

// mayHoldFigure is the cheap first test: most sentences hold no digit and
// no number word and are rejected here.
func mayHoldFigure(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			return true
		}
	}
	// words: scan ASCII letter runs; any non-ASCII rune sends the sentence
	// to the full analysis (other scripts, accented number words).
	start := -1
	for i := 0; i <= len(s); i++ {
		var c byte = ' '
		if i < len(s) {
			c = s[i]
		}
		if c >= utf8.RuneSelf {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				return true
			}
		}
		isL := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if isL {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if triggerWord(s[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

// triggerWord reports whether an ASCII word may start or carry a quantity.
func triggerWord(w string) bool {
	if len(w) > 12 {
		return false
	}
	var b [12]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return triggers[string(b[:len(w)])]
}

// triggers are the ASCII words that may carry a quantity without a digit.
var triggers = func() words {
	t := wordSet("half", "dozen", "couple", "single", "double", "triple", "twice", "order", "orders",
		"factor", "doubled", "tripled", "quadrupled", "hundred", "thousand")
	for w := range unitWords {
		t[w] = true
	}
	for w := range tensWords {
		t[w] = true
	}
	for w := range denomWords {
		t[w] = true
	}
	for w := range multWords {
		t[w] = true
	}
	for w := range durWords {
		t[w] = true
	}
	return t
}()

// durWords are duration unit words that make "a week" a quantity.
var durWords = wordSet("hour", "day", "week", "month", "year", "minute", "heure", "hora", "semana", "semaine",
	"tag", "woche", "monat", "jahr", "stunde", "mes", "mois", "journée", "dia", "día")

var (
	currencySigns = wordSet("$", "€", "£", "¥", "₹", "₩", "us$", "usd", "eur", "gbp", "cny", "rmb")
	currencyAfter = wordSet("dollars", "dollar", "euros", "euro", "usd", "eur", "yuan", "元", "美元", "pounds",
		"yen", "rupees", "dólares", "dollar", "francs")
	versionBefore = wordSet("version", "v", "level", "tier", "gen", "generation", "series", "asl", "phase",
		"stage", "step", "round", "figure", "fig", "table", "section", "chapter", "page", "no", "#", "rank",
		"ranked", "number", "issue", "volume", "vol", "part", "grade", "category")
	ordinalSuffix = wordSet("th", "st", "nd", "rd")
)

// premask marks numbers that are never quantities: money, versions and
// reference numbers, ordinals, times of day, citation marks.
func (a *sent) premask() {
	toks := a.toks
	a.maskURLs()
	for k := range toks {
		t := &toks[k]
		if t.kind != kNum || a.mask[k] != mFree {
			continue
		}
		prev, next := a.low(k-1), a.low(k+1)
		switch {
		case currencySigns[prev] || prev == "$" || currencySigns[a.low(k-2)] && (prev == "-" || prev == "~"):
			a.maskNumber(k, mMoney)
		case currencyAfter[next] || next != "" && currencyAfter[a.low(k+2)] && scaleWords[next] > 0:
			a.maskNumber(k, mMoney)
		case prev == "-" && !t.space && k >= 2 && !toks[k-1].space && toks[k-2].kind == kWord &&
			(toks[k-2].upper || toks[k-2].digit) && !articleWords[toks[k-2].low]:
			a.mask[k] = mVersion // "ASL-3", "COVID-19"
		case versionBefore[prev]:
			a.mask[k] = mVersion
		case prev == "[" && next == "]":
			a.mask[k] = mVersion
		case ordinalSuffix[next] && k+1 < len(toks) && !toks[k+1].space:
			a.mask[k] = mVersion
		case next == ":" && k+2 < len(toks) && toks[k+2].kind == kNum && !toks[k+1].space && !toks[k+2].space:
			a.mask[k], a.mask[k+2] = mVersion, mVersion
		case prev == "." && k >= 2 && toks[k-2].kind == kNum && !t.space && !toks[k-1].space:
			a.mask[k] = mVersion // "3.7.1" pieces
		}
	}
}

// maskURLs masks URLs, e-mail addresses and percent-encoded text: from a
// scheme ("https:"), "www." or an "@" to the next white space.
func (a *sent) maskURLs() {
	toks := a.toks
	for k := 0; k < len(toks); k++ {
		w := toks[k].low
		start := false
		switch {
		case (w == "http" || w == "https" || w == "ftp") && a.low(k+1) == ":" && !toks[k+1].space:
			start = true
		case w == "www" && a.low(k+1) == "." && !toks[k+1].space:
			start = true
		case w == "%" && k+1 < len(toks) && !toks[k+1].space && toks[k+1].kind == kNum && k > 0 && !toks[k].space &&
			toks[k-1].kind != kNum:
			start = true // "repo%3Astretchr%2F…"
		}
		if !start {
			continue
		}
		m := k
		for m < len(toks) && (m == k || !toks[m].space) {
			a.mask[m] = mVersion
			m++
		}
		k = m - 1
	}
}

// maskNumber masks a number and a scale word after it ("$65 billion").
func (a *sent) maskNumber(k int, why uint8) {
	a.mask[k] = why
	for m := k + 1; m < len(a.toks) && m < k+3; m++ {
		w := a.low(m)
		if scaleWords[w] > 0 || w == "k" || w == "m" || w == "b" || w == "bn" || w == "mn" || w == "mil" ||
			a.toks[m].kind == kNum && !a.toks[m].space {
			a.mask[m] = why
			continue
		}
		break
	}
}
