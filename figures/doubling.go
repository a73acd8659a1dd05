package figures

// doublingCopulas introduce the value of a clause's subject: "the doubling
// time … is about five months", "has been roughly seven months", "shortened
// to four months".
var doublingCopulas = wordSet("is", "was", "are", "were", "be", "been", "remains", "remained", "stays", "stayed",
	"stands", "stood", "sits", "sat", "equals", "to", "at", "of", "ist", "war", "est", "était", "es", "fue", "为", "是")

// subjectStops end the subject of a clause, looking back from its verb.
var subjectStops = wordSet(",", ";", ":", "—", "–", "(", ")", "that", "which", "while", "whereas", "and", "but",
	"when", "because", "as", "if", "where", "who")

// doublingSubject reports a duration stated as the value of a doubling time
// that heads its clause, however long the subject: "The doubling time of
// the task horizon over the past two years is about five months", "the
// estimated doubling time for frontier agents since 2019 is 7 months".
func (a *sent) doublingSubject(q *quant) bool {
	if q.durUnit < uDay || !a.hasCue(cDoublingTime) {
		return false // doubling times are days to years
	}
	p := a.prevWord(q.i)
	if !doublingCopulas[a.low(p)] {
		return false
	}
	for k := p - 1; k >= 0 && k > p-30 && a.sameStrong(k, q.ni); k-- {
		if a.low(k) == "," && k == p-1 {
			// "The doubling time, measured over the past six years, is …":
			// step over the aside to the comma that opens it
			m := k - 1
			for m >= 0 && m > k-15 && a.low(m) != "," && !subjectStops[a.low(m)] {
				m--
			}
			if a.low(m) == "," {
				k = m
				continue
			}
		}
		if subjectStops[a.low(k)] {
			return false
		}
		if a.cueAt(cDoublingTime, k) {
			return true
		}
		for m := range a.quants {
			if o := &a.quants[m]; o != q && k >= o.i && k < o.j && !(o.kind == qDur && a.lookBack(o)) {
				return false // another figure is nearer: "doubling time of 7 months, …"
			}
		}
	}
	return false
}

// lookBackBefore and lookBackAfter mark a duration as the period a
// statement looks back over, not a value: "over the past two years", "in
// the last 12 months", "for six years", "two years ago".
var (
	lookBackBefore = wordSet("past", "last", "previous", "preceding", "recent", "next", "coming", "following",
		"first", "since", "during", "throughout", "for", "spanning", "across", "ago", "within", "seit", "depuis",
		"letzten", "vergangenen", "derniers", "dernières", "últimos", "pasados", "过去")
	lookBackAfter = wordSet("ago", "earlier", "later", "prior", "before", "after", "since", "into", "old", "apart",
		"running")
)

// lookBack reports a duration in a doubling context that is a look-back
// period rather than the doubling time. Rates ("every seven months") and
// adjectives ("a 5-month doubling time") are always values.
func (a *sent) lookBack(q *quant) bool {
	if q.every || q.adj {
		return false
	}
	p := a.prevWord(q.i)
	pw := a.low(p)
	if lookBackBefore[pw] {
		return !(pw == "within" && isDoublingWord(a.low(p-1))) // "doubles within seven months" is a rate
	}
	if (q.qualWord == "over" || q.qualWord == "under") && !doublingCopulas[pw] && !valueBefore[pw] {
		return true // "has held steady over two years"
	}
	aw := a.low(q.j)
	if aw == "since" || aw == "before" || aw == "after" {
		// "about four months since 2024": the doubling time of a period
		for _, d := range a.dates {
			if d.i == q.j+1 || d.i == q.j+2 && a.low(q.j+1) == "the" {
				return false
			}
		}
	}
	return lookBackAfter[aw]
}
