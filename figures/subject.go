package figures

import (
	"strings"
	"unicode"
)

// Group noun phrases: "top human researchers", "the best AI agent".
var (
	groupHeads = wordSet("agents", "models", "systems", "llms", "engineers", "developers", "researchers", "humans",
		"programmers", "coders", "contributors", "scientists", "teams", "agenten", "modelle", "entwickler",
		"ingenieure", "modèles", "développeurs", "ingénieurs", "agentes", "modelos", "desarrolladores",
		"ingenieros", "assistants", "swarms", "tools")
	singularHeads = wordSet("agent", "model", "system", "run", "llm", "engineer", "developer", "researcher", "swarm")
	groupMods     = wordSet("top", "best", "leading", "current", "frontier", "newer", "new", "latest", "newest",
		"most", "advanced", "capable", "strongest", "other", "ai", "llm", "language", "coding", "software",
		"autonomous", "agentic", "human", "expert", "senior", "junior", "sota", "open", "open-source",
		"closed", "proprietary", "reasoning", "performing", "scoring", "state", "art", "of", "the", "-",
		"ki", "ia", "research", "experienced", "skilled", "professional", "general", "purpose", "powerful",
		"early", "older", "today", "previous", "prior", "average", "typical", "many", "several", "strong", "some",
		"earlier", "later", "recent", "past",
		"weaker", "stronger", "smaller", "larger", "big")
	// superlatives let a singular head stand for a group: "the top model".
	superlatives = wordSet("top", "best", "leading", "strongest", "latest", "newest", "performing", "scoring",
		"most", "highest")
	possessives = wordSet("its", "their", "our", "his", "her", "ses", "sus", "seine", "ihre")
)

// findGroups finds group noun phrases.
func (a *sent) findGroups() {
	toks := a.toks
	for h := range toks {
		t := &toks[h]
		plural := groupHeads[t.low]
		if t.kind != kWord || (!plural && !singularHeads[t.low]) || a.inEntity(h) {
			continue
		}
		if (t.low == "tools" || t.low == "assistants") && (h == 0 || !groupMods[a.low(h-1)]) {
			continue // "tools" only with a modifier: "AI coding tools"
		}
		s := h
		sup := false
		for s > 0 && s > h-5 {
			w := a.low(s - 1)
			if w == "the" || w == "of" && a.low(s) != "the" {
				break
			}
			if !groupMods[w] || toks[s-1].kind == kNum {
				break
			}
			if superlatives[w] {
				sup = true
			}
			s--
		}
		for s < h && (a.low(s) == "-" || a.low(s) == "of" || a.low(s) == "the") {
			s++
		}
		det := a.low(s - 1)
		if !plural && !(sup && (det == "the" || det == "s" && a.low(s-2) == "'")) {
			continue
		}
		e := entity{i: s, j: h + 1, kind: eGroup, head: h}
		e.weak = possessives[det]
		// "Anthropic engineers", "GPT-5 agents", "Anthropic's own engineers":
		// take in the name before
		if det == "own" || det == "s" && a.low(s-2) == "'" {
			b := s - 1
			if det == "own" && a.low(b-1) == "s" && a.low(b-2) == "'" {
				b -= 2
			} else if det == "s" {
				b--
			}
			for k := range a.ents {
				p := &a.ents[k]
				if p.j == b && (p.kind == eOrg || p.kind == eCustom) && !p.source {
					e.i = p.i
					e.weak = false
				}
			}
		} else if s > 0 {
			for k := range a.ents {
				p := &a.ents[k]
				if p.j == s && (p.kind == eOrg || p.kind == eModel || p.kind == eCustom) && !p.source {
					e.i = p.i
					e.weak = false
				}
			}
		}
		// "Teams at Stripe", "engineers using Claude Code", "agents built
		// on Gemini 2.5 Pro": take in the name after
		if n := a.groupLink(h + 1); n > 0 {
			for k := range a.ents {
				p := &a.ents[k]
				if p.i == h+1+n && (p.kind == eOrg || p.kind == eCustom || p.kind == eModel) && !p.source {
					e.j = p.j
				}
			}
		}
		e.name = a.s[toks[e.i].s:toks[e.j-1].e]
		a.ents = append(a.ents, e)
	}
}

// groupLink returns the length of a link after a group head ("using",
// "built on", "at") or 0.
func (a *sent) groupLink(k int) int {
	switch a.low(k) {
	case "at", "of", "using", "with", "adopting", "from", "on":
		return 1
	case "built", "based", "powered", "running", "trained":
		if w := a.low(k + 1); w == "on" || w == "by" || w == "with" {
			return 2
		}
	}
	return 0
}

// Proper names that are not in the gazetteer.
var (
	nameVerbs = wordSet("achieved", "achieves", "achieve", "reached", "reaches", "scored", "scores", "hit",
		"hits", "posted", "posts", "reported", "reports", "says", "said", "claims", "claimed", "saw", "sees",
		"completed", "completes", "solved", "solves", "managed", "manages", "ran", "runs", "worked", "works",
		"tops", "topped", "leads", "led", "delivered", "delivers", "announced", "shipped", "earned", "earns",
		"succeeded", "succeeds", "resolved", "resolves", "found", "finds", "notes", "noted", "told", "predicted",
		"predicts", "expects", "expected", "estimates", "estimated", "wrote", "writes", "has", "had", "can",
		"could", "will", "is", "was", "kept", "keeps", "handled", "handles", "landed", "got", "gets", "made",
		"makes", "generated", "generates", "accelerated", "accelerates", "beat", "beats", "outperformed",
		"outperforms", "believes", "sped", "cut", "cuts", "arbeitete", "trabajó", "alcanza", "alcanzó")
	titleWords = wordSet("ceo", "cto", "founder", "co-founder", "cofounder", "creator", "chief", "head",
		"president", "professor", "prof", "dr", "mr", "ms", "mrs", "researcher", "engineer", "director", "vp",
		"chairman", "analyst", "scientist")
	introWords = wordSet("evaluate", "evaluated", "introduce", "introduced", "introducing", "called", "named",
		"dubbed", "system", "agent", "framework", "tool", "model")
	// notNames are capitalised words that start sentences or are no subject.
	notNames = wordSet("the", "a", "an", "in", "on", "at", "by", "for", "with", "from", "as", "of", "to", "and",
		"but", "or", "if", "when", "while", "this", "that", "these", "those", "it", "its", "their", "they",
		"we", "i", "he", "she", "our", "his", "her", "however", "according", "after", "before", "since",
		"during", "data", "prior", "result", "results", "users", "researchers", "developers", "engineers",
		"experiments", "teams", "ai", "ml", "llm", "llms", "ceo", "cto", "agents", "agent", "models", "model",
		"today", "only", "some", "most", "many", "other", "both", "each", "every", "even", "still", "also",
		"then", "now", "here", "there", "what", "which", "who", "why", "how", "nevertheless", "meanwhile",
		"moreover", "overall", "laut", "selon", "según", "el", "la", "les", "le", "der", "die", "das", "du",
		"chez", "en", "nach", "bereits", "roughly", "about", "up", "over", "fewer", "more", "see", "beyond",
		"real", "proven", "japanese", "chinese", "american", "european", "january", "february", "march",
		"april", "may", "june", "july", "august", "september", "october", "november", "december", "monday",
		"tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "cuda", "gpu", "gpus", "tpu",
		"tpus", "api", "pytorch", "python", "rust", "javascript", "typescript", "linux", "windows", "ios",
		"android", "humans", "human", "programmers", "with", "three", "two", "four", "five", "one", "half",
		"nine", "ten", "six", "seven", "eight", "up", "our", "my", "your", "just", "yet", "so", "not", "no",
		"yes", "r&d", "ki", "ia", "slack", "kaggle", "mit", "united", "states", "u", "s", "uk", "us", "eu",
		"series", "part", "figure", "table", "note", "disclaimer", "share", "summary", "q1", "q2", "q3", "q4",
		"am", "pm", "group", "copilot", "study", "survey", "report", "paper", "analysis", "company", "firm",
		"lab", "startup", "bank", "version", "people", "time", "horizon", "horizons", "score", "rate")
)

// findNames finds unknown names: capitalised words before a verb ("EY
// achieved"), after a title ("CEO Marc Benioff"), and product names with
// inner capitals before a verb or after "evaluate" ("ML-Master").
func (a *sent) findNames() {
	toks := a.toks
	for i := 0; i < len(toks); i++ {
		compound := toks[i].kind == kWord && toks[i].upper && a.low(i+1) == "-" && i+2 < len(toks) &&
			!toks[i+1].space && !toks[i+2].space && a.nameToken(i+2)
		if !(a.nameToken(i) || compound) || a.inEntity(i) {
			continue
		}
		j := i + 1
		for j < len(toks) && j < i+4 {
			if a.nameToken(j) && !a.inEntity(j) && toks[j].space {
				j++
				continue
			}
			if toks[j].low == "-" && !toks[j].space && j+1 < len(toks) && !toks[j+1].space && a.nameToken(j+1) {
				j += 2
				continue
			}
			break
		}
		text := a.s[toks[i].s:toks[j-1].e]
		inner := hasInnerUpper(text) || strings.Contains(text, "-")
		multi := j-i >= 2 && !inner
		verbAfter := nameVerbs[a.low(j)]
		titled := titleWords[a.low(i-1)] || (a.low(j) == "," && titleWords[a.low(j+1)])
		intro := introWords[a.low(i-1)]
		initial := i == 0 || toks[i-1].low == `"` && i == 1
		ok := false
		switch {
		case titled && (multi || j-i == 1 && !initial):
			ok = true
		case verbAfter && (inner || multi || !initial && len(text) >= 2):
			ok = true
		case intro && inner:
			ok = true
		}
		if ok {
			a.ents = append(a.ents, entity{i: i, j: j, kind: eName, name: text, person: multi && !inner})
		}
		i = j - 1
	}
}

// nameToken reports a capitalised word that may be part of a name.
func (a *sent) nameToken(k int) bool {
	t := &a.toks[k]
	if t.kind != kWord || !t.upper || notNames[t.low] {
		return false
	}
	r := []rune(a.s[t.s:t.e])
	return len(r) >= 2 && unicode.IsLetter(r[0])
}

// markSources marks entities that say where a figure comes from, not what
// it is about: "according to METR", "(McKinsey)", "told Fortune", "per X".
func (a *sent) markSources() {
	toks := a.toks
	for k := range a.ents {
		e := &a.ents[k]
		if e.kind == eGroup && reportVerbs[a.low(e.j)] && a.low(e.j+1) == "that" {
			e.source = true // "Researchers found that the agent …": who reports, not what
			continue
		}
		if e.kind == eGroup || e.kind == eBench {
			continue
		}
		// "(McKinsey)": alone in parentheses
		if a.low(e.i-1) == "(" && a.low(e.j) == ")" {
			e.source = true
			continue
		}
		for b := e.i - 1; b >= 0 && b >= e.i-7; b-- {
			w := toks[b].low
			if w == "to" && a.low(b-1) == "according" || w == "per" || w == "via" || w == "told" ||
				w == "laut" && b == e.i-1 || w == "selon" && b == e.i-1 || w == "según" && b == e.i-1 {
				e.source = b == e.i-1 || w == "to" || w == "per"
				break
			}
			if a.inEntity(b) || w == "," || w == ";" {
				break
			}
		}
	}
}

// reportVerbs introduce what someone found or said.
var reportVerbs = wordSet("found", "find", "finds", "said", "say", "says", "reported", "report", "reports",
	"estimated", "estimate", "estimates", "noted", "note", "notes", "showed", "show", "shows", "concluded",
	"conclude", "observed", "observe", "wrote", "argue", "argued", "argues", "claim", "claimed", "claims",
	"believe", "believes", "suggest", "suggests", "suggested", "discovered", "measured", "calculated")

// oblique reports an entity inside a prepositional phrase ("on NVIDIA's
// hardware", "powered by OpenAI"), a weaker subject than a bare one.
func (a *sent) oblique(e *entity) bool {
	b := e.i - 1
	// "OpenAI's GPT-5.2": look before the possessor
	if a.low(b) == "s" && a.low(b-1) == "'" {
		for k := range a.ents {
			if a.ents[k].j == b-1 {
				b = a.ents[k].i - 1
			}
		}
	}
	switch a.low(b) {
	case "on", "in", "at", "for", "with", "from", "into", "to", "of", "by", "using", "than", "over", "like",
		"including", "against", "versus", "vs", "via", "behind", "under", "de", "von", "par", "por", "sur":
		return true
	}
	return false
}

// subjectFor picks the subject of a figure: the entity that governs it.
func (a *sent) subjectFor(q *quant) string {
	if len(a.ents) == 0 {
		return ""
	}
	usable := func(e *entity) bool {
		if e.source || e.kind == eBench {
			return false
		}
		// a benchmark names the figure; never make it the subject
		return true
	}
	if s, ok := a.forSubject(q); ok {
		return s
	}
	if s, ok := a.possessorSubject(q); ok {
		return s
	}
	if a.unnamedClauseSubject(q) {
		return ""
	}
	if q.metric == ShareOfCodeByAI {
		if s, ok := a.codeOwner(q); ok {
			return s
		}
	}
	// nearest before the figure: bare entities in the clause, any in the
	// clause, bare ones in the sentence, any in the sentence
	passes := []func(e *entity) bool{
		func(e *entity) bool { return a.sameStrong(e.i, q.ni) && !a.oblique(e) && !e.weak && !e.evaluator },
		func(e *entity) bool { return a.sameStrong(e.i, q.ni) && !e.weak && !e.evaluator },
		func(e *entity) bool { return !a.oblique(e) && !e.weak && !e.evaluator },
		func(e *entity) bool { return !e.weak && !e.evaluator },
		// "its engineers" stands for a group; "its models" is a pronoun
		// phrase for an unnamed system: no subject (sentences.md)
		func(e *entity) bool { return !e.weak || !otherHeads[a.low(e.head)] },
	}
	lim := q.i
	if q.sj > 0 {
		lim = q.sj
	}
	for _, pass := range passes {
		best := -1
		for k := range a.ents {
			e := &a.ents[k]
			if !usable(e) || e.j > lim || !pass(e) {
				continue
			}
			if best < 0 || e.j > a.ents[best].j || e.j == a.ents[best].j && e.i < a.ents[best].i {
				best = k
			}
		}
		if best >= 0 {
			return a.ents[best].name
		}
	}
	// after the figure, in its clause
	for k := range a.ents {
		e := &a.ents[k]
		if usable(e) && e.i >= q.j && a.sameFine(e.i, q.ni) && !e.weak && !nameVerbs[a.low(e.j)] {
			return e.name
		}
	}
	// a source when nothing else is named: "Según Google, más del 30% …"
	for k := len(a.ents) - 1; k >= 0; k-- {
		e := &a.ents[k]
		if e.source && e.kind != eBench && e.kind != eGroup && e.j <= q.i && !isOutlet(e.name) {
			return e.name
		}
	}
	// a benchmark names what a horizon or doubling time is about
	if q.metric == DoublingTime || q.metric == TaskHorizon {
		best := -1
		for k := range a.ents {
			if a.ents[k].kind == eBench && (best < 0 || abs(a.ents[k].i-q.ni) < abs(a.ents[best].i-q.ni)) {
				best = k
			}
		}
		if best >= 0 {
			return a.ents[best].name
		}
	}
	return ""
}

// writerGlue may stand between a model and its verb: "Claude Code, which
// now accounts for".
var writerGlue = wordSet(",", "which", "that", "now", "already", "also", "currently", "itself", "alone", "today",
	"is", "are", "was", "were", "has", "have", "been")

// forSubject reads "72.4% for humans", "90 percent for Claude Code
// itself"; "20x for its predecessor" has no subject.
func (a *sent) forSubject(q *quant) (string, bool) {
	if a.low(q.j) != "for" {
		return "", false
	}
	for k := range a.ents {
		e := &a.ents[k]
		if !e.source && e.kind != eBench && (e.i == q.j+1 || e.i == q.j+2 && a.low(q.j+1) == "the") {
			return e.name, true
		}
	}
	if a.otherNP(q.j+1, q.metric != ShareOfCodeByAI) {
		return "", true
	}
	return "", false
}

// codeOwner picks the subject of a share of code: the AI that wrote it
// ("written by Claude"), the person of "his code", or the organisation
// whose code it is.
func (a *sent) codeOwner(q *quant) (string, bool) {
	// "by Claude", "by Codex" after the figure, in its clause
	for k := range a.ents {
		e := &a.ents[k]
		if e.i > q.j && e.i-q.j < 16 && a.sameStrong(e.i, q.ni) && (a.low(e.i-1) == "by" || a.low(e.i-1) == "par" ||
			a.low(e.i-1) == "von" || a.low(e.i-1) == "por") && (e.kind == eModel || e.kind == eCustom) {
			return e.name, true
		}
	}
	// "Codex now writes 70%", "Claude writes about 90%": the writer
	for k := range a.ents {
		e := &a.ents[k]
		if (e.kind != eModel && e.kind != eCustom) || e.j > q.i || q.i-e.j > 6 || !a.sameStrong(e.i, q.ni) {
			continue
		}
		for m := e.j; m < q.i; m++ {
			if shareWords[a.low(m)] {
				return e.name, true
			}
			if !writerGlue[a.low(m)] {
				break // "… Claude Code, told Fortune that AI writes": AI is the writer
			}
		}
	}
	// "of his code": the nearest person before
	for k := q.j; k < q.j+4 && k < len(a.toks); k++ {
		if a.low(k) == "his" || a.low(k) == "her" {
			best := -1
			for m := range a.ents {
				if a.ents[m].person && a.ents[m].j <= q.i {
					best = m
				}
			}
			if best >= 0 {
				return a.ents[best].name, true
			}
		}
	}
	if s, ok := a.ownerAfter(q); ok {
		return s, true
	}
	var before *entity
	for k := range a.ents {
		e := &a.ents[k]
		if e.source && isOutlet(e.name) || e.evaluator || (e.kind != eOrg && e.kind != eCustom) {
			continue
		}
		if e.j <= q.i {
			before = e
		}
	}
	if before != nil {
		return before.name, true
	}
	return "", false
}

// ownerAfter finds the organisation whose code a share is of, after it:
// "of all new code at Google", "of Microsoft's code", "of Google's".
func (a *sent) ownerAfter(q *quant) (string, bool) {
	for k := range a.ents {
		e := &a.ents[k]
		if e.source && isOutlet(e.name) || e.evaluator || (e.kind != eOrg && e.kind != eCustom) {
			continue
		}
		if e.i >= q.j && e.i-q.j < 10 && a.sameStrong(e.i, q.ni) {
			return e.name, true
		}
	}
	return "", false
}

func isOutlet(name string) bool {
	for _, o := range outletNames {
		if o == name {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
