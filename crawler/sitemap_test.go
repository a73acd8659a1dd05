package crawler

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		urls     []string
		sitemaps []string
		err      error
	}{
		{"urlset", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
			<url><loc> https://ex.org/a </loc><lastmod>2026-01-02</lastmod></url><url><loc>/relative</loc></url>
			<url><loc>ftp://ex.org/x</loc></url><url><loc>https://ex.org/b?x=1&amp;y=2</loc></url></urlset>`,
			[]string{"https://ex.org/a", "https://ex.org/b?x=1&y=2"}, nil, nil},
		{"index", `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://ex.org/s1.xml</loc></sitemap>
			<sitemap><loc>https://ex.org/s2.xml.gz</loc><lastmod>2026-01-01</lastmod></sitemap></sitemapindex>`,
			nil, []string{"https://ex.org/s1.xml", "https://ex.org/s2.xml.gz"}, nil},
		{"prefixed namespace", `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>https://ex.org/p</sm:loc></sm:url></sm:urlset>`,
			[]string{"https://ex.org/p"}, nil, nil},
		{"text", "https://ex.org/1\n\nnot a url\nhttps://ex.org/2\r\n", []string{"https://ex.org/1", "https://ex.org/2"}, nil, nil},
		{"truncated xml keeps what it read", `<urlset><url><loc>https://ex.org/a</loc></url><url><loc>https://ex.org/b`, []string{"https://ex.org/a"}, nil, nil},
		{"html is no sitemap", `<!DOCTYPE html><html><body>hi</body></html>`, nil, nil, ErrNotSitemap},
		{"rss is no sitemap", `<rss><channel><item><link>https://ex.org/a</link></item></channel></rss>`, nil, nil, ErrNotSitemap},
		{"empty", "  \n", nil, nil, ErrNotSitemap},
		{"text without urls", "hello\nworld", nil, nil, ErrNotSitemap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm, err := ParseSitemap([]byte(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			var locs []string
			for _, u := range sm.URLs {
				locs = append(locs, u.Loc)
			}
			if strings.Join(locs, " ") != strings.Join(tt.urls, " ") {
				t.Errorf("urls %q, want %q", locs, tt.urls)
			}
			if strings.Join(sm.Sitemaps, " ") != strings.Join(tt.sitemaps, " ") {
				t.Errorf("sitemaps %q, want %q", sm.Sitemaps, tt.sitemaps)
			}
		})
	}
}

func TestParseNewsSitemap(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://ex.org/news/1</loc><lastmod>2026-06-02</lastmod>
  <news:news><news:publication><news:name>Ex</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2026-06-01T09:30:00+02:00</news:publication_date>
   <news:title>  Agents   pass the
     bar </news:title></news:news></url>
 <url><loc>https://ex.org/news/2</loc><news:news><news:publication_date>2026-06-01</news:publication_date><news:title>Two</news:title></news:news></url>
</urlset>`
	sm, err := ParseSitemap([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) != 2 {
		t.Fatalf("%d urls", len(sm.URLs))
	}
	u := sm.URLs[0]
	if u.Loc != "https://ex.org/news/1" || u.NewsTitle != "Agents pass the bar" ||
		!u.NewsPublished.Equal(time.Date(2026, 6, 1, 7, 30, 0, 0, time.UTC)) || u.LastMod.Format(time.DateOnly) != "2026-06-02" {
		t.Errorf("first url %+v", u)
	}
	if sm.URLs[1].NewsPublished.Format(time.DateOnly) != "2026-06-01" {
		t.Errorf("date-only publication date: %v", sm.URLs[1].NewsPublished)
	}
}

func TestParseW3CDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-06-01T10:20:30Z":           "2026-06-01T10:20:30Z",
		"2026-06-01T10:20:30.5+01:00":    "2026-06-01T09:20:30.5Z",
		"2026-06-01T10:20+01:00":         "2026-06-01T09:20:00Z",
		"2026-06-01":                     "2026-06-01T00:00:00Z",
		"2026-06":                        "2026-06-01T00:00:00Z",
		"yesterday":                      "0001-01-01T00:00:00Z",
		"2026-06-01T10:20:30+0100":       "2026-06-01T09:20:30Z",
		"  2026-06-01T10:20:30Z  ":       "2026-06-01T10:20:30Z",
		strings.Repeat("2026-", 20) + "": "0001-01-01T00:00:00Z",
	} {
		if got := parseW3CDate(in).Format(time.RFC3339Nano); got != want {
			t.Errorf("parseW3CDate(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSitemapEntryCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("<urlset>")
	for range MaxSitemapEntries + 10 {
		b.WriteString("<url><loc>https://ex.org/x</loc></url>")
	}
	b.WriteString("</urlset>")
	sm, err := ParseSitemap([]byte(b.String()))
	if err != nil || len(sm.URLs) != MaxSitemapEntries {
		t.Fatalf("%d urls, %v", len(sm.URLs), err)
	}
}

func FuzzSitemap(f *testing.F) {
	for _, s := range []string{
		`<urlset><url><loc>https://ex.org/a</loc><lastmod>2026-01-02</lastmod></url></urlset>`,
		`<sitemapindex><sitemap><loc>https://ex.org/s.xml</loc></sitemap></sitemapindex>`,
		`<urlset xmlns:news="n"><url><loc>https://ex.org/n</loc><news:news><news:title>T</news:title><news:publication_date>2026-06-01</news:publication_date></news:news></url></urlset>`,
		"https://ex.org/1\nhttps://ex.org/2",
		"\xef\xbb\xbf<urlset><url><loc>https://ex.org/&#x41;</loc></url>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://ex.org/é</loc></url></urlset>`,
		`<urlset><url><loc><![CDATA[https://ex.org/c]]></loc></url></urlset>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sm, err := ParseSitemap(body)
		if err != nil {
			if !errors.Is(err, ErrNotSitemap) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(sm.URLs) > MaxSitemapEntries || len(sm.Sitemaps) > MaxSitemapEntries {
			t.Fatalf("over the entry cap: %d %d", len(sm.URLs), len(sm.Sitemaps))
		}
		for _, u := range append(locs(sm), sm.Sitemaps...) {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				t.Fatalf("bad location %q", u)
			}
		}
	})
}

func locs(sm *Sitemap) []string {
	var out []string
	for _, u := range sm.URLs {
		out = append(out, u.Loc)
	}
	return out
}

func TestResolveAndKey(t *testing.T) {
	base, _ := url.Parse("https://ex.org/news/index.html")
	c := New(nil, Options{})
	tests := []struct{ href, url, key string }{
		{"a-story", "https://ex.org/news/a-story", "https://ex.org/news/a-story"},
		{"/news/a;jsessionid=ABC123?x=1#top", "https://ex.org/news/a?x=1", "https://ex.org/news/a?x=1"},
		{"/news/a?PHPSESSID=1&b=2&a=1", "https://ex.org/news/a?b=2&a=1", "https://ex.org/news/a?a=1&b=2"},
		{"/news/a?sid=9&utm_source=rss", "https://ex.org/news/a?utm_source=rss", "https://ex.org/news/a"},
		{"HTTPS://EX.ORG:443/news/b/", "https://EX.ORG:443/news/b/", "https://ex.org/news/b"},
		{"mailto:x@ex.org", "", ""},
		{"javascript:void(0)", "", ""},
		{"#top", "", ""},
	}
	for _, tt := range tests {
		u, ok := resolve(base, tt.href)
		if !ok {
			if tt.url != "" {
				t.Errorf("resolve(%q) refused", tt.href)
			}
			continue
		}
		if u.String() != tt.url {
			t.Errorf("resolve(%q) = %s, want %s", tt.href, u, tt.url)
		}
		if key, _ := c.Key(u.String()); key != tt.key {
			t.Errorf("Key(%s) = %s, want %s", u, key, tt.key)
		}
	}
}

func TestRulesAllowed(t *testing.T) {
	r := &rules{domains: []string{"example.org"}}
	for host, want := range map[string]bool{"example.org": true, "www.example.org": true, "EXAMPLE.ORG.": true, "badexample.org": false, "example.org.evil.com": false} {
		if got := r.allowed(host); got != want {
			t.Errorf("allowed(%q) = %v", host, got)
		}
	}
}
