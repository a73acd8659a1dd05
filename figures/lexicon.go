package figures

import "strings"

// A lexicon is a set of phrases, each a sequence of lower-case words, with
// an integer tag. Phrases are written as plain text ("more than",
// "jusqu'à", "AI-written") and tokenized like sentences; a word ending in
// '*' matches any word it begins ("autonom*"). A hyphen in a phrase is
// optional in the text and a hyphen in the text between two words of a
// phrase is skipped, so "single-digit" also matches "single digit" and
// "twenty five" matches "twenty-five".
type lexicon struct {
	phrases []phrase
	first   map[string][]int32 // by first word
	firstP  map[string][]int32 // phrases whose first word is a prefix, by its first prefixKey bytes
	last    map[string][]int32 // by last word
	lastP   map[string][]int32
	firstS  []int32 // phrases whose first word is a prefix shorter than prefixKey
	lastS   []int32
}

// prefixKey is how many leading bytes index prefix words; shorter
// prefixes ("a*", from a configuration) go to a list tried everywhere.
const prefixKey = 3

func pkey(w string) string {
	if len(w) > prefixKey {
		return w[:prefixKey]
	}
	return w
}

// prefixIDs returns the prefix phrases that may match word w.
func (l *lexicon) prefixIDs(m map[string][]int32, short []int32, w string, try func([]int32)) {
	if len(m) > 0 && len(w) >= prefixKey {
		try(m[pkey(w)])
	}
	if len(short) > 0 {
		try(short)
	}
}

type pword struct {
	w      string
	prefix bool
}

type phrase struct {
	words []pword
	tag   int
	text  string
}

func newLexicon() *lexicon {
	return &lexicon{first: map[string][]int32{}, last: map[string][]int32{},
		firstP: map[string][]int32{}, lastP: map[string][]int32{}}
}

// add adds phrases with a tag.
func (l *lexicon) add(tag int, texts ...string) *lexicon {
	for _, t := range texts {
		toks := tokenize(strings.ToLower(t), nil)
		var ws []pword
		for k, tk := range toks {
			if tk.low == "*" && k > 0 && len(ws) > 0 && !tk.space {
				ws[len(ws)-1].prefix = true
				continue
			}
			ws = append(ws, pword{w: tk.low})
		}
		if len(ws) == 0 {
			continue
		}
		id := int32(len(l.phrases))
		l.phrases = append(l.phrases, phrase{words: ws, tag: tag, text: t})
		switch f := ws[0]; {
		case f.prefix && len(f.w) < prefixKey:
			l.firstS = append(l.firstS, id)
		case f.prefix:
			l.firstP[pkey(f.w)] = append(l.firstP[pkey(f.w)], id)
		default:
			l.first[f.w] = append(l.first[f.w], id)
		}
		switch la := ws[len(ws)-1]; {
		case la.prefix && len(la.w) < prefixKey:
			l.lastS = append(l.lastS, id)
		case la.prefix:
			l.lastP[pkey(la.w)] = append(l.lastP[pkey(la.w)], id)
		default:
			l.last[la.w] = append(l.last[la.w], id)
		}
	}
	return l
}

func (w pword) matches(t *token) bool {
	if w.prefix {
		return strings.HasPrefix(t.low, w.w)
	}
	return t.low == w.w
}

// matchForward matches phrase p at toks[i:], returning the end (exclusive)
// or -1.
func (p *phrase) matchForward(toks []token, i int) int {
	k := i
	for n, w := range p.words {
		if k >= len(toks) {
			if w.w == "-" {
				continue
			}
			return -1
		}
		if w.matches(&toks[k]) {
			k++
			continue
		}
		if w.w == "-" { // optional hyphen
			continue
		}
		// skip a hyphen in the text between two phrase words
		if n > 0 && toks[k].low == "-" && k+1 < len(toks) && w.matches(&toks[k+1]) {
			k += 2
			continue
		}
		return -1
	}
	return k
}

// matchBackward matches phrase p ending at toks[j-1], returning its start or -1.
func (p *phrase) matchBackward(toks []token, j int) int {
	k := j - 1
	for n := len(p.words) - 1; n >= 0; n-- {
		w := p.words[n]
		if k < 0 {
			if w.w == "-" {
				continue
			}
			return -1
		}
		if w.matches(&toks[k]) {
			k--
			continue
		}
		if w.w == "-" {
			continue
		}
		if n < len(p.words)-1 && toks[k].low == "-" && k-1 >= 0 && w.matches(&toks[k-1]) {
			k -= 2
			continue
		}
		return -1
	}
	return k + 1
}

// at returns the tag and end of the longest phrase that starts at toks[i].
func (l *lexicon) at(toks []token, i int) (tag, end int, ok bool) {
	if i < 0 || i >= len(toks) {
		return 0, 0, false
	}
	best := -1
	try := func(ids []int32) {
		for _, id := range ids {
			p := &l.phrases[id]
			if e := p.matchForward(toks, i); e > best {
				best, tag = e, p.tag
			}
		}
	}
	try(l.first[toks[i].low])
	l.prefixIDs(l.firstP, l.firstS, toks[i].low, try)
	if best < 0 {
		return 0, 0, false
	}
	return tag, best, true
}

// before returns the tag and start of the longest phrase that ends just
// before toks[j] (its last word is toks[j-1]).
func (l *lexicon) before(toks []token, j int) (tag, start int, ok bool) {
	if j <= 0 || j > len(toks) {
		return 0, 0, false
	}
	best := len(toks) + 1
	try := func(ids []int32) {
		for _, id := range ids {
			p := &l.phrases[id]
			if s := p.matchBackward(toks, j); s >= 0 && s < best {
				best, tag = s, p.tag
			}
		}
	}
	try(l.last[toks[j-1].low])
	l.prefixIDs(l.lastP, l.lastS, toks[j-1].low, try)
	if best > len(toks) {
		return 0, 0, false
	}
	return tag, best, true
}

// atMask returns the end of the longest phrases that start at toks[i] and
// the union of masks[tag] over all of them.
func (l *lexicon) atMask(toks []token, i int, masks []uint64) (int, uint64) {
	best, m := -1, uint64(0)
	try := func(ids []int32) {
		for _, id := range ids {
			p := &l.phrases[id]
			e := p.matchForward(toks, i)
			switch {
			case e > best:
				best, m = e, masks[p.tag]
			case e == best && e >= 0:
				m |= masks[p.tag]
			}
		}
	}
	try(l.first[toks[i].low])
	l.prefixIDs(l.firstP, l.firstS, toks[i].low, try)
	return best, m
}

// has reports whether a phrase starts at toks[i].
func (l *lexicon) has(toks []token, i int) bool {
	_, _, ok := l.at(toks, i)
	return ok
}

// hit is one occurrence of a lexicon phrase in a sentence.
type hit struct {
	i, j int // token span
	tag  int
}

// scan lists the non-overlapping longest occurrences in toks, skipping
// tokens for which skip returns true.
func (l *lexicon) scan(toks []token, skip func(int) bool, out []hit) []hit {
	for i := 0; i < len(toks); i++ {
		if skip != nil && skip(i) {
			continue
		}
		if tag, e, ok := l.at(toks, i); ok {
			out = append(out, hit{i: i, j: e, tag: tag})
			i = e - 1
		}
	}
	return out
}

// words is a set of single lower-case words.
type words map[string]bool

func wordSet(ws ...string) words {
	m := make(words, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
