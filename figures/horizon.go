package figures

// durationMetric: task_horizon or doubling_time.
func (a *sent) durationMetric(q *quant) {
	if a.doublingContext(q) {
		if a.doublingOK(q) && !a.lookBack(q) {
			q.set(mDoubling)
		}
		return
	}
	if a.horizonOK(q) {
		q.set(mHorizon)
	}
}

func (a *sent) doublingContext(q *quant) bool {
	if q.every {
		return true
	}
	if q.durUnit < uDay {
		return false // doubling times are days to years: "took 3 hours to double its score" is none
	}
	if d := a.cueBefore(cDoublingTime, q.i, 8); d >= 0 && a.cueNear(cDoublingTime, q.i, q.j, 8, true) >= 0 &&
		q.durUnit >= uDay && !a.durationIn(q.i-d, q.i, q) {
		return true // not "whose doubling time is seven months, now exceeds two hours"
	}
	if h := a.cueNear(cDoublingTime, q.i, q.j, 2, true); h >= 0 && a.cueIn(cDoublingTime, q.j, q.j+3) {
		return true
	}
	// "doubling in about seven months"
	p := a.prevWord(q.i)
	if (a.low(p) == "in" || a.low(p) == "within") && isDoublingWord(a.low(p-1)) {
		return true
	}
	return a.doublingSubject(q)
}

func (a *sent) doublingOK(q *quant) bool {
	if a.cueNear(cEcon, q.i, q.j, 9, true) >= 0 {
		return false
	}
	if !q.every {
		return true
	}
	// "doubles every four months", "alle sieben Monate" after "verdoppelt"
	return a.cueIn(cDoubling, q.i, q.ni) || a.cueBefore(cDoubling, q.i, 6) >= 0 ||
		a.cueNear(cDoublingTime, q.i, q.j, 8, true) >= 0
}

var (
	periodBefore = wordSet("within", "since", "until", "till", "every", "each", "per", "ago", "innerhalb", "dentro",
		"past", "last", "next", "first", "previous", "coming", "following", "remaining", "final", "initial",
		"recent", "the", "these", "those", "took", "take", "takes", "spent", "spend", "needed", "need", "needs",
		"require", "requires", "required", "requiring", "saved", "save", "saves", "wait", "waited", "than",
		"over", "during", "throughout", "about", "seit", "depuis", "内")
	periodAfter = wordSet("ago", "earlier", "later", "prior", "from", "old", "since", "after", "before", "of",
		"per", "weekly", "daily", "monthly", "yearly", "annually", "early", "late", "into", "between", "apart")
	forWords    = wordSet("for", "pendant", "durante", "während", "por", "持续")
	valueBefore = wordSet("of", "at", "was", "is", "were", "are", "reached", "reaches", "reach", "hit", "hits",
		"exceeds", "exceeded", "exceed", "surpassed", "surpasses", "to", "=", ":", "(", "now", "around", "about",
		"roughly", "approximately", "nearly", "near", "beyond", "be", "been", "estimated", "measured", "von",
		"de", "à", "sur", "de", "para", "达到", "为")
	lastWords   = wordSet("lasting", "taking", "last", "lasts", "take", "takes", "that")
	ranWords    = wordSet("lasted", "lasts", "ran", "runs", "running", "ran for", "lasting")
	effortAfter = wordSet("human", "traditional", "engineering", "developer", "effort", "wall-clock", "training",
		"compute", "video", "audio", "footage", "content", "reading", "listening", "expert", "labor", "labour",
		"work", "manual", "professional", "person")
)

// horizonBlocked reports a duration that is a period, a budget, a saving
// or human working time rather than a horizon: "within 3-6 months", "two
// weeks ago", "8 hours a week", "capped at 8 hours", "of human effort".
func (a *sent) horizonBlocked(q *quant) bool {
	if q.every {
		return true
	}
	after := a.autonomyAfter(q)
	p := a.prevWord(q.i)
	pw := a.low(p)
	if pw == "von" && a.low(p-1) == "innerhalb" || pw == "de" && (a.low(p-1) == "dentro" || a.low(p-1) == "través") {
		return true // "innerhalb von 3 Monaten"
	}
	taskAdj := q.adj && a.cueAt(cTaskNoun, q.j) // "the 20-minute tasks" is no period
	if pw == "after" && !after || periodBefore[pw] && !(pw == "about" || pw == "over") && !taskAdj {
		if !(pw == "the" && (a.low(p-1) == "for" || a.low(p-1) == "of") && after) {
			return true
		}
	}
	if (pw == "over" || pw == "about") && !after {
		// "over two years" as a period, unless "over 14 hours without intervention"
		if a.low(p-1) != "for" && a.low(p-1) != "of" && !a.cueIn(cHorizon, p-3, p) {
			return true
		}
	}
	if (q.qualWord == "over" || q.qualWord == "under" || q.qualWord == "about" || q.qualWord == "around") &&
		a.toks[max(p, 0)].kind == kNum {
		return true // "by a factor of 7 over two years"
	}
	aw := a.low(q.j)
	switch {
	case aw == "of" && effortAfter[a.low(q.j+1)]:
		return true
	case aw == "of" && a.low(q.j+1) == "the":
		return true
	case periodAfter[aw] && aw != "of" && !(aw == "before" && a.low(q.j+1) != "the"):
		return true
	case aw == "a" || aw == "an" || aw == "each" || aw == "every":
		if _, e, ok := unitLex.at(a.toks, q.j+1); ok && !periodAfter[a.low(e)] {
			return true // "8 hours a week", not "10 minutes a year ago"
		}
	}
	if a.cueBefore(cBudget, q.i, 5) >= 0 || a.cueIn(cBudget, q.j, q.j+3) {
		return true
	}
	for k := q.i - 1; k >= 0 && k >= q.i-8 && a.sameFine(k, q.ni); k-- {
		if intervalWords[a.low(k)] {
			return true // "a confidence interval of 75 minutes to 350 minutes"
		}
	}
	if a.cueNear(cHumanTime, q.i, q.j, 6, true) >= 0 && !a.hasCue(cHorizon) {
		return true
	}
	return false
}

// horizonOK decides whether a duration is a task horizon: how long a
// model works on its own or how long a task it completes is.
func (a *sent) horizonOK(q *quant) bool {
	if q.durUnit != uYear && a.taskLength(q) {
		return true
	}
	if a.horizonBlocked(q) || q.durUnit == uYear {
		return false // years are periods ("for more than 50 years"), not horizons
	}
	after := a.autonomyAfter(q)
	p := a.prevWord(q.i)
	pw := a.low(p)
	aw := a.low(q.j)
	// positives
	switch {
	case after:
		return true
	case q.adj && (a.cueAt(cTaskNoun, q.j) || a.cueAt(cAutonomy, q.j) ||
		a.toks[min(q.j, len(a.toks)-1)].kind == kWord && a.cueAt(cTaskNoun, q.j+1)) && a.aiContext():
		// "12-hour tasks", "hour-long software tasks"
		return !a.failureBefore(q) && !a.ratedTasks(q.i)
	case a.hasCue(cHorizon) && a.valuePosition(q):
		return true
	case forWords[pw] || aw == "lang":
		f := p
		if aw == "lang" {
			f = q.i
		}
		if a.humanSubject(q) {
			return false
		}
		if !(a.aiContext() || a.hasCue(cCode) || a.hasCue(cAutonomy)) {
			return false // "the algorithm works correctly for 3000 years"
		}
		return a.cueBefore(cWorkVerb, f, 5) >= 0 || a.cueBefore(cTaskNoun, f, 2) >= 0 ||
			a.cueNear(cAutonomy, q.i, q.j, 10, true) >= 0
	case lastWords[pw] && (a.cueBefore(cTaskNoun, p, 3) >= 0 || pw == "that" && a.cueBefore(cTaskNoun, p, 1) >= 0):
		return a.cueNear(cHumanTime, q.j, q.j+1, 2, true) < 0 && !a.ratedTasks(a.taskStart(p))
	case pw == "of" && a.cueBefore(cTaskNoun, p, 1) == 0:
		return !a.ratedTasks(a.taskStart(p))
	case pw == "in" && (a.cueNear(cAutonomy, q.i, q.j, 20, false) >= 0 || a.aiActor()) && a.cueBefore(cBuild, p, 8) >= 0:
		return !a.humanSubject(q)
	case ranWords[pw] && a.cueBefore(cTaskNoun, p, 8) >= 0 && a.cueNear(cAutonomy, q.i, q.j, 12, false) >= 0:
		return true
	case a.reliabilityAfter(q):
		return true
	case a.evaluatorEstimate(q):
		return true
	case a.cueBefore(cAutonomy, q.i, 4) >= 0 && a.aiContext() && !a.humanSubject(q):
		return true
	case a.isCJKAt(q.i-1) && (a.cueBefore(cWorkVerb, q.i, 1) == 0 || a.low(q.i-1) == "了" && a.cueBefore(cWorkVerb, q.i, 2) == 1):
		// "连续运行 31 小时", "持续运行了近一周"
		return (a.aiContext() || a.cueBefore(cAutonomy, q.i, 4) >= 0) && !a.humanSubject(q)
	case changeFrom[pw] && (a.hasCue(cAutonomy) || a.hasCue(cHorizon)) && a.aiContext():
		// "autonomous work sessions grew from under 25 minutes to more than 45 minutes"
		return !a.humanSubject(q)
	}
	return false
}

// intervalWords introduce the bounds of an estimate, not a value.
var intervalWords = wordSet("interval", "intervals", "ci", "uncertainty", "bounds", "error", "margin")

// estimateWords state an evaluator's measurement.
var estimateWords = wordSet("estimate", "estimates", "estimated", "measured", "measures", "measurement", "puts",
	"put", "pegs", "pegged", "clocked", "rated", "result", "results")

// evaluatorEstimate reads an evaluator's estimate for a model in minutes
// or hours: "METR's estimate for GPT-5.1-Codex-Max is 2 hours and 42
// minutes", "METR puts Claude at about 5 hours". METR measures time
// horizons, so an estimate of a duration it makes is one.
func (a *sent) evaluatorEstimate(q *quant) bool {
	if q.durUnit > uHour || !valueBefore[a.low(a.prevWord(q.i))] {
		return false
	}
	named := false
	for k := range a.ents {
		if e := &a.ents[k]; e.evaluator && e.name == "METR" && e.j <= q.i {
			named = true
		}
	}
	if !named {
		return false
	}
	for k := q.i - 1; k >= 0 && k >= q.i-12 && a.sameStrong(k, q.ni); k-- {
		if estimateWords[a.low(k)] {
			return true
		}
	}
	return false
}

func (a *sent) isCJKAt(k int) bool { return k >= 0 && k < len(a.toks) && a.toks[k].kind == kCJK }

// changeFrom introduce the values of a change: "from 25 minutes to 45".
var changeFrom = wordSet("from", "von", "auf", "de", "desde", "à", "hasta")

// failureBefore reports a failure verb before a duration in its clause:
// "fail 90% of the time on 4-hour tasks".
func (a *sent) failureBefore(q *quant) bool {
	for k := q.i - 1; k >= 0 && k >= q.i-12 && a.sameStrong(k, q.ni); k-- {
		switch a.low(k) {
		case "fail", "fails", "failed", "failing", "struggle", "struggles", "struggled", "cannot", "unable":
			return true
		}
	}
	return false
}

// autonomyAfter reads "7 hours straight", "2 hours of autonomous work".
func (a *sent) autonomyAfter(q *quant) bool {
	if q.straight {
		return true
	}
	k := q.j
	if a.cueAt(cAutonomy, k) && a.low(k) != "independent" {
		return true
	}
	if a.low(k) == "of" {
		switch a.low(k + 1) {
		case "work", "activity", "operation", "runtime", "coding", "tasks", "agent", "agentic":
			return true
		}
		return a.cueAt(cAutonomy, k+1)
	}
	return false
}

// valuePosition reports a duration stated as the value of a named horizon:
// "a time horizon of 2 hours", "Claude at ~60 minutes", "was above 16 hours".
func (a *sent) valuePosition(q *quant) bool {
	p := a.prevWord(q.i)
	if valueBefore[a.low(p)] {
		return true
	}
	switch q.qualWord {
	case "exceeds", "exceeded", "exceeding", "surpassing", "topping", "tops", "over", "above", "under", "below":
		// "exceeds eight hours": the qualifier is the verb; "was above"
		// was seen before
		if q.qualWord[0] == 'e' || q.qualWord[0] == 's' || q.qualWord[0] == 't' || valueBefore[a.low(a.prevWord(p+1))] {
			return true
		}
	}
	return a.cueIn(cHorizon, q.j, q.j+3)
}

// reliabilityAfter reads "6.5 hours for 50% success rate".
func (a *sent) reliabilityAfter(q *quant) bool {
	switch a.low(q.j) {
	case "for", "at", "with":
	default:
		return false
	}
	for k := q.j + 1; k < q.j+6 && k < len(a.toks); k++ {
		switch a.low(k) {
		case "reliability", "success", "probability":
			return true
		}
	}
	return false
}

// aiContext reports that the sentence is about AI systems.
func (a *sent) aiContext() bool {
	if a.hasCue(cAIContext) {
		return true
	}
	for k := range a.ents {
		if k := a.ents[k].kind; k == eModel || k == eCustom || k == eOrg {
			return true
		}
	}
	return false
}

// humanSubject reports a duration whose subject is people: "developers
// worked for 3 hours".
func (a *sent) humanSubject(q *quant) bool { return a.humanSubjectBefore(q.i, q.ni) }

// humanSubjectBefore reports that the subject before token i (in the
// clause of token ni) is people.
func (a *sent) humanSubjectBefore(i, ni int) bool {
	best := -1
	for k := range a.ents {
		e := &a.ents[k]
		if e.j <= i && a.sameStrong(e.i, ni) && e.kind != eBench &&
			(best < 0 || e.j > a.ents[best].j || e.j == a.ents[best].j && e.i < a.ents[best].i) {
			best = k
		}
	}
	if best >= 0 && a.ents[best].kind != eGroup {
		return false
	}
	d := a.cueBefore(cHumanGroup, i, 30)
	if d < 0 {
		return false
	}
	if best >= 0 {
		e := &a.ents[best]
		return a.cueIn(cHumanGroup, e.head, e.head+1)
	}
	return a.cueBefore(cAIContext, i, 30) < 0
}
