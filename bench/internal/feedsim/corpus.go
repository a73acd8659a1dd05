// Package feedsim renders a deterministic corpus of RSS feeds in the style of
// AI news (with headline figures in about one item in eight) and serves it
// with ETag and Last-Modified validators, for the benchmark harnesses.
package feedsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// A feed of the benchmark corpus, rendered once before anything is timed.
type Feed struct {
	Path     string // URL path on the server, e.g. /feeds/0042.xml
	Body     []byte // RSS 2.0 document
	ETag     string // quoted strong validator
	Modified string // Last-Modified, an HTTP date
}

// Epoch is the newest publication time in the corpus; items go back
// from it, so that the corpus does not depend on when it is generated.
var Epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// Word pools of the prose generator: enough variety that titles, links and
// texts differ item by item and the full-text index sees a realistic
// vocabulary, with the repetition real AI news has.
var (
	orgs = []string{"OpenAI", "Anthropic", "Google DeepMind", "Meta", "Mistral", "xAI", "Alibaba's Qwen team",
		"DeepSeek", "Microsoft Research", "Nvidia", "Cohere", "AI21 Labs", "Amazon", "Apple", "Baidu",
		"Moonshot AI", "Zhipu", "the Allen Institute for AI", "Hugging Face", "Stability AI"}
	models = []string{"GPT-5.1", "Claude Opus 4.6", "Gemini 3 Pro", "Llama 5", "Mistral Large 3", "Grok 5",
		"Qwen 3.5", "DeepSeek V4", "Phi-5", "Nemotron Ultra", "Command R+", "Jamba 2", "Nova Premier",
		"Kimi K3", "GLM-5", "OLMo 3", "o5-mini", "Claude Sonnet 4.6", "Gemini 3 Flash", "Ernie 5"}
	evaluators = []string{"METR", "Epoch AI", "the UK AI Security Institute", "Apollo Research",
		"Scale AI's SEAL team", "LMArena", "Artificial Analysis", "the US CAISI", "Redwood Research",
		"a group at Stanford HAI"}
	benchmarks = []string{"SWE-bench Verified", "RE-Bench", "GPQA Diamond", "Humanity's Last Exam",
		"ARC-AGI-2", "FrontierMath", "OSWorld", "Terminal-Bench", "MLE-bench", "PaperBench",
		"HCAST", "tau-bench", "LiveCodeBench", "SWE-Lancer", "Cybench"}
	people = []string{"Beth Barnes", "Dario Amodei", "Sam Altman", "Demis Hassabis", "Jack Clark",
		"Ajeya Cotra", "Yann LeCun", "Fei-Fei Li", "Jan Leike", "Helen Toner", "Jared Kaplan",
		"Mira Murati", "Arthur Mensch", "Liang Wenfeng", "Noam Brown", "Jeff Dean", "Chris Olah",
		"Ilya Sutskever", "Lilian Weng", "Andrej Karpathy"}
	roles = []string{"chief executive", "chief scientist", "head of research", "policy lead",
		"co-founder", "lead author", "a senior researcher", "head of alignment", "president",
		"director of evaluations"}
	places = []string{"San Francisco", "London", "Paris", "Beijing", "Hangzhou", "Toronto", "Seoul",
		"Tokyo", "Zurich", "Tel Aviv", "Bangalore", "Singapore", "Berlin", "Montreal", "Seattle"}
	topics = []string{"autonomous software engineering", "long-horizon agents", "AI R&D automation",
		"model evaluations", "compute governance", "open-weight releases", "reasoning models",
		"agentic coding", "AI safety research", "inference costs", "data-centre build-outs",
		"interpretability", "scaling laws", "export controls", "synthetic data"}
	verbs = []string{"unveils", "releases", "details", "previews", "open-sources", "ships", "announces",
		"publishes", "benchmarks", "expands"}
	things = []string{"a coding agent", "a reasoning model", "a research assistant", "an evaluation suite",
		"a safety framework", "a compute cluster", "an open-weight model", "a browser agent",
		"a model card", "a training run"}
	months = []string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	numberWords = []string{"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a dozen"}
)

// Sentence templates, filled by fill: {org} {org2} {model} {eval} {bench}
// {person} {role} {place} {topic} {thing} {month} {pct} {pct2} {hours}
// {mins} {mult} {months} {numw} {bn} {year}.
//
// figureSentences state a headline figure (a task horizon, a doubling
// time, a share of code, a multiplier, a success rate or a benchmark
// score); plainSentences are the rest of a news story. A paragraph draws a
// figure sentence with probability figureShare, so that an item carries
// about one figure, as AI-news items that report one do.
var figureSentences = []string{
	"{org} said on Tuesday that {model} completed software tasks that take human experts about {hours} hours, up from roughly {numw} hours a year earlier.",
	"According to {eval}, the length of tasks that frontier models can finish autonomously has been doubling every {months} months since 2019.",
	"The company reported a score of {pct} percent on {bench}, ahead of the {pct2} percent posted by {org2} in {month}.",
	"\"We are seeing agents work unsupervised for {hours} hours and {mins} minutes on real engineering tickets,\" said {person}, {role} at {org}.",
	"Engineers at {org} now merge {mult} times as many pull requests per week as they did before the rollout, an internal survey found.",
	"Roughly {pct} percent of the code shipped at {org} last quarter was written by AI, {person} told analysts in {place}.",
	"Researchers described a {mult}x speed-up on AI R&D tasks when experienced staff were paired with the new system.",
	"In a technical report, the team wrote that success rates on open-ended agentic tasks rose to {pct} percent.",
	"Independent testing by {eval} found the system could sustain coherent work for up to {hours} hours before needing help.",
	"Earlier versions struggled with tasks longer than an hour; the new one finished {pct} percent of four-hour tasks in the test set.",
	"Observers noted that the doubling time appears to have shortened to about {months} months over the past year.",
	"Developers who tried the preview reported that the agent ran for {hours} hours overnight and opened {numw} pull requests.",
}

// figureShare is the probability that a sentence states a figure.
const figureShare = 0.12

var plainSentences = []string{
	"{eval} cautioned that the {bench} results were measured at a 50 percent success threshold and may not transfer to messier work.",
	"The release comes weeks after {org2} announced a {bn} billion dollar investment in data centres outside {place}.",
	"Critics, including {person}, argued that benchmark gains on {bench} say little about reliability in production.",
	"{model} is available to paying customers today and will reach the free tier in {month}, the company said.",
	"The model was trained on a cluster of more than {bn}0,000 accelerators in {place}, according to people familiar with the matter.",
	"Policy makers in {place} have asked {org} to share pre-deployment evaluation results with the national AI institute.",
	"By {month} {year}, the firm expects its agents to handle a majority of routine maintenance work, a forecast some analysts called optimistic.",
	"The paper compares {model} with {numw} earlier systems on {bench} and a private set of {topic} problems.",
	"Shares of chip suppliers rose after {org} said it would double its inference capacity by the end of {year}.",
	"{person} said the lab's priority for {year} is {topic}, with a new team based in {place}.",
	"The open-weight release includes the full training recipe, a decision {org2} described as a milestone for {topic}.",
	"Analysts at {place}-based firms estimate the project will cost about {bn} billion dollars over three years.",
	"A spokesperson for {org} declined to comment on reports that the model had been delayed over safety concerns.",
	"The evaluation covered {numw} categories, from debugging legacy code to reproducing published ML experiments.",
	"{org2} responded within hours, publishing its own numbers on {bench} that it said were measured under stricter conditions.",
	"The announcement was made at a developer conference in {place} attended by several thousand people.",
	"{person}, {role} at {org}, said the company would publish a fuller system card in the coming weeks.",
	"The launch drew a mixed reaction from developers, some of whom complained about rate limits and pricing.",
	"{org} has faced growing pressure from investors to show that its spending on {topic} will pay off.",
	"Regulators in {place} are expected to publish draft rules on {topic} before the end of {month}.",
	"The company did not say how much the training run cost, nor how much data it used.",
	"Several researchers who worked on the project have since left to start their own company in {place}.",
	"{org2} and {org} have been competing for the same customers in finance, law and health care.",
	"The new terms of service forbid using the model's outputs to train competing systems.",
	"In a blog post, {person} described the update as an incremental step rather than a breakthrough.",
	"Access will be rolled out gradually, starting with enterprise customers in {place} and {place}.",
	"The lab said it had worked with {eval} to test the system for dangerous capabilities before release.",
	"{thing} built on the model is already being tested by a handful of large software companies.",
	"People familiar with the talks said {org} was also in discussions to license the technology to {org2}.",
	"Open-source developers quickly began porting the weights to run on consumer hardware.",
	"The team said the improvements came mostly from better post-training rather than a larger model.",
	"Some safety researchers, including {person}, urged the company to publish more detail about its evaluations.",
	"The company plans to open an office in {place} later this year and to hire several hundred engineers.",
	"Usage of the coding assistant has grown quickly since {month}, the company said, without giving numbers.",
	"{org} said the system still makes mistakes that an experienced engineer would catch, and should be supervised.",
	"Industry groups in {place} welcomed the announcement but asked for clearer guidance on liability.",
	"The paper has not yet been peer reviewed, and independent researchers have not reproduced the results.",
	"{person} will discuss the work at a conference in {place} in {month}.",
	"The debate over how to measure progress in {topic} is likely to intensify as labs release more capable systems.",
	"Earlier this year, {org2} reorganised its research division around {topic}.",
}

var titleTemplates = []string{
	"{org} {verb} {model}, claims {hours}-hour autonomous task horizon",
	"{model} tops {bench} with {pct}% as {org2} trails",
	"{eval}: AI task horizons now double every {months} months",
	"{person} on {topic}: \"we are not slowing down\"",
	"{org} {verb} {thing} for {topic}",
	"AI wrote {pct}% of {org}'s code last quarter, says {person}",
	"{org2} answers {org} with {model} and a {mult}x productivity claim",
	"Inside {org}'s plan for {topic} in {place}",
	"{bench} results: what {model} can and cannot do",
	"{org} commits ${bn}bn to data centres near {place}",
}

// prose fills templates from the pools with r.
type prose struct {
	r *rand.Rand
}

func (p prose) pick(pool []string) string { return pool[p.r.IntN(len(pool))] }

// fill replaces the {slots} of tmpl.
func (p prose) fill(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(p.slot(tmpl[i+1 : i+j]))
		tmpl = tmpl[i+j+1:]
	}
}

func (p prose) slot(name string) string {
	switch name {
	case "org", "org2":
		return p.pick(orgs)
	case "model":
		return p.pick(models)
	case "eval":
		return p.pick(evaluators)
	case "bench":
		return p.pick(benchmarks)
	case "person":
		return p.pick(people)
	case "role":
		return p.pick(roles)
	case "place":
		return p.pick(places)
	case "topic":
		return p.pick(topics)
	case "thing":
		return p.pick(things)
	case "verb":
		return p.pick(verbs)
	case "month":
		return p.pick(months)
	case "numw":
		return p.pick(numberWords)
	case "pct", "pct2":
		return fmt.Sprintf("%d.%d", 20+p.r.IntN(79), p.r.IntN(10))
	case "hours":
		return fmt.Sprint(1 + p.r.IntN(30))
	case "mins":
		return fmt.Sprint(1 + p.r.IntN(59))
	case "mult":
		return fmt.Sprint(2 + p.r.IntN(60))
	case "months":
		return fmt.Sprint(3 + p.r.IntN(5))
	case "bn":
		return fmt.Sprint(1 + p.r.IntN(90))
	case "year":
		return fmt.Sprint(2026 + p.r.IntN(3))
	}
	return name
}

// paragraph returns sentences until it has at least words words.
func (p prose) paragraph(words int) string {
	var b strings.Builder
	n := 0
	for n < words {
		pool := plainSentences
		if p.r.Float64() < figureShare {
			pool = figureSentences
		}
		s := p.fill(p.pick(pool))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		n += strings.Count(s, " ") + 1
	}
	return b.String()
}

// slug is the URL path segment of a title.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// RenderFeed renders feed number i (0-based) of the corpus with items items,
// deterministically from seed.
func RenderFeed(seed uint64, i, items int) Feed {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	p := prose{r: r}
	host := fmt.Sprintf("news%04d.example.com", i)
	name := fmt.Sprintf("%s AI Dispatch %d", p.pick(places), i)
	var b bytes.Buffer
	b.Grow(items * 3000)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>https://%s/</link>\n", html.EscapeString(name), host)
	fmt.Fprintf(&b, "<atom:link href=\"https://%s/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n", host)
	fmt.Fprintf(&b, "<description>News and analysis on %s.</description>\n<language>en-us</language>\n", html.EscapeString(p.pick(topics)))
	fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n<generator>bench/pollcycle</generator>\n", Epoch.Format(time.RFC1123Z))

	at := Epoch
	for j := range items {
		at = at.Add(-time.Duration(20+r.IntN(400)) * time.Minute)
		title := p.fill(p.pick(titleTemplates))
		link := fmt.Sprintf("https://%s/%04d/%02d/%s-%d", host, at.Year(), int(at.Month()), slug(title), j)
		if r.IntN(4) == 0 {
			link += "?utm_source=rss&utm_medium=feed" // canonicalisation drops these
		}
		desc := p.paragraph(100 + r.IntN(101))
		if r.IntN(2) == 0 {
			desc = "<p>" + html.EscapeString(desc) + "</p>" // HTML in the description, as WordPress sends it
		}
		content := "<p>" + html.EscapeString(p.paragraph(60+r.IntN(60))) + "</p>"
		if r.IntN(2) == 0 {
			content += fmt.Sprintf("\n<p>%s <a href=\"https://%s/tag/%s\">More on <em>%s</em></a>.</p>",
				html.EscapeString(p.paragraph(40+r.IntN(60))), host, slug(p.pick(topics)), html.EscapeString(p.pick(topics)))
		}
		b.WriteString("<item>\n")
		fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n", html.EscapeString(title), html.EscapeString(link))
		fmt.Fprintf(&b, "<guid isPermaLink=\"false\">%s-%d-%d</guid>\n", host, at.Unix(), j)
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n", at.Format(time.RFC1123Z), html.EscapeString(p.pick(people)))
		fmt.Fprintf(&b, "<category>%s</category>\n", html.EscapeString(p.pick(topics)))
		fmt.Fprintf(&b, "<description>%s</description>\n", html.EscapeString(desc))
		fmt.Fprintf(&b, "<content:encoded><![CDATA[%s]]></content:encoded>\n", content)
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel>\n</rss>\n")
	sum := sha256.Sum256(b.Bytes())
	return Feed{
		Path:     fmt.Sprintf("/feeds/%04d.xml", i),
		Body:     b.Bytes(),
		ETag:     `"` + hex.EncodeToString(sum[:8]) + `"`,
		Modified: Epoch.Format(httpTimeFormat),
	}
}

// httpTimeFormat is net/http's TimeFormat, repeated to keep corpus.go free of net/http.
const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// RenderCorpus renders n feeds of items items each.
func RenderCorpus(seed uint64, n, items int) []Feed {
	out := make([]Feed, n)
	for i := range out {
		out[i] = RenderFeed(seed, i, items)
	}
	return out
}
