package crawler

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"
)

// Sitemap limits, from the sitemaps.org protocol.
const (
	// MaxSitemapEntries is the most URLs (or child sitemaps) a sitemap
	// file may list; the rest are ignored.
	MaxSitemapEntries = 50000
)

// ErrNotSitemap means a body is neither a sitemap, a sitemap index nor a
// plain-text list of URLs.
var ErrNotSitemap = errors.New("crawler: not a sitemap")

// Sitemap is one parsed sitemap file: a list of pages (a urlset, possibly
// with Google News data) or of further sitemaps (a sitemap index).
type Sitemap struct {
	URLs     []SitemapURL
	Sitemaps []string // child sitemaps of a sitemap index
}

// SitemapURL is one page a sitemap lists.
type SitemapURL struct {
	Loc     string
	LastMod time.Time // zero when absent or unparsable
	// From a Google News sitemap (news:news): the article's title and
	// publication date.
	NewsTitle     string
	NewsPublished time.Time
}

// ParseSitemap reads a sitemap (<urlset>), a sitemap index
// (<sitemapindex>), a Google News sitemap (<news:news> inside <url>) or a
// plain-text sitemap (one URL per line). Only absolute http(s) locations
// are kept, at most MaxSitemapEntries of each list. It never fails on
// malformed entries, only on a body that is no sitemap at all.
func ParseSitemap(body []byte) (*Sitemap, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, ErrNotSitemap
	}
	if trimmed[0] != '<' {
		return parseTextSitemap(trimmed)
	}
	return parseXMLSitemap(trimmed)
}

func parseTextSitemap(body []byte) (*Sitemap, error) {
	sm := &Sitemap{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 64<<10)
	for sc.Scan() && len(sm.URLs) < MaxSitemapEntries {
		if loc := cleanLoc(sc.Text()); loc != "" {
			sm.URLs = append(sm.URLs, SitemapURL{Loc: loc})
		}
	}
	if len(sm.URLs) == 0 {
		return nil, ErrNotSitemap
	}
	return sm, nil
}

// parseXMLSitemap walks the XML by local names, so that any namespace
// prefix (or none) works, and stops at the first syntax error with what it
// has read so far.
func parseXMLSitemap(body []byte) (*Sitemap, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	sm := &Sitemap{}
	var (
		root     string
		cur      SitemapURL
		inURL    bool
		inNews   bool
		text     strings.Builder
		sitemapC string
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root == "" {
				root = name
				if root != "urlset" && root != "sitemapindex" {
					return nil, ErrNotSitemap
				}
			}
			text.Reset()
			switch {
			case name == "url" && root == "urlset":
				inURL, cur = true, SitemapURL{}
			case name == "news" && inURL:
				inNews = true
			case name == "sitemap" && root == "sitemapindex":
				sitemapC = ""
			}
		case xml.CharData:
			if text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			value := strings.TrimSpace(text.String())
			text.Reset()
			switch {
			case root == "urlset" && inURL:
				switch {
				case name == "url":
					inURL, inNews = false, false
					if cur.Loc != "" && len(sm.URLs) < MaxSitemapEntries {
						sm.URLs = append(sm.URLs, cur)
					}
				case name == "news":
					inNews = false
				case name == "loc" && !inNews && cur.Loc == "":
					cur.Loc = cleanLoc(value)
				case name == "lastmod" && !inNews:
					cur.LastMod = parseW3CDate(value)
				case name == "title" && inNews:
					cur.NewsTitle = strings.Join(strings.Fields(value), " ")
				case name == "publication_date" && inNews:
					cur.NewsPublished = parseW3CDate(value)
				}
			case root == "sitemapindex":
				switch name {
				case "loc":
					sitemapC = cleanLoc(value)
				case "sitemap":
					if sitemapC != "" && len(sm.Sitemaps) < MaxSitemapEntries {
						sm.Sitemaps = append(sm.Sitemaps, sitemapC)
					}
					sitemapC = ""
				}
			}
		}
	}
	if root == "" {
		return nil, ErrNotSitemap
	}
	return sm, nil
}

// cleanLoc returns loc when it is an absolute http(s) URL, else "".
func cleanLoc(loc string) string {
	loc = strings.TrimSpace(loc)
	if loc == "" || len(loc) > 2048 {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// w3cLayouts are the W3C datetime forms sitemaps use, most precise first.
var w3cLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	time.DateOnly,
	"2006-01",
	"2006",
}

// parseW3CDate parses a sitemap date; zero when it cannot.
func parseW3CDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	for _, l := range w3cLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
