package topics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/frontierwatch/frontierwatch"
)

// Doc is the part of an article that topics read.
type Doc struct {
	Title, Summary, Text, URL string
}

// field is one readable part of a Doc, as a bit.
type field uint8

const (
	fTitle field = 1 << iota
	fSummary
	fText
	fURL
)

var fieldNames = map[string]field{FieldTitle: fTitle, FieldSummary: fSummary, FieldText: fText, FieldURL: fURL}

// allFields lists the fields in scanning order.
var allFields = [...]field{fTitle, fSummary, fText, fURL}

func (d *Doc) field(f field) string {
	switch f {
	case fTitle:
		return d.Title
	case fSummary:
		return d.Summary
	case fText:
		return d.Text
	default:
		return d.URL
	}
}

// Matcher scores articles against topics. It compiles the phrases of all
// its topics into one index keyed by their first word, so an article is
// read once per field whatever the number of topics and phrases. A Matcher
// is safe for concurrent use.
type Matcher struct {
	topics   []ctopic
	patterns [][]ptoken // distinct compiled phrases
	uses     [][]use    // per pattern: the topics that use it
	fields   field      // the fields some topic reads

	first    map[string][]int32 // first token (exact, or a number word) → patterns
	prefixes []prefixIndex      // patterns whose first token is a prefix, by its length
	numFirst []int32            // patterns whose first token is "#"

	// Filters on the first two bytes of a token: most tokens start no
	// phrase, and these spare them the map lookups.
	exactPairs, prefixPairs pairSet

	pool sync.Pool // *scratch
}

// ctopic is a compiled topic.
type ctopic struct {
	name     string
	minScore float64
	fields   field
}

// use is one topic's use of a pattern.
type use struct {
	topic   int32
	weight  float64
	exclude bool
}

// prefixIndex holds the patterns whose first token is a prefix of n bytes.
type prefixIndex struct {
	n int
	m map[string][]int32
}

// scratch is the per-call state of Match.
type scratch struct {
	z        tokenizer
	counts   []int32 // per pattern, in the field being read
	touched  []int32 // patterns with a non-zero count
	scores   []float64
	excluded []bool
}

// NewMatcher compiles topics. It returns an error naming every topic,
// phrase or field it cannot use: an empty or repeated name, a phrase with
// no words or a misplaced "*", a weight that is not a positive number, an
// unknown field or a negative minimum score.
func NewMatcher(ts []Topic) (*Matcher, error) {
	m := &Matcher{first: map[string][]int32{}}
	ids := map[string]int32{} // pattern key → index
	var errs []error
	names := map[string]bool{}
	for ti, t := range ts {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("topics: topic %q: %s", t.Name, fmt.Sprintf(format, args...)))
		}
		switch {
		case strings.TrimSpace(t.Name) == "":
			bad("a topic needs a name")
		case names[t.Name]:
			bad("name used by another topic")
		}
		names[t.Name] = true
		if len(t.Include) == 0 {
			bad("a topic needs at least one include phrase")
		}
		if math.IsNaN(t.MinScore) || math.IsInf(t.MinScore, 0) || t.MinScore < 0 {
			bad("min score %v must be a number ≥ 0", t.MinScore)
		}
		ct := ctopic{name: t.Name, minScore: t.MinScore}
		fields := t.Fields
		if len(fields) == 0 {
			fields = DefaultFields
		}
		for _, f := range fields {
			b, ok := fieldNames[strings.ToLower(strings.TrimSpace(f))]
			if !ok {
				bad("unknown field %q (want title, summary, text or url)", f)
			}
			ct.fields |= b
		}
		m.fields |= ct.fields
		m.topics = append(m.topics, ct)

		add := func(text string, u use) {
			toks, err := parsePhrase(text)
			if err != nil {
				bad("phrase %v", err)
				return
			}
			id := m.pattern(ids, toks)
			m.uses[id] = append(m.uses[id], u)
		}
		for _, p := range t.Include {
			if math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0) || p.Weight <= 0 {
				bad("phrase %q: weight %v must be a number > 0", p.Text, p.Weight)
				continue
			}
			add(p.Text, use{topic: int32(ti), weight: p.Weight})
		}
		for _, p := range t.Exclude {
			add(p, use{topic: int32(ti), exclude: true})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(m.prefixes, func(a, b prefixIndex) int { return a.n - b.n })
	for k := range m.first {
		m.exactPairs.addWord(k, false)
	}
	for _, p := range m.prefixes {
		for k := range p.m {
			m.prefixPairs.addWord(k, true)
		}
	}
	m.pool.New = func() any {
		return &scratch{
			counts:   make([]int32, len(m.patterns)),
			scores:   make([]float64, len(m.topics)),
			excluded: make([]bool, len(m.topics)),
		}
	}
	return m, nil
}

// pattern returns the index of the compiled phrase toks, adding it to the
// index when it is new.
func (m *Matcher) pattern(ids map[string]int32, toks []ptoken) int32 {
	var key strings.Builder
	for _, t := range toks {
		key.WriteByte(byte('0' + t.kind))
		key.WriteString(t.text)
		key.WriteByte(0)
	}
	if id, ok := ids[key.String()]; ok {
		return id
	}
	id := int32(len(m.patterns))
	ids[key.String()] = id
	m.patterns = append(m.patterns, toks)
	m.uses = append(m.uses, nil)
	switch t := toks[0]; t.kind {
	case kindExact:
		m.first[t.text] = append(m.first[t.text], id)
	case kindPrefix:
		i := slices.IndexFunc(m.prefixes, func(p prefixIndex) bool { return p.n == len(t.text) })
		if i < 0 {
			m.prefixes = append(m.prefixes, prefixIndex{n: len(t.text), m: map[string][]int32{}})
			i = len(m.prefixes) - 1
		}
		m.prefixes[i].m[t.text] = append(m.prefixes[i].m[t.text], id)
	case kindNumber:
		// Digits are found by their flag, number words by the index.
		m.numFirst = append(m.numFirst, id)
		for w := range numberWords {
			m.first[w] = append(m.first[w], id)
		}
	}
	return id
}

// Topics returns the names of the matcher's topics, in the order given.
func (m *Matcher) Topics() []string {
	out := make([]string, len(m.topics))
	for i, t := range m.topics {
		out[i] = t.name
	}
	return out
}

// Match scores d against every topic and returns the topics it matches,
// highest score first (ties by name). A topic's score is the sum, over the
// fields it reads and the include phrases found there, of weight × (1 +
// ln count), doubled in the title; a topic whose score already reaches
// half its MinScore (or is > 0 when MinScore is 0) then gets FigureBonus for
// each of the article's figures (the number of built-in metric figures it
// carries, at most MaxFigures count): a headline figure tips an article
// that is substantially on topic, not one that only shares a word ("cases
// double every three days"). An exclude phrase
// in any field the topic reads makes its score 0. A topic matches when its
// score, rounded to 3 decimals, is > 0 and ≥ its MinScore. Match returns
// nil when no topic matches.
func (m *Matcher) Match(d Doc, figures int) []frontierwatch.TopicScore {
	s := m.pool.Get().(*scratch)
	defer m.release(s)
	clear(s.scores)
	clear(s.excluded)
	for _, f := range allFields {
		text := d.field(f)
		if m.fields&f == 0 || text == "" {
			continue
		}
		s.z.reset()
		s.z.tokenize(text)
		m.scan(s)
		m.tally(s, f)
	}
	figures = min(max(figures, 0), MaxFigures)
	var out []frontierwatch.TopicScore
	for i, t := range m.topics {
		score := s.scores[i]
		if s.excluded[i] || !(score > 0) {
			continue
		}
		if score >= t.minScore/2 {
			score += float64(figures) * FigureBonus
		}
		score = math.Round(score*1000) / 1000
		if score >= t.minScore {
			out = append(out, frontierwatch.TopicScore{Topic: t.name, Score: score})
		}
	}
	slices.SortFunc(out, func(a, b frontierwatch.TopicScore) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Topic, b.Topic)
	})
	return out
}

// maxPooledBytes bounds the token buffer a pooled scratch keeps, so that
// one huge article does not pin its memory.
const maxPooledBytes = 1 << 20

func (m *Matcher) release(s *scratch) {
	if cap(s.z.buf) > maxPooledBytes {
		s.z = tokenizer{}
	}
	m.pool.Put(s)
}

// scan counts in s.counts every pattern found in the tokens of s.z.
func (m *Matcher) scan(s *scratch) {
	z := &s.z
	for i, sp := range z.toks {
		tok := z.buf[sp.start:sp.end]
		pair := pairOf(tok)
		if m.exactPairs.has(pair) {
			if ids, ok := m.first[string(tok)]; ok {
				m.try(s, i, ids)
			}
		}
		if m.prefixPairs.has(pair) {
			for _, p := range m.prefixes {
				if len(tok) < p.n {
					break
				}
				if ids, ok := p.m[string(tok[:p.n])]; ok {
					m.try(s, i, ids)
				}
			}
		}
		if sp.num && len(m.numFirst) > 0 {
			m.try(s, i, m.numFirst)
		}
	}
}

// try counts the patterns of ids that match the tokens from i on; their
// first token is known to match.
func (m *Matcher) try(s *scratch, i int, ids []int32) {
	z := &s.z
	for _, id := range ids {
		p := m.patterns[id]
		if i+len(p) > len(z.toks) {
			continue
		}
		ok := true
		for j := 1; j < len(p) && ok; j++ {
			ok = tokenMatches(p[j], z.token(i+j), z.toks[i+j].num)
		}
		if ok {
			if s.counts[id] == 0 {
				s.touched = append(s.touched, id)
			}
			s.counts[id]++
		}
	}
}

// tokenMatches reports whether the phrase token p matches the text token
// tok (num: tok starts with a digit).
func tokenMatches(p ptoken, tok []byte, num bool) bool {
	switch p.kind {
	case kindPrefix:
		return len(tok) >= len(p.text) && string(tok[:len(p.text)]) == p.text
	case kindNumber:
		return num || numberWords[string(tok)]
	case kindAny:
		return true
	default:
		return string(tok) == p.text
	}
}

// tally adds the patterns counted in field f to the scores of the topics
// that read f, and resets the counts.
func (m *Matcher) tally(s *scratch, f field) {
	mult := 1.0
	if f == fTitle {
		mult = TitleFactor
	}
	for _, id := range s.touched {
		c := s.counts[id]
		s.counts[id] = 0
		g := (1 + math.Log(float64(c))) * mult
		for _, u := range m.uses[id] {
			if m.topics[u.topic].fields&f == 0 {
				continue
			}
			if u.exclude {
				s.excluded[u.topic] = true
			} else {
				s.scores[u.topic] += u.weight * g
			}
		}
	}
	s.touched = s.touched[:0]
}

// pairSet is a set of the first two bytes of tokens.
type pairSet [1 << 16 / 64]uint64

// pairOf returns the first two bytes of a token (the second is 0 for a
// one-byte token).
func pairOf(tok []byte) uint16 {
	if len(tok) == 1 {
		return uint16(tok[0]) << 8
	}
	return uint16(tok[0])<<8 | uint16(tok[1])
}

func (p *pairSet) has(k uint16) bool { return p[k>>6]&(1<<(k&63)) != 0 }

func (p *pairSet) add(k uint16) { p[k>>6] |= 1 << (k & 63) }

// addWord adds the pair of the token w, or, when w is a one-byte prefix,
// every pair that starts with its byte.
func (p *pairSet) addWord(w string, prefix bool) {
	if len(w) == 1 && prefix {
		for b := range 256 {
			p.add(uint16(w[0])<<8 | uint16(b))
		}
	}
	p.add(pairOf([]byte(w)))
}
