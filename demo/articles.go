package demo

// The demo's articles: written for frontierwatch, in the style of real
// reports on AI autonomy, with figures that grow over simulated months so
// that the charts show a trend. Dates are relative: Month counts back from
// the demo's "now" (Month 0), so a demo always looks current.
var articles = []Article{
	{Slug: "agents-one-hour", Month: -22, Site: "frontier-ledger", Author: "Dana Whitfield",
		Title: "Evaluators: frontier agents now finish hour-long software tasks",
		Body: []string{
			"An independent evaluation group said on Tuesday that the best AI agents it tested can now complete software tasks that take skilled engineers about one hour, with a 50% success rate.",
			"A year earlier the same agents managed tasks of roughly 15 minutes, the group said, and the length of tasks they can finish doubles every seven months.",
			"The researchers cautioned that the tasks were well specified and that messier real-world work remains much harder for the systems.",
		}},
	{Slug: "code-share-thirty", Month: -19, Site: "machine-review", Author: "Priya Raman",
		Title: "A lab says AI now writes 30% of its code",
		Body: []string{
			"Aurora Labs said that about 30% of the code merged into its main repository is now written by its own models, up from under 10% a year ago.",
			"Engineers still review every change, the company said, and the share varies widely between teams.",
		}},
	{Slug: "agents-two-hours", Month: -16, Site: "frontier-ledger", Author: "Dana Whitfield",
		Title: "Time horizons keep doubling: agents reach two-hour tasks",
		Body: []string{
			"The evaluation group's latest report finds that Nova-3 completes tasks lasting up to 2 hours of expert work, a new high in its measurements.",
			"The group now estimates that task length doubles every six months, a little faster than its earlier estimate of seven months.",
			"Success on its harder benchmark remained low, at 24% of open-ended tasks.",
		}},
	{Slug: "speedup-kernels", Month: -13, Site: "compute-weekly", Author: "Tomás Ortega",
		Title: "AI agents speed up model training code fivefold in lab test",
		Body: []string{
			"In an internal experiment on optimising small-model training code, Aurora Labs reported that its agent achieved a 5x speedup over the starting implementation.",
			"Top human researchers given the same task typically reached a 4x improvement within 4 to 8 hours, the report said.",
		}},
	{Slug: "code-share-half", Month: -11, Site: "machine-review", Author: "Priya Raman",
		Title: "Half of Aurora's merged code is now machine-written",
		Body: []string{
			"As of last quarter, about 50% of the code merged at Aurora Labs was written by its models, the company said in a blog post.",
			"Engineers at the lab merged three times more changes per day than two years earlier, it added, crediting the coding agents.",
		}},
	{Slug: "agents-four-hours", Month: -9, Site: "frontier-ledger", Author: "Dana Whitfield",
		Title: "Agents now handle four-hour tasks, evaluators find",
		Body: []string{
			"Nova-4 can complete software tasks that take experts about 4 hours, according to the evaluation group's newest measurements.",
			"It succeeded on 41% of the group's open-ended agentic tasks, up from 24% for its predecessor.",
			"The doubling time of the task horizon over the past two years is about five months, the group estimates.",
		}},
	{Slug: "swe-bench-record", Month: -8, Site: "compute-weekly", Author: "Tomás Ortega",
		Title: "New model tops coding benchmark",
		Body: []string{
			"Nova-4 scored 78% on SWE-bench Verified, the highest result reported so far on the widely used coding benchmark.",
			"The company did not say how much compute the evaluation used.",
		}},
	{Slug: "eight-hour-run", Month: -6, Site: "machine-review", Author: "Priya Raman",
		Title: "An AI agent worked for eight hours straight on a refactor",
		Body: []string{
			"Aurora Labs said its newest coding agent worked autonomously for more than 8 hours on a single refactoring task, fixing test failures as it went.",
			"The company called it the longest uninterrupted run it had observed.",
		}},
	{Slug: "speedup-twenty", Month: -5, Site: "compute-weekly", Author: "Tomás Ortega",
		Title: "Twentyfold: agents accelerate AI research code",
		Body: []string{
			"On the same training-code optimisation task as last year, Aurora's latest agent achieved a 20x speedup, the lab reported.",
			"Last year's agent reached 5x; human experts still average about 4x in a working day.",
		}},
	{Slug: "code-share-eighty", Month: -3, Site: "frontier-ledger", Author: "Dana Whitfield",
		Title: "Over 80% of Aurora's code is now written by its models",
		Body: []string{
			"As of this spring, over 80% of the code merged into Aurora Labs' main codebase was written by its models, up from about 50% a year ago.",
			"Aurora engineers now average eight times more merged changes per day than in the year before the agents arrived, the lab said.",
		}},
	{Slug: "agents-twelve-hours", Month: -2, Site: "machine-review", Author: "Priya Raman",
		Title: "Models now handle 12-hour tasks",
		Body: []string{
			"Nova-5 can complete tasks lasting up to 12 hours of expert work, the evaluation group said, and its preview version operated autonomously for over 16 hours.",
			"Task length now doubles roughly every four months, the group estimates.",
			"It solved 63% of the group's open-ended agentic tasks.",
		}},
	{Slug: "agents-day-long", Month: -1, Site: "frontier-ledger", Author: "Dana Whitfield",
		Title: "First day-long autonomous run reported",
		Body: []string{
			"An agent built on Nova-5 worked autonomously for more than 26 hours on a software project without human intervention, the evaluators said.",
			"The run is the longest the group has measured.",
		}},
	{Slug: "speedup-fifty", Month: 0, Site: "compute-weekly", Author: "Tomás Ortega",
		Title: "52x: the AI research speed-up that has labs talking",
		Body: []string{
			"In the lab's training-code experiment, Nova-5 achieved a 52x acceleration, compared with 20x for its predecessor and about 4x for top human researchers.",
			"Aurora said it expects the figure to keep rising as agents take on longer tasks.",
		}},
	// Republications: the same news on other sites, which frontierwatch
	// groups into stories instead of alerting again.
	{Slug: "agents-twelve-hours", Month: -2, Site: "compute-weekly", Author: "Wire staff", CopyOf: "machine-review",
		Title: "Models now handle 12-hour tasks (syndicated)",
		Body: []string{
			"Nova-5 can complete tasks lasting up to 12 hours of expert work, the evaluation group said, and its preview version operated autonomously for over 16 hours.",
			"Task length now doubles roughly every four months, the group estimates.",
			"It solved 63% of the group's open-ended agentic tasks.",
		}},
	// Off-topic news, which the topic filter leaves out.
	{Slug: "chip-plant", Month: -4, Site: "compute-weekly", Author: "Tomás Ortega",
		Title: "Memory chip plant opens in the desert",
		Body: []string{
			"A new semiconductor plant opened on Tuesday, the company said, with production of memory chips expected to start next spring.",
			"The two-year construction project employed thousands of local workers.",
		}},
}
