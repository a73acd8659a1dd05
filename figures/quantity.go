package figures

import (
	"math"

	"github.com/frontierwatch/frontierwatch"
)

// qkind is the kind of a quantity, by its unit.
type qkind uint8

const (
	qDur  qkind = iota + 1 // a duration; canonical value in hours
	qPct                   // a percentage
	qMult                  // a multiplier ("52x", "30% faster" = 1.3)
	qBare                  // a number without a unit
)

// hoursPerMonth is the month of sentences.md: 30.44 days.
const hoursPerMonth = 30.44 * 24

// quant is a number with its unit and qualifier.
type quant struct {
	kind       qkind
	v, lo, hi  float64 // canonical: hours, percent or x
	rng        bool
	qual       frontierwatch.Qualifier
	i, j       int  // surface tokens
	ni, nj     int  // the number and its unit
	durUnit    int  // largest duration unit
	adj        bool // "12-hour", "12 hour": an adjective before a noun
	rel        bool // from a relative change in percent
	frac       bool // from a fraction word
	vague      bool // "single digits": lo and hi only
	ratio      bool // "3 out of 20"
	every      bool // a rate: "every four months"
	weak       bool // "doubled": a multiplier only next to a productivity cue
	comparison bool // multiplier followed by more/faster/…
	slow       bool // a slowdown: the value is below 1
	delta      bool // "by 10%": a change, not a level
	blocked    bool // never a figure, not even by inheritance
	straight   bool // "seven straight hours"
	qualWord   string
	src        int // the quantity this one took its metric from, or -1
	se         int // end of the surface: j, or one word more ("52x acceleration", "12-hour tasks")
	sj         int // when > 0, the subject ends before this token ("… tasks that take skilled engineers 1 hour")

	metric string
	unit   string
	conv   float64 // canonical -> metric unit
	bench  string
	mi     int // metric index (built-in) or -1
}

// findQuantities reads every quantity of the sentence, left to right.
func (a *sent) findQuantities() {
	toks := a.toks
	for i := 0; i < len(toks); i++ {
		if a.mask[i] != mFree {
			continue
		}
		if q, ok := a.specialQuant(i); ok {
			a.finishQuant(&q)
			a.quants = append(a.quants, q)
			i = q.j - 1
			continue
		}
		n, ok := a.parseNumber(i)
		if !ok || !a.free(n.i, n.j) {
			continue
		}
		if q, ok := a.quantFrom(n); ok {
			a.finishQuant(&q)
			a.quants = append(a.quants, q)
			i = q.j - 1
			continue
		}
		if !n.article {
			i = n.j - 1
		}
	}
}

// free reports whether tokens [i, j) are all free for quantities.
func (a *sent) free(i, j int) bool {
	for k := i; k < j && k < len(a.mask); k++ {
		if a.mask[k] != mFree {
			return false
		}
	}
	return true
}

// multWords are multipliers written as one word.
var multWords = map[string]float64{
	"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "sixfold": 6, "sevenfold": 7, "eightfold": 8,
	"ninefold": 9, "tenfold": 10, "twelvefold": 12, "fifteenfold": 15, "twentyfold": 20, "fiftyfold": 50,
	"hundredfold": 100, "thousandfold": 1000, "twice": 2, "doppelt": 2, "zweimal": 2, "dreimal": 3,
	"viermal": 4, "fünfmal": 5, "zehnmal": 10, "doubled": 2, "tripled": 3, "quadrupled": 4,
}

// singularUnit are the unit words of "hour-long", "minute-long". Longer
// ones ("month-long tasks") are ambiguous between working time and
// wall-clock time and are left out.
var singularUnit = wordSet("minute", "hour")

var weakMult = wordSet("doubled", "tripled", "quadrupled")

var factorWords = wordSet("factor", "faktor", "facteur")

// specialQuant reads quantities that do not start with a number:
// "threefold", "twice", "by a factor of 4.8", "百分之八十".
func (a *sent) specialQuant(i int) (quant, bool) {
	t := &a.toks[i]
	if v, ok := multWords[t.low]; ok {
		q := quant{kind: qMult, v: v, i: i, j: i + 1, ni: i, nj: i + 1, weak: weakMult[t.low]}
		a.multTail(&q)
		if v == 2 && !q.weak && !q.comparison && !q.rel {
			return quant{}, false // "walked twice": a count of times, not "twice as fast"
		}
		return q, true
	}
	u := i
	if articleWords[t.low] && u+1 < len(a.toks) {
		u++ // "a day-long run": the article is no number here
	}
	if tag, e, ok := unitLex.at(a.toks, u); ok && isDurUnit(tag) && e == u+1 && singularUnit[a.low(u)] &&
		a.low(e) == "-" && a.low(e+1) == "long" && !a.toks[e].space && !a.toks[e+1].space &&
		!(u == i && a.low(i-1) == "-" && !t.space) && a.toks[max(i-1, 0)].kind != kNum {
		// "hour-long tasks", "a day-long run": one unit
		return quant{kind: qDur, v: unitHours[tag], i: u, j: e + 2, ni: u, nj: e + 2, durUnit: tag, adj: true}, true
	}
	if factorWords[t.low] {
		k := i + 1
		if a.low(k) == "of" || a.low(k) == "de" {
			k++
		}
		if k < len(a.toks) && a.toks[k].kind == kNum && a.free(k, k+1) {
			n, ok := a.parseNumber(k)
			if ok && n.v > 0 {
				start := i
				if articleWords[a.low(start-1)] || a.low(start-1) == "den" {
					start--
				}
				if a.is(start-1, wordSet("by", "um", "d'", "en", "par")) {
					start--
				}
				q := quant{kind: qMult, v: n.v, i: start, j: n.j, ni: k, nj: n.j}
				return q, true
			}
		}
	}
	if t.low == "百" && a.low(i+1) == "分" && a.low(i+2) == "之" {
		n, ok := parseZh(a.toks, i+3)
		if ok {
			return quant{kind: qPct, v: n.v, i: i, j: n.j, ni: i, nj: n.j}, true
		}
	}
	return quant{}, false
}

// rangeSeps join the two numbers of a range.
var rangeSeps = wordSet("-", "–", "to", "or", "bis", "à", "al", "au", "至", "到", "~", "a", "y", "and", "und", "et")

// betweenWords open a range closed by "and".
var betweenWords = wordSet("between", "zwischen", "entre")

// changeVerbs before "from X to Y" make X and Y two figures, not a range.
var changeVerbs = wordSet("rose", "risen", "rising", "rises", "grew", "grown", "growing", "increased", "increasing",
	"jumped", "climbed", "went", "fell", "dropped", "declined", "cut", "cutting", "reduced", "reducing", "improved",
	"improving", "surged", "soared", "skyrocketed", "moved", "shrank", "expanded", "up", "down", "stieg", "sank",
	"passé", "pasó", "passed", "leapt", "leaped", "shot", "boosted", "raised", "lifted", "went")

// rangeNext reads the second number of a range whose separator starts at k.
func (a *sent) rangeNext(n numv, k int) (numv, bool) {
	if k >= len(a.toks) {
		return numv{}, false
	}
	sep := a.low(k)
	if !rangeSeps[sep] {
		return numv{}, false
	}
	switch sep {
	case "and", "und", "et", "y":
		if !a.betweenBefore(n.i) {
			return numv{}, false
		}
	case "a":
		if !a.euro {
			return numv{}, false
		}
	case "to", "à", "al", "au", "bis":
		if a.changeBefore(n.i) || a.low(a.prevWord(n.i)) == "to" {
			return numv{}, false // "rose from 16% to 80%", "from 2 to 20 to 200 minutes"
		}
	}
	m := k + 1
	if sep == "-" && a.low(m) == "to" { // "one- to two-orders"
		m++
	}
	if m >= len(a.toks) || a.mask[m] != mFree {
		return numv{}, false
	}
	n2, ok := a.parseNumber(m)
	if !ok || n2.vague || n2.article || n.vague || n.article || !a.free(n2.i, n2.j) {
		return numv{}, false
	}
	if n2.frac != n.frac {
		return numv{}, false
	}
	return n2, true
}

func (a *sent) betweenBefore(i int) bool {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if betweenWords[a.low(k)] {
			return true
		}
		if !fillers[a.low(k)] && !qualLex.has(a.toks, k) && !qualWordish(a.low(k)) {
			return false
		}
	}
	return false
}

func (a *sent) changeBefore(i int) bool {
	k := i - 1
	for k >= 0 && (fillers[a.low(k)] || qualWordish(a.low(k))) {
		k--
	}
	if k < 0 {
		return false
	}
	switch a.low(k) {
	case "from", "von", "de", "del", "desde", "depuis":
	default:
		return false
	}
	for m := k - 1; m >= 0 && m >= k-4; m-- {
		if changeVerbs[a.low(m)] {
			return true
		}
	}
	return false
}

// quantFrom joins a number to its unit (and a second number to make a range).
func (a *sent) quantFrom(n numv) (quant, bool) {
	q := quant{ni: n.i, i: n.i}
	u, ue, uflags := a.unitAt(n, n.j)
	if u == 0 && n.frac && articleWords[a.low(n.j)] {
		if u2, ue2, fl2 := a.unitAt(n, n.j+1); isDurUnit(u2) {
			u, ue, uflags = u2, ue2, fl2
		}
	}
	if n.article && !isDurUnit(u) && u != uOOM {
		return quant{}, false
	}
	if u == uPP {
		// a difference in percentage points: consume, never a figure
		return quant{kind: qBare, i: n.i, j: ue, ni: n.i, nj: ue, v: math.NaN()}, true
	}
	if u != 0 {
		// "70 percent to 90 percent", "4x to 5x"
		if n2, ok := a.rangeNext(n, ue); ok {
			if u2, ue2, _ := a.unitAt(n2, n2.j); sameUnitKind(u, u2) {
				lo, hi := a.unitValue(n, u), a.unitValue(n2, u2)
				if lo < hi {
					q.kind, q.rng, q.lo, q.hi = unitQKind(u), true, lo, hi
					q.nj, q.j = ue2, ue2
					q.durUnit = max(u, u2)
					return q, true
				}
			}
		}
	} else if n2, ok := a.rangeNext(n, n.j); ok {
		// "4 to 8 hours", "between 60 and 70 percent", "3–4 months"
		u2, ue2, fl2 := a.unitAt(n2, n2.j)
		if u2 != 0 && u2 != uPP {
			lo, hi := a.unitValue(n, u2), a.unitValue(n2, u2)
			if lo < hi {
				q.kind, q.rng, q.lo, q.hi = unitQKind(u2), true, lo, hi
				q.nj, q.j, q.durUnit, q.adj = ue2, ue2, u2, fl2&flAdj != 0
				return q, true
			}
		}
	}
	if u != 0 {
		q.kind = unitQKind(u)
		q.v = a.unitValue(n, u)
		q.nj, q.j = ue, ue
		q.durUnit = u
		q.adj = uflags&flAdj != 0
		q.straight = uflags&flStraight != 0
		if uflags&flOver != 0 {
			q.qual = frontierwatch.Over
		}
		if q.kind == qDur {
			a.compound(&q)
		}
		if q.kind == qMult {
			a.multTail(&q)
		}
		if n.approx && q.qual == "" {
			q.qual = frontierwatch.About
		}
		return q, true
	}
	// no unit
	if n.pct {
		q.kind, q.vague, q.rng, q.lo, q.hi, q.nj, q.j = qPct, n.vague, n.vague, n.lo, n.hi, n.j, n.j
		if !n.vague {
			q.v = n.v
		}
		return q, true
	}
	if r, ok := a.ratio(n); ok {
		return r, true
	}
	if n.frac {
		q.kind, q.v, q.frac, q.nj, q.j = qPct, n.v*100, true, n.j, n.j
		return q, true
	}
	if n.vague {
		q.kind, q.vague, q.rng, q.lo, q.hi, q.nj, q.j = qBare, true, true, n.lo, n.hi, n.j, n.j
		return q, true
	}
	if len(a.e.custom) > 0 && !n.word && !isYear(n) {
		q.kind, q.v, q.nj, q.j = qBare, n.v, n.j, n.j
		return q, true
	}
	return quant{}, false
}

func isYear(n numv) bool { return n.v >= 1900 && n.v <= 2100 && n.v == math.Trunc(n.v) }

// ratio reads "3 out of 20", "one in three", "12 of 20 tasks".
func (a *sent) ratio(n numv) (quant, bool) {
	if n.frac || n.vague || n.article || n.v <= 0 {
		return quant{}, false
	}
	k := n.j
	switch {
	case a.low(k) == "out" && a.low(k+1) == "of":
		k += 2
	case a.low(k) == "in" || a.low(k) == "sur" || a.low(k) == "von" || a.low(k) == "de":
		k++
	case a.low(k) == "of":
		k++
		if a.low(k) == "the" {
			k++
		}
	default:
		return quant{}, false
	}
	if k >= len(a.toks) || a.mask[k] != mFree {
		return quant{}, false
	}
	m, ok := a.parseNumber(k)
	if !ok || m.article || m.vague || m.frac || m.v < n.v || m.v <= 0 || isYear(m) {
		return quant{}, false
	}
	if u, _, _ := a.unitAt(m, m.j); u != 0 {
		return quant{}, false
	}
	switch a.low(n.j) {
	case "out":
	case "of": // "12 of 20 tasks" needs a countable object
		if !a.taskObjectNear(m.j) {
			return quant{}, false
		}
	default: // "one in three", "3 sur 10"
		if m.v > 100 || m.v != math.Trunc(m.v) || n.v != math.Trunc(n.v) {
			return quant{}, false
		}
	}
	return quant{kind: qPct, v: 100 * n.v / m.v, ratio: true, i: n.i, j: m.j, ni: n.i, nj: m.j}, true
}

// finishQuant reads the qualifier and relative-change context of a quantity.
func (a *sent) finishQuant(q *quant) {
	if q.rng {
		q.qual = frontierwatch.Range
	}
	if q.kind == qBare && math.IsNaN(q.v) {
		return
	}
	a.qualWord = ""
	qual, start := a.qualifierBefore(q.i)
	q.qualWord = a.qualWord
	if q.qual != frontierwatch.Range {
		if qual != frontierwatch.Exact {
			q.qual = qual
		}
		if tag, e, ok := suffixQualLex.at(a.toks, q.j); ok && !(a.low(q.j) == "+" && a.toks[q.j].space) {
			if q.qual == "" {
				q.qual = qualNames[tag]
			}
			q.j = e
		}
		if q.qual == "" {
			q.qual = frontierwatch.Exact
		}
	}
	if start < q.i {
		q.i = start
	}
	q.every = a.everyBefore(q.ni)
	if q.kind == qPct && !q.frac && !q.ratio {
		a.relativeChange(q)
		if q.kind == qPct && (a.low(q.i-1) == "by" || a.low(q.i-1) == "um") {
			q.delta = true
		}
	}
}

// taskObjectNear reports a countable task noun at k or k+1.
func (a *sent) taskObjectNear(k int) bool {
	for m := k; m < k+3 && m < len(a.toks); m++ {
		if taskObjects[a.low(m)] {
			return true
		}
	}
	return false
}

var taskObjects = wordSet("tasks", "task", "problems", "issues", "tickets", "competitions", "challenges", "projects",
	"assignments", "jobs", "missions", "attempts", "trials", "runs", "episodes", "cases", "puzzles", "questions",
	"bugs", "prs", "requests", "benchmarks", "environments", "scenarios", "aufgaben", "tâches", "tareas", "任务")
