package figures

import "strings"

// Subjects that are not named: "20x for its predecessor", "the previous
// state of the art of 1.96%", "…, and its preview version operated for 16
// hours". By the corpus rule a pronoun phrase or "the company" gives no
// subject, rather than the nearest name elsewhere in the sentence.

// otherHeads name another system or group without naming it: "20x for
// its predecessor", "25% for the company's previous model", "the
// previous state of the art of 1.96%". Such a figure has no subject.
var (
	otherHeads = wordSet("predecessor", "predecessors", "model", "models", "version", "versions", "system",
		"systems", "agent", "agents", "tool", "tools", "generation", "generations", "release", "releases", "rival",
		"rivals", "competitor", "competitors", "baseline", "baselines", "best", "sota", "art", "counterpart",
		"counterparts", "successor", "successors", "sibling", "siblings", "one", "ones", "record", "leader",
		"variant", "variants", "product", "products", "assistant", "assistants", "method", "methods", "approach",
		"approaches", "scaffold", "setup", "default", "vorgänger", "prédécesseur", "predecesor", "前代")
	// otherPeople are unnamed people: the subject of a speed-up or a
	// success rate, but for a share of code the owner of the code.
	otherPeople = wordSet("team", "teams", "engineers", "developers", "researchers", "humans", "people", "staff",
		"employees", "workers", "peers", "users", "programmers")
	// otherDets open a noun phrase for something unnamed: "the older
	// model", "last year's model".
	otherDets = wordSet("the", "a", "an", "this", "that", "last", "previous", "prior", "earlier", "older", "old",
		"original", "first", "its", "their")
	// npTime start a time phrase after a noun phrase: "for the team last year".
	npTime = wordSet("last", "this", "next", "a", "an", "the", "each", "per", "every", "ago", "earlier", "now",
		"today", "yesterday", "in", "during")
)

// npEnd are words that end a noun phrase read forwards.
var npEnd = wordSet("and", "or", "but", "with", "in", "on", "at", "by", "while", "whereas", "compared", "versus",
	"vs", "than", "to", "from", "that", "which", "who", "is", "was", "were", "are", "has", "had", "said", "says",
	"of", "for", "when", "after", "before", "since", "as")

// otherNP reports a noun phrase at k that refers to an unnamed system or
// group through a pronoun or a determiner: "its predecessor", "the
// company's earlier tool", "their older models".
func (a *sent) otherNP(k int, people bool) bool {
	if w := a.low(k); !possessives[w] && !otherDets[w] {
		return false
	}
	head := -1
	for m := k + 1; m < len(a.toks) && m < k+7; m++ {
		t := &a.toks[m]
		w := t.low
		if w == "of" && a.low(m-1) == "-" {
			continue // "state-of-the-art"
		}
		if t.kind == kPunct && w != "-" && w != "'" || npEnd[w] || t.kind == kNum || npTime[w] && m > k+1 {
			break
		}
		if otherHeads[w] || people && otherPeople[w] {
			head = m
			continue
		}
		if head >= 0 {
			break // the phrase ended at its head: "its preview version operated …"
		}
		if a.inEntity(m) && !(m > k+1 && a.low(m-1) == "'") {
			for e := range a.ents {
				if en := &a.ents[e]; en.i <= m && m < en.j && en.kind != eGroup {
					return false // "for the Claude Code team" names its subject
				}
			}
		}
	}
	return head >= 0
}

// possessorSubject reads the owner before a figure: "GPT-4's 20x" names
// GPT-4, "its predecessor's 20x" and "the previous best of 1.96%" name no
// one.
func (a *sent) possessorSubject(q *quant) (string, bool) {
	k := q.i - 1
	of := false
	switch {
	case a.low(k) == "s" && a.low(k-1) == "'":
		k -= 2
	case a.low(k) == "'" && a.low(k-1) != "":
		k--
	case a.low(k) == "of":
		k-- // "the previous state of the art of 1.96%"
		of = true
	default:
		return "", false
	}
	for e := range a.ents {
		if en := &a.ents[e]; en.j == k+1 && !en.source && en.kind != eBench && !of {
			return en.name, true
		}
	}
	if !otherHeads[a.low(k)] && !(otherPeople[a.low(k)] && q.metric != ShareOfCodeByAI) {
		return "", false
	}
	// "its predecessor's", "the company's older model's"
	for m := k - 1; m >= 0 && m >= k-5; m-- {
		w := a.low(m)
		if possessives[w] || w == "the" || w == "this" || w == "that" {
			return "", true
		}
		if a.toks[m].kind != kWord && w != "'" && w != "-" {
			break
		}
	}
	return "", false
}

// clauseStarts open a coordinated clause with its own subject.
var clauseStarts = wordSet(",", ";", "and", "but", "while", "whereas", "—")

// unnamedClauseSubject reports a figure whose clause begins with an
// unnamed system as its subject, after a comma or a coordinator: "…, and
// its preview version operated autonomously for over 16 hours".
func (a *sent) unnamedClauseSubject(q *quant) bool {
	for k := q.i - 1; k > 0 && k >= q.i-12; k-- {
		if a.inEntity(k) {
			return false
		}
		if clauseStarts[a.low(k)] {
			return a.otherNP(k+1, q.metric != ShareOfCodeByAI) && a.verbAfterNP(k+1, q.i)
		}
	}
	return false
}

// verbAfterNP reports a verb between the noun phrase at k and token i:
// the phrase is a subject, not an object ("with the latest preview
// version operating for …" counts, "and the best of 20x" does not).
func (a *sent) verbAfterNP(k, i int) bool {
	for m := k + 1; m < i; m++ {
		w := a.low(m)
		if nameVerbs[w] || a.cueAt(cWorkVerb, m) || a.cueAt(cSuccess, m) || strings.HasSuffix(w, "ed") ||
			strings.HasSuffix(w, "ing") || w == "can" || w == "could" || w == "will" || w == "is" || w == "was" {
			return true
		}
	}
	return false
}
