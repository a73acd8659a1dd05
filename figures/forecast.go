package figures

import "strings"

// Tags of futureLex.
const (
	fStrong = iota + 1 // "will", "is expected to", "predicts": a forecast on its own
	fWeak              // "could", "might": a forecast with a future anchor
	fAnchor            // "next year", "in the coming": a future anchor
	fNot               // "than expected", "the predicted value": not a forecast
)

var futureLex = newLexicon().
	add(fStrong, "will", "'ll", "won't", "shall", "expect", "expects", "expected to", "expecting", "is expected",
		"are expected", "predict", "predicts", "predicted that", "predicted to", "has predicted", "had predicted",
		"prediction", "predictions", "forecast", "forecasts", "forecasted", "forecasting", "projected",
		"projection", "projections", "projects that", "aims to", "aim to", "aiming to", "on track to",
		"on track for", "poised to", "is set to", "are set to", "likely to", "going to", "anticipate*",
		"timeline", "timelines", "targets", "targeting", "vorhergesagt", "prognostiziert", "voraussichtlich",
		"erwartet", "prévoit", "prévu", "devrait", "devraient", "sera", "seront", "prevé", "espera", "será",
		"serán", "将", "预计", "预测", "有望", "将会", "wird erwartet").
	add(fWeak, "could", "might", "may", "would", "könnte", "könnten", "dürfte", "dürften", "pourrait",
		"pourraient", "podría", "podrían", "可能").
	add(fAnchor, "next year", "in the next", "in the coming", "soon", "eventually", "one day", "in the future",
		"el próximo año", "próximo año", "l'année prochaine", "nächstes jahr", "in den nächsten",
		"dans les prochains", "en los próximos", "within a year", "within the next", "by the end of the decade",
		"明年", "未来").
	add(fNot, "than expected", "as expected", "than predicted", "the predicted", "predicted value",
		"than forecast", "than projected", "expected value", "the expected", "was predicted by", "would have",
		"may have", "might have", "could have")

// pastVerbs show that a "by 2025" date is history: "by 2025 it had reached".
var pastVerbs = wordSet("had", "was", "were", "did", "reached", "hit", "achieved", "grew", "rose", "became",
	"completed", "surpassed", "exceeded", "doubled", "crossed", "passed", "overtook", "wrote", "ran", "managed",
	"scored", "handled", "went", "climbed", "jumped", "sustained", "worked", "hatte", "war", "avait", "était")

// pastVerb reports a past-tense verb in the figure's clause.
func (a *sent) pastVerb(q *quant) bool {
	for k := range a.toks {
		if pastVerbs[a.toks[k].low] && a.sameStrong(k, q.ni) {
			return true
		}
	}
	return false
}

// forecast reports a prediction: a future cue in the figure's clause.
func (a *sent) forecast(q *quant) bool {
	strong, weak := false, false
	anchor := false
	for _, h := range futureLex.scan(a.toks, nil, nil) {
		if h.tag == fAnchor {
			anchor = true
			continue
		}
		if !a.sameStrong(h.i, q.ni) {
			continue
		}
		if h.i >= q.j && (a.low(h.i-1) == "that" || a.low(h.i-1) == "which" || a.low(h.i-1) == "who") {
			continue // "a trend that could reshape …": not the figure's verb
		}
		if h.i >= q.j && a.consequenceIn(q.j, h.i) {
			continue // "a doubling time of 4 months means its horizon could …": the prediction is drawn from the figure
		}
		if h.tag == fWeak && h.i < q.i && (takeVerbs[a.low(h.j)] || takeAdverbs[a.low(h.j)] && takeVerbs[a.low(h.j+1)]) {
			continue // "tasks that would take a human expert two hours": a measure, not a prediction
		}
		switch h.tag {
		case fStrong:
			strong = true
		case fWeak:
			if a.low(h.i) == "may" && a.toks[h.i].upper {
				continue // the month
			}
			weak = true
		}
	}
	if !strong {
		for k := range a.toks {
			w := a.toks[k].low
			// Spanish future tense: "asumirá", "alcanzará"
			if a.toks[k].kind == kWord && len(w) >= 6 && (strings.HasSuffix(w, "rá") || strings.HasSuffix(w, "rán")) &&
				a.sameStrong(k, q.ni) {
				strong = true
			}
		}
	}
	if strong {
		return true
	}
	if !weak {
		// "AI to write 90% of code by 2027": a target date with no past verb
		for k := range a.dates {
			d := &a.dates[k]
			if d.target && d.value != "" && a.sameStrong(d.i, q.ni) && a.low(d.i-1) != "before" && !a.pastVerb(q) {
				return true
			}
		}
		return false
	}
	if anchor {
		return true
	}
	for k := range a.dates {
		if a.dates[k].target {
			return true
		}
	}
	// "within 3-6 months", "within a year": the look-ahead of a prediction
	for k := range a.quants {
		o := &a.quants[k]
		if o.kind == qDur && o.durUnit >= uMonth && a.low(a.prevWord(o.i)) == "within" {
			return true
		}
	}
	return false
}

// consequenceWords draw a consequence from a figure: what follows them is
// not the figure's own tense.
var consequenceWords = wordSet("means", "meaning", "implies", "implying", "suggests", "suggesting", "so",
	"therefore", "thus", "hence", "bedeutet", "signifie", "significa")

// consequenceIn reports a consequence word within tokens [i, j).
func (a *sent) consequenceIn(i, j int) bool {
	for k := i; k < j; k++ {
		if consequenceWords[a.low(k)] {
			return true
		}
	}
	return false
}
