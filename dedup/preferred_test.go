package dedup

import "testing"

func TestPreferredURL(t *testing.T) {
	const article = "https://amp.example.com/news/2026/06/story/amp?utm_source=x"
	head := func(tags string) string {
		return "<!doctype html><html><head><meta charset=utf-8><title>T</title>" + tags + "</head><body><p>text</p></body></html>"
	}
	tests := []struct {
		name, page, html, want string
	}{
		{"no stated URL: the page's own", article, head(""), "https://www.example.com/news/2026/06/story"},
		{"canonical link", article, head(`<link rel="canonical" href="https://www.example.com/news/2026/06/story">`), "https://www.example.com/news/2026/06/story"},
		{"relative canonical", "https://www.example.com/news/amp/story-1", head(`<link rel=canonical href="/news/story-1?utm_campaign=amp">`), "https://www.example.com/news/story-1"},
		{"protocol-relative canonical", "https://www.example.com/a/amp", head(`<link rel="canonical" href="//www.example.com/a/">`), "https://www.example.com/a"},
		{"syndication partner points to the origin", "https://aiwire.example/2026/06/metr-report", head(`<link rel="canonical" href="https://techpulse.example/ai/metr-report">`), "https://techpulse.example/ai/metr-report"},
		{"og:url", article, head(`<meta property="og:url" content="https://www.example.com/news/2026/06/story/">`), "https://www.example.com/news/2026/06/story"},
		{"og:url by name", article, head(`<meta name="og:url" content="https://www.example.com/s">`), "https://www.example.com/s"},
		{"canonical wins over og:url", article, head(`<meta property="og:url" content="https://www.example.com/og"><link rel="canonical" href="https://www.example.com/link">`), "https://www.example.com/link"},
		{"rel with several tokens, any case", article, head(`<link rel="Alternate CANONICAL" href="https://www.example.com/c">`), "https://www.example.com/c"},
		{"amphtml link is not canonical", "https://www.example.com/c", head(`<link rel="amphtml" href="https://www.example.com/c/amp-other">`), "https://www.example.com/c"},
		{"entities decoded, tracking dropped", article, head(`<link rel="canonical" href="https://www.example.com/p?id=3&amp;utm_source=feed">`), "https://www.example.com/p?id=3"},
		{"base href", "https://www.example.com/x/y", head(`<base href="https://static.example.com/news/"><link rel="canonical" href="story-9">`), "https://static.example.com/news/story-9"},
		{"not http(s): ignored", article, head(`<link rel="canonical" href="javascript:alert(1)">`), "https://www.example.com/news/2026/06/story"},
		{"mailto ignored, og:url used", article, head(`<link rel="canonical" href="mailto:news@example.com"><meta property="og:url" content="https://www.example.com/og">`), "https://www.example.com/og"},
		{"unparsable ignored", article, head(`<link rel="canonical" href="http://[::1">`), "https://www.example.com/news/2026/06/story"},
		{"site root for an article: ignored", article, head(`<link rel="canonical" href="https://www.example.com/">`), "https://www.example.com/news/2026/06/story"},
		{"site root ignored, og:url used", article, head(`<link rel="canonical" href="/"><meta property="og:url" content="https://www.example.com/og">`), "https://www.example.com/og"},
		{"site root for a root: kept", "https://example.com/index.html?utm_source=x", head(`<link rel="canonical" href="https://www.example.com/">`), "https://www.example.com/"},
		{"two different canonicals: ambiguous", article, head(`<link rel="canonical" href="https://www.example.com/a"><link rel="canonical" href="https://www.example.com/b">`), "https://www.example.com/news/2026/06/story"},
		{"the same canonical twice", article, head(`<link rel="canonical" href="https://www.example.com/a"><link rel="canonical" href="https://www.example.com/a">`), "https://www.example.com/a"},
		{"canonical in the body: not the page's", article, `<html><head><title>T</title></head><body><link rel="canonical" href="https://www.example.com/body"></body></html>`, "https://www.example.com/news/2026/06/story"},
		{"canonical after body content without tags", article, `<title>T</title><p>hello</p><link rel="canonical" href="https://www.example.com/late">`, "https://www.example.com/news/2026/06/story"},
		{"head without tags", article, `<title>T</title><link rel="canonical" href="https://www.example.com/early"><p>hello</p>`, "https://www.example.com/early"},
		{"script in head does not end it", article, head(`<script>var s = "<link rel='canonical' href='https://evil.example/'>";</script><link rel="canonical" href="https://www.example.com/real">`), "https://www.example.com/real"},
		{"empty href ignored", article, head(`<link rel="canonical" href="">`), "https://www.example.com/news/2026/06/story"},
		{"not HTML at all", article, "%PDF-1.7 binary", "https://www.example.com/news/2026/06/story"},
		{"bad page URL, absolute canonical", "not a url", head(`<link rel="canonical" href="https://www.example.com/a">`), "https://www.example.com/a"},
		{"bad page URL, relative canonical", "not a url", head(`<link rel="canonical" href="/a">`), ""},
		{"bad page URL, root canonical", "", head(`<link rel="canonical" href="https://www.example.com/">`), ""},
		{"nothing usable", "ftp://example.com/a", head(""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PreferredURL(tt.page, []byte(tt.html)); got != tt.want {
				t.Errorf("PreferredURL(%q, …) = %q, want %q", tt.page, got, tt.want)
			}
		})
	}
}

func TestPreferredURLCustomCanonicalizer(t *testing.T) {
	c := NewCanonicalizer("src")
	got := c.PreferredURL("https://example.com/a?src=x&utm_source=y", nil)
	if want := "https://example.com/a?utm_source=y"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzPreferredURL(f *testing.F) {
	f.Add("https://amp.example.com/a/amp", []byte(`<head><base href="/x/"><link rel="canonical" href="../b?utm_source=1#f"><meta property="og:url" content="/c">`))
	f.Add("https://example.com/", []byte(`<link rel=canonical href=/>`))
	f.Add("", []byte(`<html><head><link rel="canonical" href="//h/p"></head><body>`))
	f.Fuzz(func(t *testing.T, page string, html []byte) {
		got := PreferredURL(page, html)
		if got == "" {
			return
		}
		if again, err := Canonical(got); err != nil || again != got {
			t.Fatalf("PreferredURL(%q, %q) = %q, not canonical: %q, %v", page, html, got, again, err)
		}
	})
}
