package figures

// npStop ends the noun phrase after "of".
var npStop = wordSet("is", "are", "was", "were", "in", "at", "on", "by", "for", "with", "from", "that", "which",
	"who", "to", "into", "and", "or", "but", "as", "than", "it", "will", "would", "could", "can", "has",
	"have", "had", "now", "written", "generated", "produced", "est", "ist", "es", "sont", "son", "werden",
	"wird", "behind", "across", "said", "says", "were", "be", "being", "been", "they", "this", "these")

// Kinds of the noun a share is of.
const (
	ofNone = iota
	ofCode
	ofTask
	ofOther
)

// ofNoun reads the head noun after "of" ("of all new code", "of the
// company's work", "de la mitad del desarrollo de software").
func (a *sent) ofNoun(q *quant) int {
	k := q.j
	for a.low(k) == `"` || a.low(k) == "'" && a.low(k+1) != "s" {
		k++
	}
	switch a.low(k) {
	case "of", "des", "du", "de", "del", "der", "d":
		k++
		if a.low(k) == "'" {
			k++
		}
	case "para", "pour":
		return ofNone
	default:
		return ofNone
	}
	res := ofNone
	for m := k; m < k+7 && m < len(a.toks); m++ {
		t := &a.toks[m]
		if t.kind == kPunct && t.low != "-" && t.low != "'" || npStop[t.low] {
			break
		}
		h := a.hitAt(m)
		if res != ofNone && (h == nil || h.tag&(1<<cCode|1<<cNonCode) == 0) && !taskObjects[t.low] && t.low != "-" {
			break // the noun phrase ended: "of their time reviewing …"
		}
		switch {
		case h != nil && h.tag&(1<<cCode) != 0:
			res = ofCode
		case taskObjects[t.low]:
			res = ofTask
		case h != nil && h.tag&(1<<cNonCode) != 0:
			res = ofOther
		}
		if h != nil {
			m = h.j - 1
		}
	}
	return res
}

// percentMetric: share_of_code_by_ai, benchmark_score or task_success_rate.
func (a *sent) percentMetric(q *quant) {
	if q.delta {
		return
	}
	of := a.ofNoun(q)
	if q.frac && of == ofNone {
		return // "half the 24-hour limit"
	}
	accept := a.cueNear(cAccept, q.i, q.j, 25, false) >= 0
	aiAuthor := a.cueNear(cAIAuthor, q.i, q.j, 40, false) >= 0 || a.aiNamed()
	if of == ofCode && !accept && aiAuthor {
		q.set(mShare)
		return
	}
	if of == ofOther {
		return
	}
	notSuccess := a.cueIn(cNotSuccess, q.j, q.j+3) && a.cueBefore(cSuccess, q.i, 3) < 0
	if b := a.benchFor(q); b != "" {
		if notSuccess || a.cueNear(cBenchBlock, q.i, q.j, 40, false) >= 0 || a.cueNear(cEcon, q.i, q.j, 4, true) >= 0 {
			return // a prize threshold, a market share
		}
		if of != ofTask || a.cueNear(cSuccess, q.i, q.j, 12, false) >= 0 {
			q.set(mBench)
			q.bench = b
			return
		}
	}
	if of != ofTask && !accept && aiAuthor && a.cueNear(cEcon, q.i, q.j, 5, true) < 0 &&
		(a.cueIn(cCode, q.j, q.j+4) || a.cueNear(cCode, q.i, q.j, 10, true) >= 0 && a.shareVerb(q)) {
		q.set(mShare)
		return
	}
	if notSuccess {
		return
	}
	if !(a.aiContext() || a.hasCue(cAutonomy)) || a.cueNear(cEcon, q.i, q.j, 2, true) >= 0 {
		return
	}
	if a.cueNear(cSuccess, q.i, q.j, 8, true) >= 0 || of == ofTask && a.cueNear(cSuccess, q.i, q.j, 20, false) >= 0 {
		q.set(mSuccess)
	}
}

// shareWords state a share: "accounted for", "written by", "percentage".
var shareWords = wordSet("written", "generated", "authored", "produced", "accounted", "accounts", "account",
	"makes", "make", "made", "contributed", "percentage", "percentages", "share", "proportion", "writes",
	"wrote", "write", "writing", "generating", "producing", "authoring", "generates", "generate", "autocompletes", "geschrieben", "generiert", "généré", "écrit",
	"generado", "escrito", "生成", "编写")

func (a *sent) shareVerb(q *quant) bool {
	for k := range a.toks {
		if shareWords[a.low(k)] && a.sameStrong(k, q.ni) && abs(k-q.ni) <= 14 {
			return true
		}
	}
	return false
}

// aiNamed reports a model or configured subject in the sentence.
func (a *sent) aiNamed() bool {
	for k := range a.ents {
		if a.ents[k].kind == eModel || a.ents[k].kind == eCustom {
			return true
		}
	}
	return false
}

// benchFor returns the benchmark a score is on: "on X" after it, else the
// nearest one.
func (a *sent) benchFor(q *quant) string {
	best, bestD := -1, 0
	for k := range a.ents {
		e := &a.ents[k]
		if e.kind != eBench {
			continue
		}
		d := 0
		switch {
		case e.i >= q.j:
			d = e.i - q.j
			if !a.sameStrong(e.i, q.ni) {
				d += 50
			}
		case e.j <= q.i:
			d = q.i - e.j + 1
			if !a.sameStrong(e.i, q.ni) {
				d += 50
			}
		}
		if best < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if best < 0 {
		return ""
	}
	return a.ents[best].name
}
