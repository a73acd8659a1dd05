package figures

// Cue categories: phrases around a number that tie it to a metric or keep
// it out. One phrase may belong to several categories.
const (
	cHorizon      = iota // "time horizon"
	cAutonomy            // "autonomously", "without human intervention"
	cWorkVerb            // "worked", "ran", "operate"
	cTaskNoun            // "tasks", "run", "session"
	cHumanTime           // "human", "experts": human working time
	cBudget              // "saved", "spent", "limit": budgets and savings
	cDoubling            // "doubles", "doubling"
	cDoublingTime        // "doubling time"
	cEcon                // money, usage and sizes: never a figure's subject
	cCode                // "code", "commits", "codebase"
	cAIAuthor            // "AI", "generated", "written by"
	cNonCode             // nouns a share is of that are not code: "developers", "work"
	cAccept              // "acceptance rate"
	cSuccess             // "succeeded", "solved", "success rate"
	cNotSuccess          // "accuracy", "of the time"
	cProductivity        // "productivity", "pull requests", "output"
	cWorker              // "developers", "engineers"
	cSpeed               // "speedup", "faster", "accelerate"
	cRnD                 // "training", "kernel", "research"
	cBenchBlock          // "prize", "threshold": a target, not a score
	cAIContext           // "AI", "agent", "model"
	cHumanGroup          // "developers", "humans": human subjects of a duration
	cBuild               // "build", "complete"
	cHardware            // "GPUs", "chips": hardware speed-ups are no AI R&D
	cOutput              // "pull requests", "commits": output, per engineer only with a worker
	nCues
)

type cueDef struct {
	cat     int
	phrases []string
}

var cueDefs = []cueDef{
	{cHorizon, []string{"time horizon", "time horizons", "horizon", "horizons", "time-horizon", "p50", "p80",
		"zeithorizont", "horizonte", "horizon temporel", "时间跨度"}},
	{cAutonomy, []string{"autonomous*", "autonomously", "autonomy", "independently", "independent", "on its own",
		"on their own", "without human*", "without any human*", "no human", "without supervision",
		"without intervention", "unattended", "unsupervised", "non-stop", "nonstop", "continuously",
		"straight", "uninterrupted", "in a row", "self-directed", "autonom*", "selbstständig", "eigenständig",
		"selbständig", "de manière autonome", "de façon autonome", "de forma autónoma", "autónom*",
		"sin supervisión", "sans intervention", "自主", "独立", "连续", "不间断", "无人", "agentic"}},
	{cWorkVerb, []string{"work", "works", "worked", "working", "run", "runs", "ran", "running", "operate",
		"operates", "operated", "operating", "operation", "code", "codes", "coded", "coding", "execute",
		"executes", "executed", "executing", "sustain", "sustained", "sustains", "handle", "handled",
		"handles", "going", "iterate", "iterated", "iterating", "persist", "persisted", "tackle",
		"tackled", "think", "thinking", "maintained focus", "maintains focus", "maintain focus", "focused",
		"stayed", "stay", "continued", "continue", "keep", "kept", "build",
		"building", "built", "arbeit*", "travaill*", "trabaj*", "funcion*", "工作", "运行", "運行", "编程",
		"执行", "持续"}},
	{cTaskNoun, []string{"task", "tasks", "run", "runs", "session", "sessions", "job", "jobs", "project",
		"projects", "workflow", "workflows", "assignment", "assignments", "mission", "missions", "stint",
		"stints", "challenge", "challenges", "problem", "problems", "migration", "migrations", "refactor*",
		"aufgabe*", "tâche*", "tarea*", "任务", "autonomous", "agentic", "coding",
		// "long-horizon tasks" describes tasks; it names no time horizon
		"long-horizon", "long horizon", "longer-horizon", "long-running", "ones",
		// longer phrases of other categories that hold a task noun
		"completed tasks", "tasks completed", "tasks faster"}},
	{cHumanTime, []string{"human", "humans", "people", "person", "professional", "professionals", "expert",
		"experts", "skilled", "human effort", "person-hours", "man-hours", "developer-hours", "menschen",
		"humain*", "humano*", "人类", "traditional development", "engineering time", "developer time",
		"it took", "took the team", "took us", "takes humans", "take humans"}},
	{cBudget, []string{"save", "saves", "saved", "saving", "savings", "spent", "spend", "spends", "spending",
		"budget", "budgets", "limit", "limits", "capped", "cap", "constraint", "constraints", "deadline",
		"timeout", "allotted", "allowed", "onboard", "onboarding", "wait", "waiting", "waited", "queue",
		"latency", "downtime", "outage", "offline", "delay", "delays", "training time", "train time",
		"time limit", "wall-clock limit", "ahorr*", "spar*", "économis*", "trained",
		"training run", "pretraining", "trial period"}},
	{cDoubling, []string{"doubl*", "verdoppel*", "verdopplung*", "se duplica", "duplica*", "翻倍", "翻一番", "倍增"}},
	{cDoublingTime, []string{"doubling time", "doubling times", "doubling period", "doubling rate",
		"doubling-time", "to double", "time to double", "verdopplungszeit", "temps de doublement", "tiempo de duplicación", "倍增时间",
		"翻倍时间"}},
	{cEcon, []string{"valuation", "revenue", "revenues", "run-rate", "run rate", "arr", "sales", "stock",
		"stocks", "shares", "share price", "price", "prices", "pricing", "cost", "costs", "cheaper", "users",
		"usage", "subscribers", "customers", "downloads", "traffic", "funding", "investment", "investments",
		"spending", "compute", "flops", "energy", "power", "market", "headcount", "income", "profit",
		"profits", "demand", "capacity", "tokens", "parameters", "inference", "expensive", "bigger", "larger",
		"smaller", "memory", "market share", "umsatz", "bewertung", "ingresos", "chiffre", "营收", "估值"}},
	{cCode, []string{"code", "codes", "codebase", "codebases", "code base", "lines of code", "commit", "commits",
		"contributions", "pull requests", "pull request", "prs", "software development", "desarrollo de software",
		"développement logiciel", "softwareentwicklung", "código", "codigo", "代码", "程式碼",
		"commit percentage"}},
	{cAIAuthor, []string{"ai", "a.i.", "artificial intelligence", "ai-written", "ai-generated", "ai-authored",
		"ai-assisted", "generated", "generate", "generates", "written by", "writes", "wrote", "write",
		"by agents", "machine-generated", "autocomplete*", "ki", "ia", "inteligencia artificial",
		"intelligence artificielle", "künstliche intelligenz", "generiert", "geschrieben", "généré*", "écrit*",
		"generado*", "escrito*", "生成", "编写", "人工智能", "agents", "agent", "llm", "llms", "models",
		"model", "asumir*", "stammen", "produced by", "authored", "contributions"}},
	{cNonCode, []string{"developers", "engineers", "respondents", "companies", "organizations", "organisations",
		"firms", "enterprises", "businesses", "people", "users", "workers", "employees", "teams", "databases",
		"work", "time", "tasks", "projects", "jobs", "revenue", "budget", "tokens", "queries", "searches",
		"traffic", "questions", "executives", "leaders", "adults", "students", "americans", "professionals",
		"programmers", "coders", "organisations", "customers", "sessions", "workloads", "startups",
		"software", "apps", "applications", "decisions", "tickets", "issues", "reviews", "review",
		"suggestions", "completions", "entwickler", "unternehmen", "développeurs", "entreprises",
		"desarrolladores", "empresas", "trabajo", "travail", "arbeit", "sugerencias"}},
	{cAccept, []string{"acceptance", "accept", "accepts", "accepted", "accepting", "aceptación", "acceptation",
		"akzeptanz*", "akzeptiert*", "vorschläge", "suggestions", "sugerencias", "suggestions acceptées", "采纳",
		"接受率"}},
	{cSuccess, []string{"success*", "succeed*", "solve", "solves", "solved", "solving", "resolve", "resolves",
		"resolved", "resolution rate", "complete", "completes", "completed", "completing", "completion",
		"pass rate", "passed", "passes", "finish", "finishes", "finished", "accomplish*", "medal*", "bronze",
		"win rate", "scored", "scores", "scoring", "automation rate", "erfolg*", "réussi*", "réussite", "éxito", "成功", "完成",
		"解决", "task success", "completed tasks", "tasks completed"}},
	{cNotSuccess, []string{"accuracy", "accurate", "of the time", "coverage", "uptime", "confidence",
		"probability", "likelihood", "chance", "odds", "reliability", "precision", "recall", "flow state",
		"margin", "share"}},
	{cProductivity, []string{"productivity", "productive", "output", "per engineer", "per developer",
		"per programmer", "velocity", "produktivität", "produktiver", "productivité", "productifs", "productif",
		"productividad", "productivos", "生产力", "效率", "产出", "efficiency"}},
	{cOutput, []string{"pull requests", "pull-requests", "prs", "merges", "merged", "merge", "commits", "diffs",
		"code merges", "lines of code", "features", "tickets", "shipped", "ship", "ships", "shipping",
		"more code", "tasks faster", "changes", "changelists", "completed tasks", "tasks completed"}},
	{cWorker, []string{"developers", "developer", "engineers", "engineer", "programmers", "coders",
		"software engineers", "staff", "employees", "entwickler", "ingénieurs", "ingenieure",
		"desarrolladores", "ingenieros", "工程师", "开发者", "程序员", "teams", "team"}},
	{cSpeed, []string{"speedup", "speedups", "speed-up", "speed-ups", "speed up", "sped up", "speeds up",
		"accelerat*", "faster", "quicker", "slowdown", "slow-down", "slower", "cut the time", "cuts the time",
		"reduced the time", "improvement", "improvements", "beschleunig*", "schneller", "accélér*",
		"plus rapide", "aceler*", "más rápido", "加速", "提速", "更快"}},
	{cRnD, []string{"training", "train", "trains", "kernel", "kernels", "cuda", "gpu", "gpus", "tpu", "tpus",
		"r&d", "research", "researcher", "researchers", "experiment", "experiments", "machine learning",
		"ml", "pipeline", "pipelines", "hyperparameter*", "optimi*", "layer normalization", "attention",
		"matrix multiplication", "matmul", "compiler", "algorithm", "algorithms", "pytorch", "jax", "triton",
		"speedrun", "speedruns", "nanogpt", "model development", "ai development", "scientific", "discovery",
		"evaluation", "evals", "data processing", "training time", "training run", "训练", "研究", "实验", "内核", "entraînement",
		"entrenamiento", "forschung", "recherche", "investigación", "flashattention", "workloads"}},
	{cBenchBlock, []string{"prize", "threshold", "target", "goal", "bar", "required", "needed", "need to",
		"must", "cutoff", "qualif*"}},
	{cAIContext, []string{"ai", "a.i.", "agent", "agents", "model", "models", "llm", "llms", "bot", "bots",
		"system", "systems", "ki", "ia", "agente", "agentes", "modèle", "modèles", "modelo", "modelos", "模型", "智能体",
		"artificial intelligence", "machine", "swarm", "agenten", "modell", "modelle", "ia", "智能体", "代理"}},
	{cHumanGroup, []string{"developers", "engineers", "programmers", "humans", "people", "participants",
		"workers", "staff", "employees", "experts", "professionals", "researchers", "contributors",
		"group", "users", "team", "他", "她", "他们", "员工", "工程师", "程序员", "开发者", "人类"}},
	{cBuild, []string{"build", "built", "building", "complete", "completed", "finish", "finished", "develop",
		"developed", "create", "created", "write", "wrote", "written", "ship", "shipped", "deliver",
		"delivered", "port", "ported", "migrate", "migrated"}},
}

func init() {
	cueDefs = append(cueDefs, cueDef{cHardware, []string{"gpu", "gpus", "chip", "chips", "hardware", "processor",
		"processors", "accelerator", "accelerators", "server", "servers", "data center", "tpu", "tpus",
		"blackwell", "hopper", "h100", "h100s", "b200", "cluster", "supercomputer"}})
}

var cueLex, cueMasks = func() (*lexicon, []uint64) {
	masks := map[string]uint64{}
	var order []string
	for _, d := range cueDefs {
		for _, p := range d.phrases {
			if _, ok := masks[p]; !ok {
				order = append(order, p)
			}
			masks[p] |= 1 << d.cat
		}
	}
	l := newLexicon()
	var tab []uint64
	for _, p := range order {
		l.add(len(tab), p)
		tab = append(tab, masks[p])
	}
	return l, tab
}()

// findCues lists the cue phrases of the sentence outside model and
// benchmark names ("Claude Code" holds no code noun).
func (a *sent) findCues() {
	a.hits = a.hits[:0]
	for i := 0; i < len(a.toks); i++ {
		if a.mask[i] == mName {
			continue
		}
		if e, m := cueLex.atMask(a.toks, i, cueMasks); e > i {
			a.hits = append(a.hits, hit{i: i, j: e, tag: int(m)}) // a bit set (nCues < 32)
			a.has |= m
			i = e - 1
		}
	}
	if len(a.e.customLex.phrases) > 0 {
		a.xhits = a.e.customLex.scan(a.toks, nil, a.xhits[:0])
	}
}

// hasCue reports whether the sentence holds a cue of category c.
func (a *sent) hasCue(c int) bool { return a.has&(1<<c) != 0 }

// cueNear returns the token distance from the span [i, j) to the nearest
// cue of category c within maxDist tokens, or -1. With fine set, the cue
// must be in the same fine clause as token i; else the same strong clause.
func (a *sent) cueNear(c, i, j, maxDist int, fine bool) int {
	best := -1
	for _, h := range a.hits {
		if h.tag&(1<<c) == 0 {
			continue
		}
		var d int
		switch {
		case h.j <= i:
			d = i - h.j
		case h.i >= j:
			d = h.i - j
		default:
			continue // inside the quantity
		}
		if d > maxDist {
			continue
		}
		same := a.sameStrong(h.i, i)
		if fine {
			same = a.sameFine(h.i, i)
		}
		if !same {
			continue
		}
		if best < 0 || d < best {
			best = d
		}
	}
	return best
}

// cueBefore returns the distance to the nearest cue of category c that ends
// before token i (within maxDist, same strong clause), or -1.
func (a *sent) cueBefore(c, i, maxDist int) int {
	best := -1
	for _, h := range a.hits {
		if h.tag&(1<<c) == 0 || h.j > i || i-h.j > maxDist || !a.sameStrong(h.i, i) {
			continue
		}
		if d := i - h.j; best < 0 || d < best {
			best = d
		}
	}
	return best
}

// hitAt returns the cue hit that starts at token k, or nil.
func (a *sent) hitAt(k int) *hit {
	for i := range a.hits {
		if a.hits[i].i == k {
			return &a.hits[i]
		}
	}
	return nil
}

// cueAt reports whether a cue of category c starts at token k.
func (a *sent) cueAt(c, k int) bool {
	for _, h := range a.hits {
		if h.i == k && h.tag&(1<<c) != 0 {
			return true
		}
	}
	return false
}

// cueIn reports whether a cue of category c starts within [i, j).
func (a *sent) cueIn(c, i, j int) bool {
	for _, h := range a.hits {
		if h.i >= i && h.i < j && h.tag&(1<<c) != 0 {
			return true
		}
	}
	return false
}
