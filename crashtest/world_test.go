package crashtest

import (
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontierwatch/frontierwatch/dedup"
)

// The world's news: what its feeds and its site publish, step by step.
// Its content is the same in every run (contentSeed), so the crash run and
// the reference run watch the same news; only the timing differs.

const (
	// steps is how many times new items appear.
	steps       = 24
	contentSeed = 20260605
)

// The feeds of the world: two with headline figures, three wires that
// syndicate stories, and plain news feeds that add sources to poll (a
// kill interrupts only the polls in flight, so more sources mean more
// work for each restart).
var feedNames = []string{"metr", "code", "wire-a", "wire-b", "wire-c",
	"news-1", "news-2", "news-3", "news-4", "news-5", "news-6", "news-7", "news-8", "news-9", "news-10"}

// wire sites: each wire feed's articles live on its own site, with its own
// furniture around a syndicated story.
var wires = map[string]struct{ link, header, footer string }{
	"wire-a": {"https://www.exchange-news.example/news/%s", "Markets | Crypto | Login", "Disclaimer: this content is provided for information only and is not investment advice."},
	"wire-b": {"https://techdaily.example.org/2026/06/%s/", "Share on X · Share on LinkedIn", "Related: five stocks to watch. Subscribe to our newsletter for daily news."},
	"wire-c": {"https://blog.aiwatch.example.co.uk/posts/%s?utm_source=rss", "By Staff Writer, 5 min read", "© 2026 AI Watch. All rights reserved."},
}

// figure is a headline figure an item is written to state.
type figure struct {
	Metric string
	Value  float64
}

// item is one feed item.
type item struct {
	ID    string // unique in the world
	Feed  string
	Step  int // published at this step
	Title string
	// Link is the item's URL; "{base}" stands for the world's server.
	Link    string
	Pub     time.Time
	Summary string // the feed's description (HTML)
	Page    string // the linked page (HTML), for the full-text feed
	// Story names the syndicated story the item is a copy of; "" when the
	// item is its own story.
	Story   string
	Figures []figure
	// Repeats is the ID of the item whose URL this one repeats (with other
	// tracking parameters): a cross-post, the same article.
	Repeats string
}

// post is one article page of the lab site.
type post struct {
	ID      string
	Step    int
	Path    string
	Title   string
	Pub     time.Time
	HTML    string
	Figures []figure
}

// content is everything the world publishes.
type content struct {
	items []item
	posts []post
}

// The designed headline figures: a task-horizon record every third step
// of the metr feed (the 32-hour one crosses the configured threshold of
// 24), a share-of-code record every fourth step of the code feed, a
// benchmark record every sixth step of each plain news feed (see
// benchmarks), and one claim each that only the syndicated wire story or
// the lab makes. Each metric (or benchmark) has one source, whose values
// only rise: the milestones are the same in whatever order the polls
// happen to store them.
var (
	horizonAt = map[int]float64{0: 1, 3: 2, 6: 4, 9: 8, 12: 16, 15: 32, 18: 48, 21: 72}
	codeAt    = map[int]float64{1: 10, 5: 25, 9: 40, 13: 55, 17: 70, 21: 85}
	// Syndicated stories: the feeds that carry each, at which step.
	stories = map[string]map[string]int{
		"speedup": {"wire-a": 4, "wire-b": 7, "wire-c": 10},
		"chips":   {"wire-b": 2, "wire-c": 13},
		"policy":  {"wire-a": 15, "wire-b": 19, "wire-c": 22},
	}
	// crossPost: wire-b repeats wire-a's item of step 6 at step 9 (an
	// item of its own, beside wire-b's regular item of that step).
	crossPost = struct{ from, to string }{"wire-a-6", "wire-b-9x"}
)

const (
	speedupSentence = "The lab reports a 52x speed-up on AI research engineering work compared with its engineers working alone."
	doublingSentece = "The duration for which models can operate autonomously roughly doubles every four months, the report adds."
	labSentence     = "Engineers averaged eight times more code merges per day than a year earlier."
)

func horizonSentence(h float64) string {
	return fmt.Sprintf("METR reports that the latest model now completes %g-hour software tasks autonomously.", h)
}

// benchmarks: each plain news feed reports scores on its own benchmark,
// a record each time (a score on one benchmark is compared only with
// scores on the same benchmark).
var benchmarks = []string{"SWE-bench Verified", "Terminal-Bench", "OSWorld", "GPQA Diamond", "HLE", "RE-Bench", "MLE-bench", "SWE-Lancer", "Cybench", "PaperBench"}

func benchmarkSentence(v float64, bench string) string {
	return fmt.Sprintf("The new model scores %g%% on %s, the lab says.", v, bench)
}

func codeSentence(p float64) string {
	return fmt.Sprintf("The lab says over %g%% of its merged code is now written by its models.", p)
}

var (
	adjs  = strings.Fields("quiet careful broad early new open shared internal public modest steady uneven curious patient rigorous detailed plain complex simple narrow recent formal candid sober useful costly gradual rapid fragile robust familiar novel lengthy brief cautious bold distant local regional central")
	nouns = strings.Fields("team review lab system model agent benchmark report paper study dataset pipeline budget policy engineer researcher reviewer roadmap compiler cluster schedule audit release prototype interface library workflow standard proposal framework evaluation council committee editor board partner startup regulator investor market office project archive")
	verbs = strings.Fields("describes questions revisits extends publishes examines compares defends outlines summarises tests documents supports challenges explains reviews shares maps traces weighs")
	preps = strings.Fields("for with beside against after before within across under beyond")
)

// sentence is a neutral sentence without numbers or units.
func sentence(r *rand.Rand) string {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	s := fmt.Sprintf("the %s %s %s the %s %s %s the %s %s", pick(adjs), pick(nouns), pick(verbs), pick(adjs), pick(nouns), pick(preps), pick(adjs), pick(nouns))
	if r.IntN(2) == 0 {
		s += fmt.Sprintf(" and the %s %s", pick(adjs), pick(nouns))
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// paragraphs returns n paragraphs of 3–5 neutral sentences.
func paragraphs(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j := range 3 + r.IntN(3) {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sentence(r))
		}
		out[i] = b.String()
	}
	return out
}

// withFigures puts the figure sentences into the second paragraph.
func withFigures(paras []string, sentences ...string) []string {
	if len(sentences) == 0 {
		return paras
	}
	out := slices.Clone(paras)
	i := min(1, len(out)-1)
	out[i] = strings.Join(sentences, " ") + " " + out[i]
	return out
}

func htmlParas(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	return b.String()
}

func title(r *rand.Rand, prefix string) string {
	return fmt.Sprintf("%s: the %s %s %s", prefix, adjs[r.IntN(len(adjs))], nouns[r.IntN(len(nouns))], verbs[r.IntN(len(verbs))])
}

var pubBase = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func pubAt(step, k int) time.Time {
	return pubBase.Add(time.Duration(step)*time.Hour + time.Duration(k)*time.Minute)
}

// newContent builds the world's news.
func newContent() *content {
	r := rand.New(rand.NewPCG(contentSeed, 1))
	c := &content{}
	// The syndicated stories' bodies, shared by their copies.
	storyBody := map[string][]string{}
	storyTitle := map[string]string{}
	for _, name := range []string{"speedup", "chips", "policy"} {
		paras := paragraphs(r, 5)
		if name == "speedup" {
			paras = withFigures(paras, speedupSentence, doublingSentece)
		}
		storyBody[name] = paras
		storyTitle[name] = title(r, "Wire")
	}
	for s := range steps {
		for k, feed := range feedNames {
			it := item{ID: fmt.Sprintf("%s-%d", feed, s), Feed: feed, Step: s, Pub: pubAt(s, k)}
			switch feed {
			case "metr":
				it.Title = title(r, "METR")
				var extra []string
				if h, ok := horizonAt[s]; ok {
					extra = append(extra, horizonSentence(h))
					it.Figures = []figure{{"task_horizon", h}}
				}
				it.Link = "https://metr.example/research/" + strings.ReplaceAll(strings.ToLower(it.Title[6:]), " ", "-") + "-" + strconv.Itoa(s)
				it.Summary = htmlParas(withFigures(paragraphs(r, 3), extra...))
			case "code":
				// A one-paragraph summary: the full text is on the page.
				it.Title = title(r, "Code")
				var extra []string
				if p, ok := codeAt[s]; ok {
					extra = append(extra, codeSentence(p))
					it.Figures = []figure{{"share_of_code_by_ai", p}}
				}
				slug := fmt.Sprintf("code-%d", s)
				it.Link = "{base}/code/" + slug
				lead := sentence(r)
				it.Summary = html.EscapeString(strings.TrimSpace(strings.Join(extra, " ") + " " + lead))
				body := append([]string{lead}, paragraphs(r, 4)...)
				it.Page = articlePage(it.Title, it.Pub, withFigures(body, extra...))
			case "wire-a", "wire-b", "wire-c":
				w := wires[feed]
				var paras []string
				for name, at := range stories {
					if step, ok := at[feed]; ok && step == s {
						it.Story = name
						it.Title = storyTitle[name]
						paras = storyBody[name]
						if name == "speedup" {
							it.Figures = []figure{{"rnd_speedup", 52}, {"doubling_time", 4}}
						}
					}
				}
				if it.Story == "" {
					it.Title = title(r, "News")
					paras = paragraphs(r, 3)
				}
				slug := fmt.Sprintf("%s-%d", strings.ToLower(strings.ReplaceAll(it.Title, " ", "-")), s)
				slug = strings.Map(func(c rune) rune {
					if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
						return c
					}
					return -1
				}, slug)
				it.Link = fmt.Sprintf(w.link, slug)
				it.Summary = "<p>" + html.EscapeString(w.header) + "</p>" + htmlParas(paras) + "<p>" + html.EscapeString(w.footer) + "</p>"
			default: // plain news, each feed with its own benchmark's records
				it.Title = title(r, "News")
				it.Link = fmt.Sprintf("https://%s.example/stories/%d", feed, s)
				n, _ := strconv.Atoi(strings.TrimPrefix(feed, "news-"))
				var extra []string
				if (s-n%6)%6 == 0 && s >= n%6 {
					v := float64(20 + 15*((s-n%6)/6) + n)
					extra = append(extra, benchmarkSentence(v, benchmarks[n-1]))
					it.Figures = []figure{{"benchmark_score", v}}
				}
				it.Summary = htmlParas(withFigures(paragraphs(r, 3), extra...))
				if n > 8 {
					// A feed that never changes after its first
					// publication: what its first poll misses, no later
					// poll brings back (it answers 304).
					it.Step = 0
				}
			}
			c.items = append(c.items, it)
		}
		// The cross-post: the same article (URL) in a second feed.
		if s == 9 {
			var orig item
			for _, it := range c.items {
				if it.ID == crossPost.from {
					orig = it
				}
			}
			cp := orig
			cp.ID, cp.Feed, cp.Step, cp.Pub, cp.Repeats = crossPost.to, "wire-b", s, pubAt(s, 10), orig.ID
			sep := "?"
			if strings.Contains(cp.Link, "?") {
				sep = "&"
			}
			cp.Link += sep + "utm_source=wire-b&utm_medium=feed"
			c.items = append(c.items, cp)
		}
		if s%2 == 0 {
			p := post{ID: fmt.Sprintf("lab-%d", s/2), Step: s, Path: fmt.Sprintf("/news/post-%d", s/2), Title: title(r, "Lab update"), Pub: pubAt(s, 11)}
			var extra []string
			if (s/2)%2 == 0 {
				extra = []string{labSentence}
				p.Figures = []figure{{"productivity_multiplier", 8}}
			}
			p.HTML = articlePage(p.Title, p.Pub, withFigures(paragraphs(r, 4), extra...))
			c.posts = append(c.posts, p)
		}
	}
	return c
}

// articlePage is a news page with the furniture real sites have around
// the article.
func articlePage(title string, pub time.Time, paras []string) string {
	t := html.EscapeString(title)
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><title>%s</title>
<meta property="og:title" content="%s"><meta name="author" content="Research Team">
<meta property="article:published_time" content="%s"></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>%s</h1>%s</article>
<footer>© 2026 The Lab</footer></body></html>`, t, t, pub.Format(time.RFC3339), t, htmlParas(paras))
}

// world serves the content on 127.0.0.1: /feed/NAME, /code/SLUG (pages of
// the full-text feed), and the lab site (/robots.txt, /news, /news/post-N).
// It publishes a step at a time and counts the requests in flight, so the
// harness can tell where a kill landed.
type world struct {
	c   *content
	srv *httptest.Server

	mu        sync.Mutex
	published int // items of steps < published are visible
	rng       *rand.Rand

	inFlight atomic.Int64
	feeds    atomic.Int64 // feed and full-text page requests in flight
	lastDone atomic.Int64 // unix ns when the last request ended
	requests atomic.Int64
	served   atomic.Int64 // feeds and pages answered with content
}

func newWorld(c *content, seed uint64) *world {
	w := &world{c: c, rng: rand.New(rand.NewPCG(seed, 2))}
	w.srv = httptest.NewServer(w)
	return w
}

func (w *world) Close() { w.srv.Close() }

// publish makes the items of every step below n visible.
func (w *world) publish(n int) {
	w.mu.Lock()
	w.published = max(w.published, min(n, steps))
	w.mu.Unlock()
}

func (w *world) visible() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.published
}

// delay is a short random wait before answering, so that kills land
// during fetches too.
func (w *world) delay(limit time.Duration) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Duration(w.rng.Int64N(int64(limit)))
}

func (w *world) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.inFlight.Add(1)
	w.requests.Add(1)
	defer func() {
		w.lastDone.Store(time.Now().UnixNano())
		w.inFlight.Add(-1)
	}()
	n := w.visible()
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/feed/"):
		w.feeds.Add(1)
		defer w.feeds.Add(-1)
		w.serveFeed(rw, r, strings.TrimPrefix(p, "/feed/"), n)
	case strings.HasPrefix(p, "/code/"):
		w.feeds.Add(1)
		defer w.feeds.Add(-1)
		sleep(r, w.delay(80*time.Millisecond))
		for _, it := range w.c.items {
			if it.Page != "" && it.Step < n && strings.HasSuffix(it.Link, p) {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(rw, it.Page)
				w.served.Add(1)
				return
			}
		}
		http.NotFound(rw, r)
	case p == "/robots.txt":
		fmt.Fprint(rw, "User-agent: *\nAllow: /\n")
	case p == "/news":
		sleep(r, w.delay(20*time.Millisecond))
		var visible []post
		for _, ps := range w.c.posts {
			if ps.Step < n {
				visible = append(visible, ps)
			}
		}
		etag := fmt.Sprintf(`"news-%d"`, len(visible))
		rw.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(rw, `<!DOCTYPE html><html><head><title>Lab news</title></head><body><nav><a href="/">Home</a></nav><ul>`)
		for _, ps := range slices.Backward(visible) {
			fmt.Fprintf(rw, `<li><a href="%s">%s</a></li>`, ps.Path, html.EscapeString(ps.Title))
		}
		fmt.Fprint(rw, `</ul></body></html>`)
	case strings.HasPrefix(p, "/news/"):
		sleep(r, w.delay(20*time.Millisecond))
		for _, ps := range w.c.posts {
			if ps.Path == p && ps.Step < n {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(rw, ps.HTML)
				w.served.Add(1)
				return
			}
		}
		http.NotFound(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

func (w *world) serveFeed(rw http.ResponseWriter, r *http.Request, name string, n int) {
	sleep(r, w.delay(150*time.Millisecond))
	var visible []item
	for _, it := range w.c.items {
		if it.Feed == name && it.Step < n {
			visible = append(visible, it)
		}
	}
	if !slices.Contains(feedNames, name) {
		http.NotFound(rw, r)
		return
	}
	etag := fmt.Sprintf(`"%s-%d"`, name, len(visible))
	rw.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.Header().Set("Content-Type", "application/rss+xml")
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link>`, name, name)
	for _, it := range slices.Backward(visible) { // newest first, as feeds list
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			html.EscapeString(it.Title), html.EscapeString(w.link(it)), it.ID, it.Pub.Format(time.RFC1123Z), html.EscapeString(it.Summary))
	}
	b.WriteString(`</channel></rss>`)
	rw.Write([]byte(b.String()))
	w.served.Add(1)
}

func (w *world) link(it item) string { return strings.ReplaceAll(it.Link, "{base}", w.srv.URL) }

// sleep waits d or until the client goes away.
func sleep(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// expected maps the canonical URL of every article the world publishes
// (all steps) to the ID of the item or post it is; a cross-post maps to
// the item it repeats.
func (w *world) expected() (map[string]string, error) {
	out := map[string]string{}
	add := func(raw, id string) error {
		u, err := dedup.Canonical(raw)
		if err != nil {
			return err
		}
		if prev, ok := out[u]; ok && prev != id {
			return fmt.Errorf("world: %s and %s share the URL %s", prev, id, u)
		}
		out[u] = id
		return nil
	}
	for _, it := range w.c.items {
		id := it.ID
		if it.Repeats != "" {
			id = it.Repeats
		}
		if err := add(w.link(it), id); err != nil {
			return nil, err
		}
	}
	for _, p := range w.c.posts {
		if err := add(w.srv.URL+p.Path, p.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetchRecently reports whether a request ended within d.
func (w *world) fetchRecently(d time.Duration) bool {
	last := w.lastDone.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < d
}
