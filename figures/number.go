package figures

import (
	"math"
	"strings"
)

// numv is a number read from tokens [i, j).
type numv struct {
	i, j    int
	v       float64
	lo, hi  float64 // bounds of a vague amount ("single digits")
	vague   bool
	frac    bool // a fraction from words ("a third" = 0.333)
	word    bool // spelled out
	approx  bool // "a couple of"
	article bool // "a", "an", "un", "eine": one, but only before a unit
	pct     bool // already a percentage ("single-digit percentages")
}

// Number words, by language; the lexicons are small on purpose.
var (
	unitWords = map[string]float64{
		"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
		"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
		"nineteen": 19,
		// German
		"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
		"acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
		// French
		"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
		"neuf": 9, "dix": 10, "onze": 11, "douze": 12,
		// Spanish
		"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
		"ocho": 8, "nueve": 9, "diez": 10, "doce": 12, "quince": 15,
	}
	tensWords = map[string]float64{
		"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
		"eighty": 80, "ninety": 90,
		"zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50,
		"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
		"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
	}
	scaleWords = map[string]float64{
		"hundred": 100, "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9,
		"trillion": 1e12, "hundert": 100, "tausend": 1e3, "millionen": 1e6, "milliarde": 1e9,
		"milliarden": 1e9, "cent": 100, "mille": 1e3, "milliard": 1e9, "milliards": 1e9,
		"cien": 100, "ciento": 100, "mil": 1e3, "millón": 1e6, "millones": 1e6,
		"bn": 1e9, "mn": 1e6, "k": 1e3,
	}
	// articleWords read as one before a unit ("a week", "une heure").
	articleWords = wordSet("a", "an", "un", "une", "una", "uno", "ein", "eine", "einen", "einem", "einer")
	// denominators of fractions ("a third", "three-quarters", "zwei Drittel").
	denomWords = map[string]float64{
		"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
		"fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
		"seventh": 7, "eighth": 8, "eighths": 8, "ninth": 9, "tenth": 10, "tenths": 10,
		"tiers": 3, "quart": 4, "quarts": 4, "cinquième": 5, "dixième": 10,
		"drittel": 3, "viertel": 4, "fünftel": 5, "zehntel": 10,
		"tercio": 3, "tercios": 3, "cuarto": 4, "cuartos": 4, "quinto": 5, "décimo": 10,
	}
	// halfWords stand alone for one half ("half of all code", "la mitad").
	halfWords = wordSet("half", "moitié", "hälfte", "mitad")
	// zhDigits are Chinese numerals.
	zhDigits = map[string]float64{
		"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
		"六": 6, "七": 7, "八": 8, "九": 9,
	}
	zhScales = map[string]float64{"十": 10, "百": 100, "千": 1000, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}
)

// vagueLex maps vague amounts to bounds: tag = index into vagueBounds.
var (
	vagueBounds = [][2]float64{{1, 9}, {1, 3}, {4, 6}, {7, 9}, {10, 99}, {10, 30}, {40, 60}, {70, 99}, {100, 999}}
	vagueLex    = newLexicon().
			add(0, "single digits", "single digit", "single-digit").
			add(1, "low single digits", "low single digit", "low single-digit").
			add(2, "mid single digits", "mid single digit", "mid single-digit", "mid-single digits", "mid-single-digit").
			add(3, "high single digits", "high single digit", "high single-digit").
			add(4, "double digits", "double digit", "double-digit", "two-digit", "two digits").
			add(5, "low double digits", "low double digit", "low double-digit", "low two-digit").
			add(6, "mid double digits", "mid double-digit", "mid-double digits").
			add(7, "high double digits", "high double-digit").
			add(8, "triple digits", "triple-digit", "three-digit")
	// pctWords say that the amount before them is a percentage.
	pctWordLex = newLexicon().add(1, "percent", "per cent", "percentage", "percentages", "pct", "%",
		"prozent", "pour cent", "por ciento", "porcentaje", "pourcentage")
)

// euroSentence guesses that numbers use a decimal comma ("4,5 Stunden").
func euroSentence(toks []token) bool {
	for _, t := range toks {
		if t.kind == kWord && euroHints[t.low] {
			return true
		}
	}
	return false
}

var euroHints = wordSet("der", "das", "und", "ist", "mit", "von", "des", "les", "une",
	"avec", "dans", "los", "las", "una", "con", "del", "que", "prozent", "pour", "por",
	"stunden", "heures", "horas")

// parseDigits parses a digit string with separators. ok is false for
// strings that are not one number (versions such as "3.7.1"). A comma
// before exactly three digits groups thousands ("1,000") unless the
// sentence uses decimal commas; a lone point before exactly three digits
// groups thousands only in such sentences ("1.000 Stunden").
func parseDigits(raw string, euro bool) (float64, bool) {
	raw = asciiDigits(raw)
	var groups []string
	var seps []byte
	start := 0
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c == '.' || c == ',' {
			groups = append(groups, raw[start:i])
			seps = append(seps, c)
			start = i + 1
		}
	}
	if len(seps) == 0 {
		return parseFloat(raw)
	}
	groups = append(groups, raw[start:])
	dots := 0
	for _, s := range seps {
		if s == '.' {
			dots++
		}
	}
	commas := len(seps) - dots
	all3 := len(groups[0]) >= 1 && len(groups[0]) <= 3
	for _, g := range groups[1:] {
		if len(g) != 3 {
			all3 = false
		}
	}
	n := len(groups)
	switch {
	case dots > 0 && commas > 0:
		last := seps[len(seps)-1]
		for _, s := range seps[:len(seps)-1] {
			if s == last {
				return 0, false
			}
		}
		for _, g := range groups[1 : n-1] {
			if len(g) != 3 {
				return 0, false
			}
		}
		return parseFloat(strings.Join(groups[:n-1], "") + "." + groups[n-1])
	case len(seps) == 1:
		if all3 && (seps[0] == ',') != euro {
			return parseFloat(groups[0] + groups[1])
		}
		return parseFloat(groups[0] + "." + groups[1])
	default:
		if !all3 || seps[0] != seps[len(seps)-1] {
			return 0, false
		}
		return parseFloat(strings.Join(groups, ""))
	}
}

func asciiDigits(s string) string {
	if !strings.ContainsRune(s, '０') && !strings.ContainsAny(s, "１２３４５６７８９") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '０' && r <= '９' {
			r = r - '０' + '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseFloat parses [0-9]+(\.[0-9]+)? without the allocation-heavy strconv
// error path.
func parseFloat(s string) (float64, bool) {
	if s == "" || len(s) > 24 {
		return 0, false
	}
	v, frac, scale, seenDot := 0.0, 0.0, 1.0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			if seenDot {
				scale /= 10
				frac += float64(c-'0') * scale
			} else {
				v = v*10 + float64(c-'0')
			}
		default:
			return 0, false
		}
	}
	return v + frac, true
}

// parseNumber reads a number that starts at toks[i].
func (a *sent) parseNumber(i int) (numv, bool) {
	toks := a.toks
	t := &toks[i]
	if _, e, ok := vagueLex.at(toks, i); ok {
		tag, _, _ := vagueLex.at(toks, i)
		n := numv{i: i, j: e, vague: true, word: true, lo: vagueBounds[tag][0], hi: vagueBounds[tag][1], v: math.NaN()}
		if _, pe, ok := pctWordLex.at(toks, e); ok {
			n.j, n.pct = pe, true
		}
		return n, true
	}
	switch t.kind {
	case kNum:
		return a.parseDigitNumber(i)
	case kCJK:
		return parseZh(toks, i)
	case kWord:
		n, ok := parseWordNumber(toks, i)
		if ok && !n.article && !n.frac {
			a.addHalf(&n)
		}
		return n, ok
	}
	return numv{}, false
}

func (a *sent) parseDigitNumber(i int) (numv, bool) {
	toks := a.toks
	raw := a.s[toks[i].s:toks[i].e]
	v, ok := parseDigits(raw, a.euro)
	if !ok {
		return numv{}, false
	}
	j := i + 1
	// "1 000 000": groups of three digits after a space
	if !strings.ContainsAny(raw, ".,") && len(raw) <= 3 {
		for j < len(toks) && toks[j].kind == kNum && toks[j].space && len(a.s[toks[j].s:toks[j].e]) == 3 &&
			!strings.ContainsAny(a.s[toks[j].s:toks[j].e], ".,") && a.singleSpaceBefore(j) {
			g, _ := parseFloat(asciiDigits(a.s[toks[j].s:toks[j].e]))
			v = v*1000 + g
			j++
		}
	}
	n := numv{i: i, j: j, v: v}
	// scale words: "2 billion", "59k", "3万"
	if j < len(toks) {
		if s, ok := scaleWords[toks[j].low]; ok && (toks[j].low != "k" || !toks[j].space) && toks[j].low != "cent" {
			n.v *= s
			n.j++
		} else if s, ok := zhScales[toks[j].low]; ok && s >= 1e4 {
			n.v *= s
			n.j++
		}
	}
	// "2 and a half", "1 ½"
	a.addHalf(&n)
	// fraction: "2/3"? too ambiguous with dates; "3 quarters" is rare.
	return n, true
}

func (a *sent) singleSpaceBefore(j int) bool {
	gap := a.s[a.toks[j-1].e:a.toks[j].s]
	return gap == " " || gap == "\u00a0" || gap == "\u202f" || gap == "\u2009"
}

// addHalf extends n over "and a half" ("one and a half days").
func (a *sent) addHalf(n *numv) {
	toks := a.toks
	j := n.j
	if j+2 < len(toks) && (toks[j].low == "and" || toks[j].low == "und" || toks[j].low == "et" || toks[j].low == "y") &&
		articleWords[toks[j+1].low] && (toks[j+2].low == "half" || toks[j+2].low == "halb" || toks[j+2].low == "demi" || toks[j+2].low == "medio") {
		n.v += 0.5
		n.j = j + 3
	}
}

func parseWordNumber(toks []token, i int) (numv, bool) {
	t := &toks[i]
	w := t.low
	// standalone halves: "half", "la moitié", "die Hälfte"
	if halfWords[w] {
		n := numv{i: i, j: i + 1, v: 0.5, frac: true, word: true}
		if w == "half" && i+2 < len(toks) && articleWords[toks[i+1].low] && toks[i+2].low == "dozen" {
			return numv{i: i, j: i + 3, v: 6, word: true}, true
		}
		return n, true
	}
	if articleWords[w] {
		if i+1 < len(toks) {
			nx := toks[i+1].low
			switch {
			case nx == "dozen":
				return numv{i: i, j: i + 2, v: 12, word: true}, true
			case nx == "couple":
				j := i + 2
				if j < len(toks) && toks[j].low == "of" {
					j++
				}
				return numv{i: i, j: j, v: 2, word: true, approx: true}, true
			case nx == "pair" && i+2 < len(toks) && toks[i+2].low == "of":
				return numv{i: i, j: i + 3, v: 2, word: true}, true
			case denomWords[nx] > 0 && nx != "fourth" && nx != "cuarto" && nx != "quinto":
				return numv{i: i, j: i + 2, v: 1 / denomWords[nx], frac: true, word: true}, true
			case scaleWords[nx] > 0 && (nx == "hundred" || nx == "thousand" || nx == "million" || nx == "billion"):
				return numv{i: i, j: i + 2, v: scaleWords[nx], word: true}, true
			}
		}
		n := numv{i: i, j: i + 1, v: 1, word: true, article: true}
		return n, true
	}
	if w == "dozen" {
		return numv{i: i, j: i + 1, v: 12, word: true}, true
	}
	_, isUnit := unitWords[w]
	_, isTens := tensWords[w]
	if !isUnit && !isTens {
		return numv{}, false
	}
	total, cur := 0.0, 0.0
	j := i
	lastClass := 0 // 1 unit, 2 tens, 3 hundred, 4 scale
	for j < len(toks) {
		lw := toks[j].low
		if lw == "-" && j > i && j+1 < len(toks) && !toks[j].space {
			if _, ok := unitWords[toks[j+1].low]; ok && lastClass == 2 {
				j++ // "twenty-five"
				continue
			}
			break
		}
		if lw == "and" && j > i && lastClass >= 3 && j+1 < len(toks) {
			if _, ok := unitWords[toks[j+1].low]; ok {
				j++
				continue
			}
			if _, ok := tensWords[toks[j+1].low]; ok {
				j++
				continue
			}
			break
		}
		if v, ok := unitWords[lw]; ok {
			if lastClass == 1 || (lastClass == 2 && v >= 10) {
				break
			}
			cur += v
			lastClass = 1
			j++
			continue
		}
		if v, ok := tensWords[lw]; ok {
			if lastClass == 1 || lastClass == 2 {
				break
			}
			cur += v
			lastClass = 2
			j++
			continue
		}
		if v, ok := scaleWords[lw]; ok && j > i && len(lw) > 2 && lw != "cent" {
			if v == 100 {
				cur = math.Max(cur, 1) * 100
				lastClass = 3
			} else {
				total += math.Max(cur, 1) * v
				cur = 0
				lastClass = 4
			}
			j++
			continue
		}
		break
	}
	n := numv{i: i, j: j, v: total + cur, word: true}
	// fractions: "two-thirds", "three quarters", "deux tiers"
	k := j
	if k < len(toks) && toks[k].low == "-" {
		k++
	}
	if k < len(toks) {
		if d, ok := denomWords[toks[k].low]; ok && n.v >= 1 && n.v < d && lastClass == 1 {
			// "one fourth" yes; "the fourth" never reaches here
			return numv{i: i, j: k + 1, v: n.v / d, frac: true, word: true}, true
		}
	}
	return n, true
}

// parseZh reads Chinese numerals ("三十", "两", "三分之一", "一半").
func parseZh(toks []token, i int) (numv, bool) {
	w := toks[i].low
	if w == "半" {
		return numv{i: i, j: i + 1, v: 0.5, frac: true, word: true}, true
	}
	if w == "一" && i+1 < len(toks) && toks[i+1].low == "半" {
		return numv{i: i, j: i + 2, v: 0.5, frac: true, word: true}, true
	}
	_, d := zhDigits[w]
	_, s := zhScales[w]
	if !d && !(s && w == "十") {
		return numv{}, false
	}
	total, section, cur := 0.0, 0.0, 0.0
	j := i
	for j < len(toks) {
		lw := toks[j].low
		if v, ok := zhDigits[lw]; ok {
			cur = v
			j++
			continue
		}
		if v, ok := zhScales[lw]; ok {
			if v >= 1e4 {
				section = (section + cur) * v
				total += section
				section, cur = 0, 0
			} else {
				if cur == 0 {
					cur = 1
				}
				section += cur * v
				cur = 0
			}
			j++
			continue
		}
		break
	}
	n := numv{i: i, j: j, v: total + section + cur, word: true}
	// 三分之一: N 分 之 M = M/N
	if j+2 < len(toks) && toks[j].low == "分" && toks[j+1].low == "之" {
		m, ok := parseZh(toks, j+2)
		if ok && n.v > 0 && m.v < n.v {
			return numv{i: i, j: m.j, v: m.v / n.v, frac: true, word: true}, true
		}
	}
	return n, true
}
