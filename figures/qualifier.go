package figures

import "github.com/frontierwatch/frontierwatch"

// Qualifier tags.
const (
	qlOver = iota + 1
	qlUnder
	qlUpTo
	qlAtLeast
	qlAbout
)

var qualNames = [...]frontierwatch.Qualifier{frontierwatch.Exact, frontierwatch.Over, frontierwatch.Under,
	frontierwatch.UpTo, frontierwatch.AtLeast, frontierwatch.About}

// qualLex holds qualifiers that come before the number.
var qualLex = newLexicon().
	add(qlOver, "over", "more than", "above", "exceeding", "exceeds", "exceeded", "upwards of", "upward of",
		"north of", "in excess of", "greater than", "longer than", "surpassing", "topping", "beyond", ">",
		"mehr als", "über", "plus de", "plus d'", "más de", "más del", "mas de", "superior a", "超过", "超", "逾",
		"多于", "高于", "well over", "well above", "a little over", "a bit over", "a little more than",
		"slightly more than", "just over", "just above").
	add(qlUnder, "under", "less than", "below", "fewer than", "shy of", "short of", "lower than", "shorter than",
		"<", "weniger als", "unter", "moins de", "moins d'", "menos de", "menos del", "不到", "少于", "低于", "不足",
		"just under", "just below", "a little under", "a bit under", "a little less than", "slightly less than").
	add(qlUpTo, "up to", "as many as", "as much as", "as long as", "as high as", "≤", "<=", "bis zu", "jusqu'à",
		"jusqu'a", "hasta", "hasta el", "最多", "多达", "高达", "长达").
	add(qlAtLeast, "at least", "no less than", "no fewer than", "a minimum of", "minimum of", "not less than",
		"≥", ">=", "mindestens", "au moins", "al menos", "por lo menos", "至少", "不少于").
	add(qlAbout, "about", "roughly", "around", "nearly", "approximately", "approx", "approx.", "almost",
		"close to", "closer to", "some", "circa", "ca", "ca.", "c.", "an estimated", "~", "≈", "∼", "more or less",
		"on the order of", "in the region of", "give or take", "near", "etwa", "rund", "ungefähr", "knapp",
		"fast", "nahezu", "environ", "près de", "presque", "autour de", "quasiment", "alrededor de",
		"alrededor del", "aproximadamente", "casi", "cerca de", "cerca del", "unos", "unas", "en torno a",
		"en torno al", "约", "大约", "大概", "近", "将近", "接近", "几乎")

// suffixQualLex holds qualifiers after the unit.
var suffixQualLex = newLexicon().
	add(qlAtLeast, "or more", "or longer", "or higher", "oder mehr", "ou plus", "o más").
	add(qlAbout, "or so", "左右", "上下").
	add(qlOver, "以上", "+")

// fillers may stand between a qualifier and its number.
var fillers = wordSet("just", "only", "solely", "slightly", "well", "barely", "merely", "still", "even", "a",
	"an", "the", "full", "entire", "fully", "whole", "nur", "seulement", "solo", "sólo", "仅", "只有", "仅仅", `"`,
	"already", "now", "la", "le", "die", "el", "l")

// everyWords mark a rate: "doubles every four months".
var everyWords = wordSet("every", "alle", "cada", "每", "tous", "toutes")

func qualWordish(w string) bool {
	switch w {
	case "roughly", "about", "around", "approximately", "some", "etwa", "environ":
		return true
	}
	return false
}

// qualifierBefore finds the qualifier that ends before token i, skipping
// fillers; it also reads rates ("roughly doubles every four months").
func (a *sent) qualifierBefore(i int) (frontierwatch.Qualifier, int) {
	k := i
	for n := 0; n < 3 && k > 0 && fillers[a.low(k-1)]; n++ {
		k--
	}
	if tag, s, ok := qualLex.before(a.toks, k); ok && a.free(s, k) {
		if a.low(s) == "over" && overDuring[a.low(s-1)] {
			return frontierwatch.Exact, i // "completed a task over 14 hours": during
		}
		a.qualWord = a.low(s)
		return qualNames[tag], s
	}
	// "every" and "doubles every": look further back
	if e := a.everyAt(k); e >= 0 {
		k = e
		for n := 0; n < 2 && k > 0 && fillers[a.low(k-1)]; n++ {
			k--
		}
		if tag, s, ok := qualLex.before(a.toks, k); ok {
			return qualNames[tag], s
		}
		if k > 0 && isDoublingWord(a.low(k-1)) {
			if tag, s, ok := qualLex.before(a.toks, k-1); ok {
				return qualNames[tag], s
			}
		}
	}
	return frontierwatch.Exact, i
}

// relUp and relDown turn a percentage into a multiplier: "30% faster" = 1.3.
var (
	relUp = wordSet("faster", "quicker", "more", "higher", "greater", "better", "increase", "increases",
		"improvement", "improvements", "boost", "gain", "gains", "uplift", "jump", "rise", "growth", "speedup",
		"speed-up", "speedups", "acceleration", "schneller", "mehr", "plus", "más", "更快", "提升", "productive",
		"productivity")
	// only a slowdown converts: "p% slower" = 1 - p/100 (sentences.md);
	// "30% fewer bugs" or "a 30% reduction" are no multipliers
	relDown  = wordSet("slower", "slowdown", "slow-down", "langsamer", "lent", "lenta", "lento")
	relNouns = wordSet("productivity", "coding", "developer", "engineering", "task", "throughput", "speed", "output",
		"efficiency", "performance", "training", "code")
	relBefore = wordSet("up", "increased", "improved", "boosted", "rose", "grew", "jumped", "raised", "accelerated",
		"sped", "speeds", "increase", "improvement", "boost", "gains", "gain", "speedup", "speedups", "uplift",
		"slowed")
)

// relativeChange converts "p% faster/more" and "up p%" into a multiplier.
func (a *sent) relativeChange(q *quant) {
	dir := 0
	k := q.j
	w := a.low(k)
	if relNouns[w] && (relUp[a.low(k+1)] || relDown[a.low(k+1)]) && w != "productivity" {
		w = a.low(k + 1)
	}
	switch {
	case (w == "longer" || w == "more" && a.low(k+1) == "time") && a.tookBefore(q.i):
		dir = -1 // "took 19% longer" is 19% slower (sentences.md)
	case relUp[w]:
		dir = 1
		if w == "more" && (a.low(k+1) == "than" || a.low(k+1) == "of") {
			dir = 0
		}
	case relDown[w]:
		dir = -1
	}
	verb := -1 // a verb before the number: "up 150%", "rose by 9%"
	if dir == 0 {
		b := q.i - 1
		for b >= 0 && (a.low(b) == "by" || a.low(b) == "of" || betweenWords[a.low(b)]) {
			b--
		}
		bw := a.low(b)
		if bw == "up" && phrasalUp[a.low(b-1)] {
			bw = "" // "makes up 41%"
		}
		if relBefore[bw] {
			dir, verb = 1, b
			if bw == "slowed" {
				dir = -1
			}
		}
	}
	if dir == 0 && a.low(q.i-1) == "by" {
		// "sped up the training of a small model by 40%"
		for k := q.i - 2; k >= 0 && k >= q.i-12 && a.sameStrong(k, q.i); k-- {
			if notSpeedNouns[a.low(k)] {
				break // "increased task times by 19%" is a slowdown
			}
			if speedVerbs[a.low(k)] {
				dir, verb = 1, k
				break
			}
		}
	}
	// "PR review time increased by 91%", "bugs rose by 9%": what grew is no output
	for k := verb - 1; verb > 0 && k >= 0 && k >= verb-4; k-- {
		if notSpeedNouns[a.low(k)] {
			dir = 0
		}
	}
	if dir == 0 {
		if changeNouns[w] || (w == "less" || w == "fewer" || w == "lower") && a.low(k+1) != "than" {
			q.delta = true // "a 34% drop in code churn", "30% fewer bugs"
		}
		return
	}
	conv := func(p float64) float64 { return 1 + float64(dir)*p/100 }
	q.kind, q.rel, q.slow = qMult, true, dir < 0
	q.v, q.lo, q.hi = conv(q.v), conv(q.lo), conv(q.hi)
	if dir < 0 {
		q.lo, q.hi = q.hi, q.lo
	}
}

// tookBefore reports a verb of taking time just before token i: "took 19%
// longer".
func (a *sent) tookBefore(i int) bool {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		switch a.low(k) {
		case "took", "take", "takes", "taking", "needed", "need", "needs", "required", "require", "requires",
			"brauchten", "tardaron", "ont mis":
			return true
		}
	}
	return false
}

// overDuring are nouns after which "over" means "during".
var overDuring = wordSet("task", "tasks", "project", "projects", "run", "runs", "job", "jobs", "session",
	"sessions", "migration", "refactor", "experiment", "experiments", "period", "span", "course")

// everyAt returns the start of "every" ("tous les", "cada") that ends just
// before token k, or -1.
func (a *sent) everyAt(k int) int {
	switch {
	case k > 0 && everyWords[a.low(k-1)] && a.low(k-1) != "tous" && a.low(k-1) != "toutes":
		return k - 1
	case k > 1 && a.low(k-1) == "les" && (a.low(k-2) == "tous" || a.low(k-2) == "toutes"):
		return k - 2
	}
	return -1
}

// everyBefore reports a rate: the number at ni follows "every", maybe
// with a qualifier between ("every 3–4 months", "alle sieben Monate").
func (a *sent) everyBefore(ni int) bool {
	k := ni
	for n := 0; n < 3 && k > 0 && (fillers[a.low(k-1)] || qualWordish(a.low(k-1))); n++ {
		k--
	}
	return a.everyAt(k) >= 0
}

// phrasalUp are verbs whose "up" is no increase: "makes up 41%".
var phrasalUp = wordSet("make", "makes", "made", "making", "take", "takes", "took", "end", "ends", "ended",
	"add", "adds", "added", "sum", "sums", "pick", "picks", "picked", "show", "shows", "showed", "turn",
	"turns", "turned", "come", "comes", "came", "set", "sets", "line", "lines", "free", "frees", "freed")

// changeNouns after a percentage make it a change, not a level.
var changeNouns = wordSet("drop", "drops", "decline", "declines", "reduction", "reductions", "decrease",
	"decreases", "fall", "cut", "cuts", "dip", "plunge", "surge", "spike", "rise", "increase", "growth", "jump")

// notSpeedNouns are quantities whose increase is no speed-up: times,
// costs, sizes, defects.
var notSpeedNouns = wordSet("time", "times", "duration", "durations", "latency", "cost", "costs", "delay", "delays",
	"size", "sizes", "bugs", "errors", "defects", "incidents", "churn", "usage", "price", "prices", "spending")

// speedVerbs turn "by p%" into an increase: "sped up X by 40%".
var speedVerbs = wordSet("sped", "speed", "speeds", "accelerated", "accelerates", "accelerate", "boosted",
	"boosts", "boost", "improved", "improves", "improve", "increased", "increases", "increase", "raised",
	"raises", "lifted", "lifts", "beschleunigt", "accéléré", "aceleró")

func isDoublingWord(w string) bool {
	switch w {
	case "doubles", "double", "doubling", "doubled", "verdoppelt", "verdoppeln", "duplica", "duplican", "翻倍", "翻一番":
		return true
	}
	return false
}
