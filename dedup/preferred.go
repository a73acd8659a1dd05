package dedup

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PreferredURL returns the canonical form (Canonical) of the URL that a
// page states for itself, or of pageURL when it states none that can be
// trusted; "" when neither is usable. See Canonicalizer.PreferredURL.
func PreferredURL(pageURL string, page []byte) string {
	return defaultCanonicalizer.PreferredURL(pageURL, page)
}

// PreferredURL returns the canonical form of the URL that a page states for
// itself in its head: its <link rel="canonical">, else its og:url meta tag,
// resolved against the page's <base> and pageURL. The stated URL may be on
// another site: syndication partners point to the origin. It is ignored
// when it is not http(s), does not parse, or points to a site's root while
// the page is not a root; several different canonical links are ignored as
// ambiguous. Without a usable stated URL, PreferredURL returns the canonical
// form of pageURL, and "" when that is not a usable URL either.
func (c *Canonicalizer) PreferredURL(pageURL string, page []byte) string {
	self, selfErr := c.Canonical(pageURL)
	canon, og, base := headLinks(page)
	baseURL, _ := url.Parse(strings.TrimSpace(pageURL))
	if baseURL != nil && base != "" {
		if b, err := baseURL.Parse(base); err == nil {
			baseURL = b
		}
	}
	for _, stated := range []string{canon, og} {
		if stated == "" {
			continue
		}
		u, err := url.Parse(stated)
		if err != nil {
			continue
		}
		if baseURL != nil {
			u = baseURL.ResolveReference(u)
		}
		got, err := c.Canonical(u.String())
		if err != nil {
			continue
		}
		if isRoot(got) && (selfErr != nil || !isRoot(self)) {
			continue // a site's home page stated by one of its articles: a CMS default
		}
		return got
	}
	if selfErr != nil {
		return ""
	}
	return self
}

// isRoot reports whether the canonical URL u is a site's root.
func isRoot(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/" && p.RawQuery == ""
}

// headLinks returns the href of the page's canonical link ("" when there is
// none or several that differ), its og:url and its base href, read from the
// head only: a canonical link in the body is not the page's.
func headLinks(page []byte) (canon, og, base string) {
	z := html.NewTokenizer(bytes.NewReader(page))
	ambiguous := false
scan:
	for {
		switch z.Next() {
		case html.ErrorToken:
			break scan
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				break scan
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if !inHead[a] {
				break scan // the body has begun
			}
			if !hasAttr || (a != atom.Link && a != atom.Meta && a != atom.Base) {
				continue
			}
			attrs := map[string]string{}
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				if _, seen := attrs[string(k)]; !seen {
					attrs[string(k)] = strings.TrimSpace(string(v))
				}
			}
			switch href := attrs["href"]; {
			case a == atom.Link && hasToken(attrs["rel"], "canonical") && href != "":
				if canon != "" && canon != href {
					ambiguous = true
				}
				canon = href
			case a == atom.Meta && og == "" && (strings.EqualFold(attrs["property"], "og:url") || strings.EqualFold(attrs["name"], "og:url")):
				og = attrs["content"]
			case a == atom.Base && base == "":
				base = href
			}
		}
	}
	if ambiguous {
		canon = ""
	}
	return canon, og, base
}

// inHead are the elements that may open a document before its body.
var inHead = map[atom.Atom]bool{
	atom.Html: true, atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
	atom.Base: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
}

// hasToken reports whether the space-separated list s holds tok, ignoring case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
