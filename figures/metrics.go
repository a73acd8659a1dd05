package figures

import "math"

const nBuiltin = 7

var (
	builtinNames = [nBuiltin]string{TaskHorizon, DoublingTime, ShareOfCodeByAI, ProductivityMultiplier,
		RnDSpeedup, TaskSuccessRate, BenchmarkScore}
	builtinUnits = [nBuiltin]string{"hours", "months", "percent", "x", "x", "percent", "percent"}
	builtinKinds = [nBuiltin]qkind{qDur, qDur, qPct, qMult, qMult, qPct, qPct}
	builtinConv  = [nBuiltin]float64{1, 1 / hoursPerMonth, 1, 1, 1, 1, 1}
)

// Indexes of builtinNames.
const (
	mHorizon = iota
	mDoubling
	mShare
	mProd
	mRnD
	mSuccess
	mBench
)

func (q *quant) set(m int) {
	q.metric, q.unit, q.conv, q.mi = builtinNames[m], builtinUnits[m], builtinConv[m], m
}

// assignMetrics gives each quantity its metric, if any.
func (a *sent) assignMetrics() {
	for k := range a.quants {
		q := &a.quants[k]
		q.mi, q.src = -1, -1
		if (q.kind == qBare && !q.vague && len(a.e.custom) == 0) || (math.IsNaN(q.v) && !q.rng) {
			continue
		}
		if q.delta || a.reliability(q) || a.belief(q) || a.pollShare(q) {
			q.blocked = true
			continue
		}
		if a.assignConfigured(q, 2) {
			continue
		}
		switch q.kind {
		case qDur:
			a.durationMetric(q)
		case qPct:
			a.percentMetric(q)
		case qMult:
			a.multMetric(q)
		}
		if q.metric == "" {
			a.assignConfigured(q, 8)
		}
	}
	a.inherit()
	for k := range a.quants {
		a.quants[k].se = a.surfaceEnd(&a.quants[k])
	}
}

// surfaceWords extend a surface by one word: "eight times more", "3x speedup".
var surfaceWords = wordSet("more", "faster", "quicker", "slower", "longer", "speedup", "speed-up", "acceleration",
	"slowdown", "improvement", "improvements", "increase", "higher", "better", "schneller", "plus", "más")

func (a *sent) surfaceEnd(q *quant) int {
	switch {
	case q.kind == qMult && surfaceWords[a.low(q.j)]:
		return q.j + 1
	case q.kind == qDur && q.adj && a.cueAt(cTaskNoun, q.j) && a.toks[q.j].kind == kWord:
		return q.j + 1
	}
	return q.j
}

// reliability reports the reliability level of a horizon: "50% time
// horizon", "6.5 hours for 50% success rate".
func (a *sent) reliability(q *quant) bool {
	if q.kind != qPct || q.rel {
		return false
	}
	k := q.j
	// "50% time horizon", "50%-task-completion time horizon"
	for m := k; m < k+6 && m < len(a.toks); m++ {
		if a.cueAt(cHorizon, m) {
			return true
		}
		if a.toks[m].kind != kWord && a.low(m) != "-" {
			break
		}
	}
	horizonTalk := a.hasCue(cHorizon) || a.durationNear(q, 8)
	switch a.low(k) {
	case "reliability", "success", "probability", "confidence", "chance", "likelihood":
		if horizonTalk {
			return true // "50% success on tasks requiring ~1 hour"
		}
	case "of":
		if a.low(k+1) == "the" && a.low(k+2) == "time" && horizonTalk {
			return true // "completes it 50% of the time"
		}
	}
	return false
}

// beliefWords make a figure someone's impression, not a measurement:
// "developers thought they were 20% faster".
var beliefWords = wordSet("thought", "think", "thinks", "believed", "believe", "believes", "felt", "feel",
	"feels", "perceived", "imagined", "guessed", "assumed", "glaubten", "pensaban", "pensaient")

// belief reports a figure stated as a belief in its clause.
func (a *sent) belief(q *quant) bool {
	for k := q.i - 1; k >= 0 && k >= q.i-8 && a.sameStrong(k, q.ni); k-- {
		if beliefWords[a.low(k)] {
			return true
		}
	}
	return false
}

// pollVerbs after a percentage make it a share of people answering a
// survey: "41% said …", "62% use AI tools daily".
var pollVerbs = wordSet("said", "say", "says", "reported", "report", "reports", "believe", "believed", "think",
	"thought", "agree", "agreed", "expect", "expected", "use", "used", "plan", "planned", "want", "wanted",
	"prefer", "preferred", "trust", "trusted", "admitted", "admit", "feel", "felt")

// pollShare reports a survey share: a bare percentage followed by a verb
// of answering.
func (a *sent) pollShare(q *quant) bool {
	return q.kind == qPct && pollVerbs[a.low(q.j)]
}

// durationNear reports a duration within maxDist tokens of q in its clause.
func (a *sent) durationNear(q *quant, maxDist int) bool {
	for k := range a.quants {
		d := &a.quants[k]
		if d.kind != qDur || !a.sameStrong(d.ni, q.ni) {
			continue
		}
		if d.i >= q.j && d.i-q.j <= maxDist || d.j <= q.i && q.i-d.j <= maxDist {
			return true
		}
	}
	return false
}

// assignConfigured assigns a configured metric (or a built-in one with
// configured cues) whose cue is within maxDist tokens.
func (a *sent) assignConfigured(q *quant, maxDist int) bool {
	best, bestD := 0, -1
	for _, h := range a.xhits {
		var d int
		switch {
		case h.j <= q.i:
			d = q.i - h.j
		case h.i >= q.j:
			d = h.i - q.j
		default:
			continue
		}
		if d > maxDist || !a.sameFine(h.i, q.ni) {
			continue
		}
		kind := qBare
		if h.tag < 0 {
			kind = builtinKinds[-1-h.tag]
		} else {
			kind = a.e.custom[h.tag].kind
		}
		if kind != q.kind || (q.kind == qBare && q.vague) {
			continue
		}
		if bestD < 0 || d < bestD {
			best, bestD = h.tag, d
		}
	}
	if bestD < 0 {
		return false
	}
	if best < 0 {
		q.set(-1 - best)
		return true
	}
	c := &a.e.custom[best]
	q.metric, q.unit, q.conv = c.def.Name, c.def.Unit, c.conv
	return true
}

// prevWord returns the index of the token before i, skipping fillers.
func (a *sent) prevWord(i int) int {
	k := i - 1
	for n := 0; n < 3 && k >= 0 && fillers[a.low(k)] && a.low(k) != "the"; n++ {
		k--
	}
	return k
}

// multMetric: productivity_multiplier or rnd_speedup.
func (a *sent) multMetric(q *quant) {
	users := a.workingUsers(q)
	if a.cueNear(cHorizon, q.i, q.j, 12, true) >= 0 || !users && a.cueNear(cEcon, q.i, q.j, 6, true) >= 0 {
		return // growth of a horizon, revenue, a price
	}
	worked := a.cueNear(cWorker, q.i, q.j, 40, false) >= 0 || users
	if q.weak {
		if a.cueBefore(cProductivity, q.i, 5) >= 0 || worked && a.cueBefore(cOutput, q.i, 5) >= 0 {
			q.set(mProd)
		}
		return
	}
	dp := a.cueNear(cProductivity, q.i, q.j, 8, true)
	if do := a.cueNear(cOutput, q.i, q.j, 8, true); do >= 0 && worked && (dp < 0 || do < dp) {
		dp = do // "engineers merged 20% more diffs", not "commits rose 25%"
	}
	ds := a.cueNear(cSpeed, q.i, q.j, 20, false)
	rnd := ds >= 0 && a.hasCue(cRnD) && !(a.cueNear(cHardware, q.i, q.j, 4, true) >= 0 && !a.aiActor())
	cmp := q.comparison || q.rel
	worker := (a.hasCue(cWorker) || users) && cmp && a.fasterish(q)
	switch {
	case dp >= 0 && (!rnd || dp <= ds):
		q.set(mProd)
	case rnd && !(worker && !a.rndNear(q)):
		q.set(mRnD)
	case worker:
		q.set(mProd)
	}
}

// workVerbs after "users" make them people at work: "Copilot users
// completed tasks 55.8% faster".
var workVerbs = wordSet("completed", "complete", "completes", "finished", "finish", "finishes", "wrote", "write",
	"writes", "coded", "code", "merged", "merge", "merges", "shipped", "ship", "ships", "solved", "solve",
	"solves", "resolved", "worked", "work", "works", "produced", "produce", "produces", "delivered")

// workingUsers reports users of a tool doing work before a multiplier, with
// no money or usage words near it: "Copilot users completed tasks 55.8%
// faster", not "users grew 3x".
func (a *sent) workingUsers(q *quant) bool {
	for k := q.i - 1; k >= 0 && k >= q.i-6 && a.sameStrong(k, q.ni); k-- {
		if (a.low(k) == "users" || a.low(k) == "customers") && workVerbs[a.low(k+1)] {
			for _, h := range a.hits {
				if h.tag&(1<<cEcon) != 0 && h.i != k && abs(h.i-q.i) <= 8 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// aiActor reports an AI system acting in the sentence: "AI", "agent", a
// named model or product.
func (a *sent) aiActor() bool {
	for k := range a.toks {
		switch a.low(k) {
		case "ai", "agent", "agents", "automated", "autonomous", "ki", "ia", "llm", "llms":
			return true
		}
	}
	for k := range a.ents {
		if k := a.ents[k].kind; k == eModel || k == eCustom || k == eName {
			return true
		}
	}
	return false
}

// rndNear reports an R&D cue within a few tokens of the quantity.
func (a *sent) rndNear(q *quant) bool { return a.cueNear(cRnD, q.i, q.j, 6, false) >= 0 }

// fasterish reports a comparison of speed or output after a multiplier.
func (a *sent) fasterish(q *quant) bool {
	for k := q.j; k < q.j+3 && k < len(a.toks); k++ {
		switch a.low(k) {
		case "faster", "quicker", "slower", "longer", "more", "productive", "productivity", "output", "schneller",
			"plus", "más", "rapides", "rápido", "productifs", "as", "gains", "gain", "improvement", "improvements",
			"increase", "boost":
			return true
		}
	}
	b := a.low(q.i - 1)
	return b == "up" || b == "by" && a.cueBefore(cProductivity, q.i, 4) >= 0
}

// inherit gives a metric to quantities coordinated with a figure: "from
// 16% to 80%", "14.9% vs 72.4% for humans", "(just over 4 months)", "up
// from single digits".
func (a *sent) inherit() {
	for k := range a.quants {
		q := &a.quants[k]
		if q.metric != "" || q.blocked || math.IsNaN(q.v) && !q.rng {
			continue
		}
		best := -1
		for m := range a.quants {
			p := &a.quants[m]
			if m == k || p.metric == "" || p.mi < 0 {
				continue
			}
			if !(p.kind == q.kind || q.kind == qBare && q.vague && p.kind == qPct) {
				continue
			}
			if a.linked(p, q) && (best < 0 || abs(m-k) < abs(best-k)) {
				best = m
			}
		}
		if best < 0 {
			continue
		}
		p := &a.quants[best]
		if q.kind == qDur && (p.mi != mDoubling && a.horizonBlocked(q) || a.lookBack(q)) {
			continue // a doubling time's partner is only a period when it looks back
		}
		if q.kind == qPct && a.ofNoun(q) == ofOther {
			continue
		}
		if q.kind == qMult && !a.contrastLink(p, q) {
			continue // "merged 98% more PRs, but review time increased by 91%"
		}
		q.kind = p.kind
		q.set(p.mi)
		q.bench = p.bench
		q.src = best
	}
}

// contrastLink reports two quantities compared head to head: "4x vs 2x",
// "from 2x to 3x".
func (a *sent) contrastLink(p, q *quant) bool {
	lo, hi := p.j, q.i
	if q.j <= p.i {
		lo, hi = q.j, p.i
	}
	for k := lo; k < hi; k++ {
		switch a.low(k) {
		case "to", "vs", "versus", "compared", "than", "against", "(":
			return true
		}
	}
	return false
}

// surpassWords compare a figure with an earlier one: "far exceeding the
// previous state of the art of 1.96%".
var surpassWords = wordSet("exceeding", "exceeds", "exceeded", "beating", "beats", "beat", "surpassing",
	"surpasses", "surpassed", "outperforming", "outperforms", "outperformed", "topping", "tops", "topped",
	"eclipsing", "eclipsed", "besting", "bested", "improving", "doubling", "tripling", "versus", "vs",
	"compared", "against", "than")

// surpassBefore reports a comparison word shortly before token i in its
// clause.
func (a *sent) surpassBefore(i int) bool {
	for k, n := i-1, 0; k >= 0 && n < 8 && a.sameStrong(k, i); k-- {
		if a.low(k) != "-" {
			n++ // "state-of-the-art" is one word
		}
		if surpassWords[a.low(k)] {
			return true
		}
		if a.toks[k].kind == kNum {
			return false
		}
	}
	return false
}

var linkWords = wordSet("to", "vs", "versus", "compared", "and", "or", "but", "while", "from", "(", ",", "than",
	"against", "à", "y", "et", "und", "bis", "al", "a", "up", "down", "with", "for", "on", "in", "then",
	"–", "-", "—", "/", "vs.", "über")

// linked reports two quantities joined by a coordinating link with no
// other quantity between them.
func (a *sent) linked(p, q *quant) bool {
	lo, hi := p.j, q.i
	if q.j <= p.i {
		lo, hi = q.j, p.i
	}
	if hi < lo {
		return false
	}
	gap := 0
	for k := lo; k < hi; k++ {
		if a.low(k) != "-" || a.toks[k].space {
			gap++ // "end-to-end" is one word
		}
	}
	limit := 10
	if a.low(q.i-1) == "from" && (a.low(q.i-2) == "up" || a.low(q.i-2) == "down") || q.i > p.i && a.surpassBefore(q.i) {
		limit = 20 // "75% … — up from 50% six months earlier", "…, far exceeding the previous best of 1.96%"
	}
	if gap > limit {
		return false
	}
	for m := range a.quants {
		o := &a.quants[m]
		if o != p && o != q && o.i >= lo && o.j <= hi && o.kind == q.kind {
			return false
		}
	}
	for k := lo; k < hi; k++ {
		if linkWords[a.low(k)] {
			return true
		}
	}
	return false
}
