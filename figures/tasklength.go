package figures

// The METR-style horizon is stated as the human working time of the tasks
// an AI completes: "can now complete software tasks that take skilled
// engineers about one hour", "finish tasks lasting up to 12 hours of
// expert work", "succeeded at tasks requiring 8 hours of expert time".
var (
	// capabilityVerbs say that the AI completes the tasks.
	capabilityVerbs = wordSet("complete", "completes", "completed", "completing", "finish", "finishes", "finished",
		"finishing", "handle", "handles", "handled", "handling", "solve", "solves", "solved", "solving", "do",
		"does", "did", "doing", "perform", "performs", "performed", "performing", "accomplish", "accomplishes",
		"accomplished", "automate", "automates", "automated", "automating", "tackle", "tackles", "tackled",
		"tackling", "manage", "manages", "managed", "execute", "executes", "executed", "succeed", "succeeds",
		"succeeded", "succeeding", "master", "mastered", "masters", "resolve", "resolves", "resolved",
		"erledigen", "erledigt", "bewältigt", "réaliser", "réalise", "accomplir", "completar", "completa",
		"resolver", "realizar", "completan", "completó", "resuelven", "realizan", "lösen", "löst", "bewältigen",
		"schaffen", "schafft", "ausführen", "accomplissent", "réalisent", "résoudre", "résolvent", "完成")
	// lengthTaskNouns are the tasks whose length is measured.
	lengthTaskNouns = wordSet("task", "tasks", "problem", "problems", "challenge", "challenges", "project",
		"projects", "assignment", "assignments", "job", "jobs", "workflow", "workflows", "chores", "ones",
		"aufgaben", "tâches", "tareas", "任务")
	// takeVerbs state the length: "that take", "lasting", "requiring".
	takeVerbs = wordSet("take", "takes", "took", "taking", "require", "requires", "required", "requiring",
		"need", "needs", "needing", "lasting", "last", "lasts", "spanning", "dauern", "durent", "duran", "prennent",
		"prend", "demandent", "demande", "nécessitent", "nécessite", "exigent", "llevan", "lleva", "requieren",
		"requiere", "toman", "toma", "tardan", "需要", "耗时")
	// afterTakeVerbs follow the length in German: "für die Menschen eine
	// Stunde brauchen".
	afterTakeVerbs = wordSet("brauchen", "braucht", "brauchten", "benötigen", "benötigt", "benötigten", "dauern",
		"dauert")
	// relWords open the relative clause of the length, in several languages.
	relWords = wordSet("that", "which", "que", "qui", "die", "für", "denen", "les", "le", "la", "lui", "leur",
		"à", "a")
	// takeAdverbs may stand before a take verb: "would normally take".
	takeAdverbs = wordSet("would", "could", "might", "will", "typically", "normally", "usually", "generally",
		"otherwise", "traditionally", "often", "ordinarily", "that", "which", "can", "may", "might", "roughly")
	// takers are the people whose time measures a task, with their
	// modifiers: "a skilled human", "human experts", "skilled engineers".
	takers = wordSet("humans", "human", "people", "person", "experts", "expert", "professionals", "professional",
		"engineers", "engineer", "programmers", "programmer", "developers", "developer", "researchers",
		"researcher", "workers", "worker", "specialists", "specialist", "someone", "practitioners",
		"contractors", "freelancers", "coders", "coder", "us", "them", "menschen", "mensch", "humains", "humain",
		"humanos", "humano", "personne", "personnes", "persona", "personas", "experto", "expertos", "experte",
		"experten", "fachleute", "entwickler", "ingenieur", "ingenieure", "ingénieur", "ingénieurs")
	takerMods = wordSet("a", "an", "the", "skilled", "expert", "experienced", "professional", "senior", "typical",
		"average", "software", "top", "junior", "mid-level", "entry-level", "median", "human-level", "domain", "trained", "competent", "talented", "highly", "seasoned",
		"human", "good", "qualified", "most", "many", "un", "une", "una", "uno", "ein", "eine", "einen", "einem",
		"einer", "erfahrene", "erfahrener", "menschliche", "menschlicher", "humain", "humaine", "humano",
		"expérimenté", "experimentado")
	// negators before a capability verb: "cannot yet complete".
	negators = wordSet("cannot", "not", "never", "unable", "fail", "fails", "failed", "failing", "struggle",
		"struggles", "struggled", "rarely", "seldom", "nicht", "pas", "no", "不能", "无法")
	// effortNouns end the length: "12 hours of expert work".
	effortNouns = wordSet("work", "time", "effort", "labor", "labour", "engineering", "development", "coding",
		"programming", "research")
)

// taskLength reports a duration that is the human length of tasks an AI
// completes (the METR-style horizon); it also sets q.sj so that the people
// who take that time are not the figure's subject.
func (a *sent) taskLength(q *quant) bool {
	if q.durUnit > uHour {
		return false // days and weeks of human work are sizes, not horizons (sentences.md)
	}
	noun, verb := a.lengthPhrase(q)
	if noun < 0 {
		return false
	}
	if verb < 0 {
		for m := noun - 1; m >= 0 && m >= noun-6 && a.sameFine(m, q.ni); m-- {
			w := a.low(m)
			if capabilityVerbs[w] {
				verb = m
				break
			}
			if a.toks[m].kind != kWord && w != "-" || negators[w] {
				break
			}
		}
	}
	if verb < 0 || a.quantIn(min(verb, noun), q.i, q) || a.negated(min(verb, noun)) || a.ratedTasks(noun) {
		return false
	}
	if !a.lengthTail(q) || !a.aiContext() || a.humanSubjectBefore(min(verb, noun), q.ni) {
		return false
	}
	q.sj = noun
	return true
}

// lengthPhrase finds the task noun whose length q states, reading back
// from q: "tasks that take skilled engineers q", "tasks lasting q", "tâches
// qui prennent q", "tareas que a un humano le llevan q"; and the German
// "Aufgaben erledigen, für die Menschen q brauchen", whose verb comes
// first (then verb is set too). It returns -1 when there is none.
func (a *sent) lengthPhrase(q *quant) (noun, verb int) {
	k := q.i - 1
	sawTaker := false
	for n := 0; n < 5 && k >= 0 && (takers[a.low(k)] || takerMods[a.low(k)]); n++ {
		sawTaker = sawTaker || takers[a.low(k)]
		k--
	}
	if afterTakeVerbs[a.low(q.j)] {
		// German: the verb of taking follows the length
		for n := 0; n < 3 && k >= 0 && (relWords[a.low(k)] || a.low(k) == ","); n++ {
			k--
		}
		if capabilityVerbs[a.low(k)] && lengthTaskNouns[a.low(k-1)] {
			return k - 1, k // "Aufgaben erledigen, für die …"
		}
		if lengthTaskNouns[a.low(k)] {
			return k, -1
		}
		return -1, -1
	}
	if !takeVerbs[a.low(k)] {
		return -1, -1
	}
	take := a.low(k)
	k--
	for n := 0; n < 6 && k >= 0 && (takeAdverbs[a.low(k)] || relWords[a.low(k)] || a.low(k) == "," ||
		takers[a.low(k)] || takerMods[a.low(k)]); n++ {
		k--
	}
	if !lengthTaskNouns[a.low(k)] {
		return -1, -1
	}
	if sawTaker && (take == "lasting" || take == "last" || take == "lasts") {
		return -1, -1 // "tasks lasting humans …" is no phrase
	}
	return k, -1
}

// lengthTail reports what may follow a task length: nothing that makes it
// a period or a saving; "of expert work", "for a human expert" are fine.
func (a *sent) lengthTail(q *quant) bool {
	k := q.j
	switch a.low(k) {
	case "of":
		for m := k + 1; m < k+4 && m < len(a.toks); m++ {
			if effortNouns[a.low(m)] {
				return true
			}
			if !takers[a.low(m)] && !takerMods[a.low(m)] {
				return false
			}
		}
		return false
	case "ago", "earlier", "later", "a", "an", "per", "each", "every", "saved", "less", "fewer", "faster":
		return false
	}
	return true
}

// quantIn reports another quantity inside tokens [i, j).
func (a *sent) quantIn(i, j int, q *quant) bool {
	for m := range a.quants {
		o := &a.quants[m]
		if o != q && o.i < j && o.j > i {
			return true
		}
	}
	return false
}

// durationIn reports another duration inside tokens [i, j).
func (a *sent) durationIn(i, j int, q *quant) bool {
	for m := range a.quants {
		o := &a.quants[m]
		if o != q && o.kind == qDur && o.i < j && o.j > i {
			return true
		}
	}
	return false
}

// negated reports a negation or a failure verb shortly before token k in
// its clause: "cannot yet complete", "fail to complete", "can't finish".
func (a *sent) negated(k int) bool {
	for m := k - 1; m >= 0 && m >= k-4 && a.sameStrong(m, k); m-- {
		w := a.low(m)
		if negators[w] || w == "t" && a.low(m-1) == "'" {
			return true
		}
	}
	return false
}

// ratePreps introduce the tasks a rate is measured on: "10% on tasks …".
var ratePreps = wordSet("on", "of", "in", "at", "for", "across", "with")

// rateNouns name a rate or a score before the tasks it is measured on:
// "success rate on 8-hour tasks".
var rateNouns = wordSet("rate", "rates", "accuracy", "score", "scores", "performance", "reliability",
	"success", "percentage", "share", "fraction", "proportion")

// ratedTasks reports that the tasks described from token start are what a
// success rate is measured on, not what an AI completes: "falls below 10%
// on tasks taking more than four hours", "success rate on 8-hour tasks".
func (a *sent) ratedTasks(start int) bool {
	prep := -1
	for k := start - 1; k >= 0 && k >= start-4; k-- {
		if ratePreps[a.low(k)] {
			prep = k
			break
		}
		if a.toks[k].kind != kWord && a.low(k) != "-" {
			return false
		}
	}
	if prep < 0 {
		return false
	}
	if rateNouns[a.low(prep-1)] {
		return true
	}
	for m := range a.quants {
		o := &a.quants[m]
		if o.kind == qPct && o.j <= prep && prep-o.j <= 2 && !o.blocked && !a.reliability(o) {
			return true
		}
	}
	return false
}

// taskStart returns where the task noun phrase before token p starts: the
// nearest task noun within three tokens, or -1.
func (a *sent) taskStart(p int) int {
	best := -1
	for _, h := range a.hits {
		if h.tag&(1<<cTaskNoun) != 0 && h.j <= p && p-h.j <= 3 && h.i > best {
			best = h.i
		}
	}
	return best
}
