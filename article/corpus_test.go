package article

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The shared corpus (../shared/corpus beside the repository) holds real
// article texts. -update turns them into realistic pages under
// testdata/corpus: the article inside a page with navigation, a cookie
// banner, related links and comments, in three different layouts.
// testdata/corpus/expect.json lists, per page, the sentences its main text
// must contain; the furniture below must never be in it.

var update = flag.Bool("update", false, "regenerate testdata/corpus from ../shared/corpus")

const corpusDir = "../../shared/corpus"

// furniture is text that every generated page carries around its article.
var furniture = []string{
	"We use cookies to give you the best experience",
	"Accept all cookies",
	"Manage preferences",
	"Subscribe to our newsletter",
	"Related articles",
	"Ten charts that explain the chip shortage",
	"Why small models are having a moment",
	"Great write-up, thanks for putting the numbers side by side",
	"I am not convinced the benchmark measures what it claims",
	"Log in to reply",
	"All rights reserved",
	"Privacy policy",
	"Most read this week",
}

type corpusPage struct {
	File      string   `json:"file"`
	Title     string   `json:"title"`
	Language  string   `json:"language"`
	Sentences []string `json:"sentences"`
}

func TestCorpusPages(t *testing.T) {
	if *update {
		writeCorpusPages(t)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", "expect.json"))
	if err != nil {
		t.Fatalf("%v (run go test -run TestCorpusPages -update with %s present)", err, corpusDir)
	}
	var pages []corpusPage
	if err := json.Unmarshal(raw, &pages); err != nil {
		t.Fatal(err)
	}
	if len(pages) < 10 {
		t.Fatalf("only %d corpus pages", len(pages))
	}
	var sentences, found int
	for _, p := range pages {
		t.Run(strings.TrimSuffix(p.File, ".html"), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "corpus", p.File))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Extract(body, Options{URL: "https://news.example.org/2026/06/" + strings.TrimSuffix(p.File, ".html"), ContentType: "text/html; charset=utf-8"})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(res.Text), " ")
			for _, s := range p.Sentences {
				sentences++
				if strings.Contains(text, strings.Join(strings.Fields(s), " ")) {
					found++
				} else {
					t.Errorf("main text lacks the article's sentence %q", s)
				}
			}
			for _, f := range furniture {
				if strings.Contains(text, f) {
					t.Errorf("main text contains furniture %q", f)
				}
			}
			if res.Title != p.Title {
				t.Errorf("title %q, want %q", res.Title, p.Title)
			}
			if p.Language != "" && res.Language != p.Language {
				t.Errorf("language %q, want %q", res.Language, p.Language)
			}
			if res.Published.IsZero() || res.Published.Year() != 2026 {
				t.Errorf("published %v, want the page's 2026 date", res.Published)
			}
		})
	}
	t.Logf("%d pages, %d of %d sentences found", len(pages), found, sentences)
}

// writeCorpusPages regenerates testdata/corpus from the shared corpus.
func writeCorpusPages(t *testing.T) {
	t.Helper()
	dir := filepath.Join("testdata", "corpus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var pages []corpusPage

	// The news report: its title, its summary and its paragraphs.
	txt, err := os.ReadFile(filepath.Join(corpusDir, "when-ai-builds-itself.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(txt), "\n")
	title := strings.TrimSpace(lines[0])
	var paras []string
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		// Keep prose; the share buttons and icons above it are furniture
		// of the original page, the disclaimer its footer.
		if len(l) > 200 && !strings.HasPrefix(l, "Disclaimer") {
			paras = append(paras, l)
		}
	}
	pages = append(pages, corpusPage{File: "when-ai-builds-itself.html", Title: title, Language: "en", Sentences: splitSentences(paras)})
	writePage(t, dir, pages[0], paras, 0)

	// The quoted sentences, five to a page, grouped by language.
	f, err := os.Open(filepath.Join(corpusDir, "sentences.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byLang := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct{ Lang, Text string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		byLang[row.Lang] = append(byLang[row.Lang], row.Text)
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	n := 0
	for _, lang := range langs {
		texts := byLang[lang]
		for i := 0; i < len(texts); i += 5 {
			group := texts[i:min(i+5, len(texts))]
			n++
			p := corpusPage{
				File:      fmt.Sprintf("sentences-%s-%02d.html", lang, n),
				Title:     headline(group[0]),
				Sentences: group,
			}
			// Language detection needs more than one short sentence.
			if len(strings.Join(group, " ")) > 400 {
				p.Language = lang
			}
			pages = append(pages, p)
			writePage(t, dir, p, group, n)
		}
	}
	out, _ := json.MarshalIndent(pages, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "expect.json"), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

var sentenceEnd = regexp.MustCompile(`([.!?。])\s+`)

// splitSentences cuts paragraphs into sentences.
func splitSentences(paras []string) []string {
	var out []string
	for _, p := range paras {
		for _, s := range strings.Split(sentenceEnd.ReplaceAllString(p, "$1\n"), "\n") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// headline makes a title of a sentence's first words.
func headline(s string) string {
	w := strings.Fields(s)
	return strings.TrimRight(strings.Join(w[:min(9, len(w))], " "), ",.:;—-") + " …"
}

// writePage writes one page in one of three layouts.
func writePage(t *testing.T, dir string, p corpusPage, paras []string, layout int) {
	t.Helper()
	esc := html.EscapeString
	var body strings.Builder
	for _, para := range paras {
		fmt.Fprintf(&body, "      <p>%s</p>\n", esc(para))
	}
	lang := p.Language
	if lang == "" {
		lang = "en"
	}
	day := 1 + layout%28
	date := fmt.Sprintf("2026-06-%02d", day)
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="%s">
<head>
  <meta charset="utf-8">
  <title>%s | Frontier News</title>
  <meta property="og:title" content="%s">
  <meta property="og:site_name" content="Frontier News">
  <meta property="article:published_time" content="%sT09:30:00Z">
  <meta name="author" content="Dana Reporter">
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
</head>
<body class="post-template">
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>We use cookies to give you the best experience on our site and to measure traffic.</p>
  <button class="accept">Accept all cookies</button> <a href="/privacy#cookies">Manage preferences</a>
</div>
<header class="site-header">
  <a class="logo" href="/">Frontier News</a>
  <nav class="main-nav"><ul>
    <li><a href="/ai/">AI</a></li><li><a href="/research/">Research</a></li><li><a href="/policy/">Policy</a></li>
    <li><a href="/markets/">Markets</a></li><li><a href="/newsletter/">Subscribe to our newsletter</a></li>
  </ul></nav>
</header>
`, lang, esc(p.Title), esc(p.Title), date)
	switch layout % 3 {
	case 0:
		fmt.Fprintf(&b, `<main>
  <article class="post">
    <h1 class="post-title">%s</h1>
    <p class="byline">By <a href="/authors/dana">Dana Reporter</a> · <time datetime="%s">%s</time></p>
    <div class="post-content">
%s    </div>
  </article>
`, esc(p.Title), date, date, body.String())
	case 1:
		fmt.Fprintf(&b, `<div id="page"><div class="container"><div class="row">
  <div class="col-md-8 content-area">
    <div class="entry-header"><h1 class="entry-title">%s</h1>
      <span class="posted-on">Posted on %s by Dana Reporter</span></div>
    <div class="entry-content">
%s    </div>
  </div>
`, esc(p.Title), date, body.String())
	default:
		fmt.Fprintf(&b, `<div class="layout">
  <section class="story">
    <header><h1>%s</h1><div class="meta">%s — Dana Reporter</div></header>
    <div class="story-body" itemprop="articleBody">
%s    </div>
  </section>
`, esc(p.Title), date, body.String())
	}
	b.WriteString(`  <aside class="related-posts">
    <h2>Related articles</h2>
    <ul>
      <li><a href="/2026/05/chip-shortage-charts">Ten charts that explain the chip shortage</a></li>
      <li><a href="/2026/05/small-models">Why small models are having a moment</a></li>
      <li><a href="/2026/04/agents-at-work">Agents at work: a field guide</a></li>
    </ul>
    <h3>Most read this week</h3>
    <ol><li><a href="/2026/06/a">The week in AI funding</a></li><li><a href="/2026/06/b">Five questions for regulators</a></li></ol>
  </aside>
  <section id="comments" class="comments-area">
    <h2 class="comments-title">2 comments</h2>
    <ol class="comment-list">
      <li class="comment"><div class="comment-author">maria_k</div>
        <div class="comment-content"><p>Great write-up, thanks for putting the numbers side by side.</p></div>
        <a class="reply" href="#respond">Log in to reply</a></li>
      <li class="comment"><div class="comment-author">skeptic42</div>
        <div class="comment-content"><p>I am not convinced the benchmark measures what it claims.</p></div>
        <a class="reply" href="#respond">Log in to reply</a></li>
    </ol>
  </section>
`)
	switch layout % 3 {
	case 0:
		b.WriteString("</main>\n")
	case 1:
		b.WriteString("</div></div></div>\n")
	default:
		b.WriteString("</div>\n")
	}
	b.WriteString(`<footer class="site-footer">
  <p>© 2026 Frontier News. All rights reserved.</p>
  <p><a href="/privacy">Privacy policy</a> · <a href="/terms">Terms</a> · <a href="/contact">Contact</a></p>
</footer>
<script src="/static/app.js"></script>
</body>
</html>
`)
	if err := os.WriteFile(filepath.Join(dir, p.File), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
