// Package demo is frontierwatch's offline demonstration: a small local news
// site whose articles appear one by one, a temporary archive, and the
// daemon polling it, so a newcomer sees polling, figures, trends and
// milestone alerts within a minute, with no network and no config.
package demo

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Article is one article of the demo's news sites.
type Article struct {
	Slug   string
	Month  int    // months before the demo's start (0: now)
	Site   string // which of the demo sites publishes it
	CopyOf string // the site it was syndicated from, if any
	Author string
	Title  string
	Body   []string
}

// Site serves the demo's news sites and their RSS feeds. Articles become
// visible one at a time, oldest first, as Reveal is called.
type Site struct {
	mu      sync.Mutex
	now     time.Time
	shown   int
	order   []Article
	port    int
	sites   []string
	pageTpl *template.Template
}

// NewSite prepares the site; port is the port it will be served on (links
// name it).
func NewSite(now time.Time, port int) *Site {
	order := append([]Article(nil), articles...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Month < order[j].Month })
	seen := map[string]bool{}
	var sites []string
	for _, a := range order {
		if !seen[a.Site] {
			seen[a.Site] = true
			sites = append(sites, a.Site)
		}
	}
	sort.Strings(sites)
	return &Site{now: now, order: order, port: port, sites: sites, pageTpl: template.Must(template.New("page").Parse(pageHTML))}
}

// Sites are the names of the demo's sites.
func (s *Site) Sites() []string { return s.sites }

// Reveal shows one more article and reports whether any was left.
func (s *Site) Reveal() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shown >= len(s.order) {
		return false
	}
	s.shown++
	return true
}

// RevealFirstOfEach shows articles, oldest first, until every site has
// one: a feed with no item is an error (and backs off).
func (s *Site) RevealFirstOfEach() {
	for {
		s.mu.Lock()
		has := map[string]bool{}
		for _, a := range s.order[:s.shown] {
			has[a.Site] = true
		}
		done := len(has) == len(s.sites) || s.shown == len(s.order)
		s.mu.Unlock()
		if done {
			return
		}
		s.Reveal()
	}
}

// Published is an article's publication time: Month months before now.
func (s *Site) published(a Article) time.Time {
	return s.now.AddDate(0, a.Month, -3).Truncate(time.Hour)
}

// URL is where an article lives: on its site's *.localhost host name, which
// browsers resolve to this machine.
func (s *Site) URL(a Article) string {
	return fmt.Sprintf("http://%s.localhost:%d/news/%s", a.Site, s.port, a.Slug)
}

func (s *Site) visible() []Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order[:s.shown]
}

// ServeHTTP serves /feeds/SITE.xml on any host, and the article pages on
// each site's host.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/feeds/"); ok {
		s.feed(w, strings.TrimSuffix(name, ".xml"))
		return
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	site := strings.TrimSuffix(host, ".localhost")
	slug, ok := strings.CutPrefix(r.URL.Path, "/news/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	for _, a := range s.visible() {
		if a.Site == site && a.Slug == slug {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			s.pageTpl.Execute(w, map[string]any{"A": a, "Published": s.published(a).Format("2 January 2006")})
			return
		}
	}
	http.NotFound(w, r)
}

type rss struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string    `xml:"title"`
		Link  string    `xml:"link"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	PubDate     string `xml:"pubDate"`
	Author      string `xml:"author"`
	Description string `xml:"description"`
}

func (s *Site) feed(w http.ResponseWriter, site string) {
	var doc rss
	doc.Version = "2.0"
	doc.Channel.Title = site
	doc.Channel.Link = fmt.Sprintf("http://%s.localhost:%d/", site, s.port)
	vis := s.visible()
	for i := len(vis) - 1; i >= 0; i-- { // newest first, as feeds are
		a := vis[i]
		if a.Site != site {
			continue
		}
		var body strings.Builder
		for _, p := range a.Body {
			body.WriteString("<p>" + template.HTMLEscapeString(p) + "</p>")
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{Title: a.Title, Link: s.URL(a), GUID: s.URL(a),
			PubDate: s.published(a).Format(time.RFC1123Z), Author: a.Author, Description: body.String()})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(doc)
}

const pageHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{.A.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:17px/1.6 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}nav,footer{color:#666;font-size:.9em}</style></head>
<body><nav>{{.A.Site}} · News · AI · Markets</nav><article><h1>{{.A.Title}}</h1><p><em>By {{.A.Author}}, {{.Published}}</em></p>
{{range .A.Body}}<p>{{.}}</p>{{end}}</article><footer>A demo page served by frontierwatch demo. Not real news.</footer></body></html>`
