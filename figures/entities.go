package figures

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// entKind is the kind of a named thing in a sentence.
type entKind uint8

const (
	eModel  entKind = iota + 1 // a model or product: "Claude Opus 4.6", "Codex"
	eOrg                       // an organisation: "Anthropic"
	eCustom                    // a configured subject
	eName                      // a person or an unknown product: "EY", "ML-Master"
	eGroup                     // a group: "top human researchers"
	eBench                     // a benchmark: "SWE-bench Verified"
)

// entity is a named thing found in a sentence.
type entity struct {
	i, j      int
	kind      entKind
	name      string
	weak      bool // a group with a possessive ("its engineers"): a fallback
	source    bool // a source ("according to METR", "(McKinsey)"), not a subject
	evaluator bool // an evaluator (METR): a subject only when nothing else is
	person    bool
	head      int // a group's head noun
}

// families are model and product names; the value is the canonical
// spelling (bare Claude tiers get the family name).
var families = map[string]string{
	"claude": "Claude", "gpt": "GPT", "chatgpt": "ChatGPT", "gemini": "Gemini", "gemma": "Gemma",
	"llama": "Llama", "grok": "Grok", "deepseek": "DeepSeek", "qwen": "Qwen", "qwq": "QwQ",
	"mistral": "Mistral", "mixtral": "Mixtral", "codestral": "Codestral", "devstral": "Devstral",
	"magistral": "Magistral", "kimi": "Kimi", "phi": "Phi", "glm": "GLM", "minimax": "MiniMax",
	"ernie": "ERNIE", "hunyuan": "Hunyuan", "doubao": "Doubao", "codex": "Codex", "copilot": "Copilot",
	"devin": "Devin", "manus": "Manus", "opus": "Claude Opus", "sonnet": "Claude Sonnet",
	"haiku": "Claude Haiku", "mythos": "Claude Mythos", "alphaevolve": "AlphaEvolve",
	"alphacode": "AlphaCode", "alphaproof": "AlphaProof", "alphafold": "AlphaFold", "operator": "Operator",
	"jules": "Jules", "windsurf": "Windsurf", "openhands": "OpenHands", "nova": "Nova", "o1": "o1",
	"o3": "o3", "o4": "o4", "o5": "o5", "cursor": "Cursor", "bard": "Bard", "yi": "Yi", "jamba": "Jamba",
	"granite": "Granite", "olmo": "OLMo", "command": "Command", "sora": "Sora",
}

// commonFamilies are families that are also common words: they need a
// capital letter (or an all-lower-case sentence).
var commonFamilies = wordSet("opus", "sonnet", "haiku", "mythos", "operator", "jules", "nova", "phi", "manus",
	"cursor", "yi", "granite", "command", "bard", "sora", "devin", "codex", "copilot")

// tiers extend a model name: "Claude 4.6 Opus", "GPT-5.1-Codex-Max".
var tiers = wordSet("opus", "sonnet", "haiku", "mythos", "pro", "flash", "ultra", "nano", "mini", "max",
	"turbo", "preview", "codex", "instruct", "coder", "chat", "reasoner", "thinking", "lite", "plus", "large",
	"medium", "small", "heavy", "scout", "maverick", "behemoth", "code", "cli", "o", "omni", "vision", "exp",
	"experimental", "deep", "think", "high", "xhigh", "low", "base", "agent", "r", "v", "k", "edge", "air",
	"research", "sonic", "spark")

// lowerTiers may follow a model name in lower case.
var lowerTiers = wordSet("preview", "mini", "o")

// orgs maps organisation names to their spelling. Outlets and evaluators
// are kept apart: outlets are sources, evaluators are a last resort.
var (
	orgNames = []string{"Anthropic", "OpenAI", "Google DeepMind", "DeepMind", "Google", "Meta", "Microsoft",
		"xAI", "Amazon", "AWS", "Apple", "Nvidia", "NVIDIA", "Mistral AI", "Cohere", "Cognition", "Replit",
		"Anysphere", "GitHub", "Sakana AI", "Sakana", "Zhipu AI", "Zhipu", "Alibaba", "Moonshot AI", "Moonshot",
		"Baidu", "Tencent", "ByteDance", "Salesforce", "IBM", "Snap", "Stripe", "Shopify", "Coinbase",
		"Robinhood", "Uber", "Airbnb", "Netflix", "Goldman Sachs", "JPMorgan", "Morgan Stanley", "Citi", "EY",
		"McKinsey", "Gartner", "Deloitte", "Accenture", "Infosys", "Wipro", "Rakuten", "Databricks",
		"Hugging Face", "Scale AI", "Perplexity", "Inflection", "Stability AI", "Adobe", "Oracle", "SAP",
		"Intel", "AMD", "Samsung", "Tesla", "Waymo", "Redwood Research", "Apollo Research", "Stanford",
		"MIT", "Berkeley", "Carnegie Mellon", "Harvard", "Princeton", "Duolingo", "Block", "Atlassian",
		"Vercel", "Lovable", "Harvey", "Thinking Machines", "Safe Superintelligence", "Poolside", "Magic",
		"Reflection AI", "Factory", "Sourcegraph", "Tabnine", "JetBrains", "Windsurf", "Codeium", "Cursor",
		"Neon", "Zoom", "Spotify", "Klarna", "Walmart", "Visa", "Mastercard", "Bloomberg LP", "DeepSeek",
		"Kimi", "Manus", "Qwen Team", "Allen Institute", "AI2", "Ai2", "Epoch", "Anthropic Institute"}
	evaluatorNames = []string{"METR", "Epoch AI", "UK AISI", "AISI", "US AISI", "CAISI", "Artificial Analysis",
		"LMArena", "SemiAnalysis", "Apollo Research", "Redwood Research", "ARC Prize", "Vals AI"}
	outletNames = []string{"Fortune", "Reuters", "Bloomberg", "VentureBeat", "TechCrunch", "The Verge", "Wired",
		"CNBC", "Axios", "The Information", "Business Insider", "Financial Times", "New York Times",
		"Wall Street Journal", "WSJ", "FT", "The Guardian", "BBC", "CNN", "Forbes", "ZDNet", "Ars Technica",
		"Semafor", "Platformer", "Stratechery", "Hacker News", "LinkedIn", "Twitter", "YouTube", "Decrypt",
		"CoinDesk", "KuCoin", "MarsBit", "The Decoder", "Heise", "Les Echos", "El País", "Xinhua", "arXiv"}
)

// Tag kinds of nameLex.
const (
	tagOrg = iota
	tagEval
	tagOutlet
)

var nameLex, nameCanon = func() (*lexicon, []string) {
	l := newLexicon()
	var canon []string
	add := func(kind int, names []string) {
		for _, n := range names {
			l.add(len(canon)*4+kind, n)
			canon = append(canon, n)
		}
	}
	add(tagOrg, orgNames)
	add(tagEval, evaluatorNames)
	add(tagOutlet, outletNames)
	return l, canon
}()

// findEntities finds models, organisations, benchmarks, names and groups.
func (a *sent) findEntities() {
	toks := a.toks
	if len(a.e.subjNames) > 0 {
		for _, h := range a.e.subjLex.scan(toks, nil, nil) {
			a.ents = append(a.ents, entity{i: h.i, j: h.j, kind: eCustom, name: a.e.subjNames[h.tag]})
		}
	}
	for i := 0; i < len(toks); i++ {
		if a.inEntity(i) {
			continue
		}
		t := &toks[i]
		if t.kind != kWord && t.kind != kPunct {
			continue
		}
		// names start with a capital, a digit ("o3") or a non-ASCII letter
		// ("τ-bench"), except in an all-lower-case sentence
		if t.kind == kWord && !t.upper && !t.digit && !a.allLow && t.low[0] < utf8.RuneSelf &&
			!(t.low == "tau" || a.low(i+1) == "-") {
			continue
		}
		if e, ok := a.benchAt(i); ok {
			a.addEnt(e)
			i = e.j - 1
			continue
		}
		if e, ok := a.modelAt(i); ok {
			a.addEnt(e)
			i = e.j - 1
			continue
		}
		if tag, end, ok := nameLex.at(toks, i); ok && a.nameCaseOK(i, end, nameCanon[tag/4]) {
			e := entity{i: i, j: end, kind: eOrg, name: nameCanon[tag/4]}
			switch tag % 4 {
			case tagEval:
				e.evaluator = true
			case tagOutlet:
				e.source = true
			}
			a.addEnt(e)
			i = end - 1
			continue
		}
	}
	a.benchByCue()
	a.findNames()
	a.findGroups()
	a.markSources()
}

// benchByCue finds benchmarks named before the word: "the WeirdML
// benchmark", "the Foo-Bar leaderboard".
func (a *sent) benchByCue() {
	toks := a.toks
	for k := 1; k < len(toks); k++ {
		switch toks[k].low {
		case "benchmark", "leaderboard", "eval", "benchmarks":
		default:
			continue
		}
		j := k
		i := k
		for i > 0 && i > k-4 {
			t := &toks[i-1]
			if t.kind == kWord && (t.upper || t.digit) && !notNames[t.low] && !a.inEntity(i-1) || t.low == "-" && !t.space {
				i--
				continue
			}
			break
		}
		for i < j && toks[i].low == "-" {
			i++
		}
		if i < j {
			a.addEnt(entity{i: i, j: j, kind: eBench, name: a.s[toks[i].s:toks[j-1].e]})
		}
	}
}

func (a *sent) addEnt(e entity) {
	a.ents = append(a.ents, e)
	if e.kind == eModel || e.kind == eBench {
		for k := e.i; k < e.j; k++ {
			a.mask[k] = mName
		}
	}
}

// inEntity reports whether token k is inside an entity already found.
func (a *sent) inEntity(k int) bool {
	for i := range a.ents {
		if k >= a.ents[i].i && k < a.ents[i].j {
			return true
		}
	}
	return false
}

// nameCaseOK checks that a gazetteer match is spelled as a name.
func (a *sent) nameCaseOK(i, j int, canon string) bool {
	if a.allLow {
		return true
	}
	text := a.s[a.toks[i].s:a.toks[j-1].e]
	if strings.EqualFold(text, canon) && text == canon {
		return true
	}
	// allow all-caps and title variants of multi-letter names, not lower case
	return a.toks[i].upper && strings.EqualFold(text, canon)
}

// family reads a model family at token t: "Claude", "Qwen3", "o3".
func family(t *token) (key string, glued bool) {
	if t.kind != kWord {
		return "", false
	}
	if _, ok := families[t.low]; ok {
		return t.low, false
	}
	if !t.digit {
		return "", false
	}
	// letters then digits: "qwen3", "gpt4o", "llama3.1"
	k := 0
	for k < len(t.low) && (t.low[k] < '0' || t.low[k] > '9') {
		k++
	}
	if k == 0 || k == len(t.low) {
		return "", false
	}
	if _, ok := families[t.low[:k]]; ok && t.low[:k] != "o" {
		return t.low[:k], true
	}
	return "", false
}

// modelAt reads a model name that starts at token i.
func (a *sent) modelAt(i int) (entity, bool) {
	toks := a.toks
	t := &toks[i]
	key, _ := family(t)
	if key == "" {
		return entity{}, false
	}
	if commonFamilies[key] && !t.upper && !a.allLow {
		return entity{}, false
	}
	if key == "command" && !(i+1 < len(toks) && (toks[i+1].low == "r" || toks[i+1].low == "a")) {
		return entity{}, false
	}
	j := i + 1
	for j < len(toks) {
		tk := &toks[j]
		if tk.low == "-" && !tk.space {
			k := j
			for k < len(toks) && toks[k].low == "-" && !toks[k].space {
				k++
			}
			if k < len(toks) && !toks[k].space && a.tailOK(k, true) {
				j = a.tailEnd(k)
				continue
			}
			break
		}
		if tk.space && a.tailOK(j, false) {
			j = a.tailEnd(j)
			continue
		}
		break
	}
	name := a.s[t.s:toks[j-1].e]
	if canon := families[key]; strings.HasPrefix(canon, "Claude ") && !strings.EqualFold(name[:min(len(name), 6)], "claude") {
		name = "Claude " + name
	}
	return entity{i: i, j: j, kind: eModel, name: name}, true
}

// tailEnd extends a model tail token over glued suffixes: "4o", "70B".
func (a *sent) tailEnd(k int) int {
	toks := a.toks
	if toks[k].kind == kNum && k+1 < len(toks) && !toks[k+1].space && toks[k+1].kind == kWord &&
		(toks[k+1].low == "o" || toks[k+1].low == "b" || toks[k+1].low == "m") {
		return k + 2
	}
	return k + 1
}

// tailOK reports whether token k continues a model name.
func (a *sent) tailOK(k int, hyph bool) bool {
	tk := &a.toks[k]
	switch tk.kind {
	case kNum:
		raw := a.s[tk.s:tk.e]
		if strings.Count(raw, ".") > 1 || strings.Contains(raw, ",") || len(raw) > 5 {
			return false
		}
		v, ok := parseFloat(raw)
		if !ok || v >= 1000 {
			return false
		}
		if !hyph {
			// "Claude 3 Opus" yes; "Claude 30 hours" no
			if v >= 100 {
				return false
			}
			n := numv{i: k, j: k + 1, v: v}
			if u, _, _ := a.unitAt(n, k+1); u != 0 {
				return false
			}
			if a.low(k+1) == "%" || a.low(k+1) == "percent" {
				return false
			}
		}
		return true
	case kWord:
		if tk.digit && len(tk.low) <= 5 { // "K2", "R1", "V3", "K2.5"
			return tk.low[0] >= 'a' && tk.low[0] <= 'z'
		}
		if !tiers[tk.low] {
			return false
		}
		return tk.upper || hyph || lowerTiers[tk.low] || a.allLow
	}
	return false
}

// benchNames are benchmarks known by name; more are recognised by shape
// ("*-bench", "*Bench", "*Arena") and by "the X benchmark".
var benchLex = newLexicon().add(1, "SWE-bench", "SWE-Lancer", "OSWorld", "GPQA", "HLE", "Humanity's Last Exam",
	"ARC-AGI", "MMLU", "MMLU-Pro", "HumanEval", "MATH", "AIME", "GSM8K", "FrontierMath", "BrowseComp", "GAIA",
	"WebArena", "Aider Polyglot", "SimpleQA", "MMMU", "TheAgentCompany", "WebVoyager", "SciCode", "USACO",
	"Cybench", "HCAST", "GDPval", "PaperBench", "CRMArena", "Remote Labor Index", "Codeforces", "Mind2Web",
	"AndroidWorld", "HMMT", "Arena-Hard", "Chatbot Arena", "MT-Bench", "AlpacaEval", "IFEval", "BFCL",
	"ScreenSpot", "SWE-PolyBench", "Multi-SWE-bench", "τ-bench", "τ²-bench", "tau-bench", "tau2-bench",
	"RE-Bench", "MLE-bench", "Terminal-Bench", "LiveCodeBench", "BigCodeBench", "KernelBench", "Vending-Bench",
	"Humanity’s Last Exam", "ARC Prize", "OSUniverse", "WebShop", "ALFWorld", "AgentBench", "ToolBench")

// capsOnly benchmarks are also words: they need capitals.
var capsOnly = wordSet("math", "gaia", "hle", "aime", "hmmt", "usaco", "bfcl")

// benchSuffix words extend a benchmark name.
var benchSuffix = wordSet("verified", "lite", "pro", "multimodal", "multilingual", "diamond", "hard", "live",
	"extended", "full", "plus", "mini", "bash", "public", "semi", "private", "hard", "extreme", "java")

// benchAt reads a benchmark name that starts at token i.
func (a *sent) benchAt(i int) (entity, bool) {
	toks := a.toks
	j := -1
	if _, e, ok := benchLex.at(toks, i); ok {
		text := a.s[toks[i].s:toks[e-1].e]
		first, _ := utf8.DecodeRuneInString(text)
		switch {
		case a.allLow:
		case capsOnly[toks[i].low] && text != strings.ToUpper(text):
		case unicode.IsLower(first) && first < 128:
		default:
			j = e
		}
	}
	if j < 0 {
		// shape: a hyphen chain holding "bench"/"arena" ("SWE-bench", "KernelBench")
		e := i
		bench := false
		for e < len(toks) {
			tk := &toks[e]
			if tk.kind == kWord || tk.kind == kNum {
				if strings.Contains(tk.low, "bench") && !strings.HasPrefix(tk.low, "benchmark") ||
					(strings.Contains(tk.low, "arena") && tk.low != "arena" && hasInnerUpper(a.s[tk.s:tk.e])) {
					bench = true
				}
				e++
				if e < len(toks) && toks[e].low == "-" && !toks[e].space && e+1 < len(toks) && !toks[e+1].space {
					e++
					continue
				}
			}
			break
		}
		if !bench || e == i {
			return entity{}, false
		}
		text := a.s[toks[i].s:toks[e-1].e]
		first, _ := utf8.DecodeRuneInString(text)
		if unicode.IsLower(first) && first < 128 && !a.allLow && !hasInnerUpper(text) {
			return entity{}, false
		}
		j = e
	}
	// suffixes: "-Pro", "-2", " Verified", " 2.0", " 2024"
	for j < len(toks) {
		tk := &toks[j]
		if tk.low == "-" && !tk.space && j+1 < len(toks) && !toks[j+1].space &&
			(toks[j+1].kind == kNum || toks[j+1].kind == kWord && (toks[j+1].upper || benchSuffix[toks[j+1].low])) {
			j += 2
			continue
		}
		if tk.space && tk.kind == kWord && tk.upper && benchSuffix[tk.low] {
			j++
			continue
		}
		if tk.space && tk.kind == kNum {
			raw := a.s[tk.s:tk.e]
			v, _ := parseFloat(raw)
			n := numv{i: j, j: j + 1, v: v}
			u, _, _ := a.unitAt(n, j+1)
			if u == 0 && a.low(j+1) != "%" && (strings.Count(raw, ".") == 1 && len(raw) <= 4 ||
				(len(raw) == 4 && v >= 2000 && v <= 2100 && yearBench[toks[i].low])) {
				j++
				continue
			}
		}
		break
	}
	return entity{i: i, j: j, kind: eBench, name: a.s[toks[i].s:toks[j-1].e]}, true
}

// yearBench are benchmarks named with a year: "AIME 2024".
var yearBench = wordSet("aime", "hmmt", "usamo", "imo", "swe")

func hasInnerUpper(s string) bool {
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			return true
		}
	}
	return false
}
