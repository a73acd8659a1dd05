package crawler

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageLinks is what a page says about its links.
type pageLinks struct {
	hrefs    []string // href of <a> and <area>, in page order, rel=nofollow left out
	base     string   // <base href>, when set
	noindex  bool     // <meta name="robots" content="noindex">: not to be archived
	nofollow bool     // <meta name="robots" content="nofollow">: links not to be followed
}

// scanLinks reads the links of an HTML page with the tokenizer (no tree is
// built), at most limit of them.
func scanLinks(body []byte, limit int) pageLinks {
	var pl pageLinks
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return pl
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		switch atom.Lookup(name) {
		case atom.A, atom.Area:
			if len(pl.hrefs) >= limit {
				continue
			}
			href, rel := attrs2(z, "href", "rel")
			if href != "" && !hasToken(rel, "nofollow") {
				pl.hrefs = append(pl.hrefs, href)
			}
		case atom.Base:
			if pl.base == "" {
				pl.base, _ = attrs2(z, "href", "")
			}
		case atom.Meta:
			name, content := attrs2(z, "name", "content")
			if strings.EqualFold(name, "robots") {
				pl.noindex = pl.noindex || hasToken(content, "noindex") || hasToken(content, "none")
				pl.nofollow = pl.nofollow || hasToken(content, "nofollow") || hasToken(content, "none")
			}
		}
	}
}

// attrs2 returns the values of two attributes of the current tag.
func attrs2(z *html.Tokenizer, a, b string) (va, vb string) {
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case a:
			va = string(v)
		case b:
			vb = string(v)
		}
		if !more {
			return va, vb
		}
	}
}

// hasToken reports whether the comma- or space-separated list has tok.
func hasToken(list, tok string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
