// Package dedup recognises the same article under different URLs and the
// same text under different furniture: URL canonicalisation, content
// hashes, near-duplicate fingerprints and the stories that group them.
package dedup

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// DefaultTrackingParams are query parameters that identify a campaign or a
// click, never a page. Keys ending in "*" match as prefixes.
var DefaultTrackingParams = []string{
	"utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
	"mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "igshid", "ref_src", "ref_url",
	"cmpid", "s_cid", "oly_enc_id", "oly_anon_id", "vero_id", "__s", "_ga", "_gl", "ncid", "sr_share",
	"ref", "cmp", "smid", "referringsource", "mbid", "ocid", "icid", "xtor",
	"guccounter", "guce_referrer", "guce_referrer_sig",
}

// Canonicalizer turns URLs into one canonical form.
type Canonicalizer struct {
	exact  map[string]bool
	prefix []string
}

// NewCanonicalizer returns a Canonicalizer that drops the given tracking
// parameters (DefaultTrackingParams when none are given).
func NewCanonicalizer(tracking ...string) *Canonicalizer {
	if len(tracking) == 0 {
		tracking = DefaultTrackingParams
	}
	c := &Canonicalizer{exact: map[string]bool{}}
	for _, t := range tracking {
		t = strings.ToLower(strings.TrimSpace(t))
		if p, ok := strings.CutSuffix(t, "*"); ok {
			c.prefix = append(c.prefix, p)
		} else if t != "" {
			c.exact[t] = true
		}
	}
	return c
}

var defaultCanonicalizer = NewCanonicalizer()

// ErrBadURL is wrapped by Canonical for a URL that cannot identify an article.
var ErrBadURL = errors.New("not an absolute http(s) URL")

// Canonical returns raw in canonical form with the default tracking list.
func Canonical(raw string) (string, error) { return defaultCanonicalizer.Canonical(raw) }

// Canonical returns raw in canonical form: lower-case scheme and host, no
// default port, no fragment, no userinfo, no tracking parameters, the other
// query parameters sorted, dot segments and repeated slashes resolved, and
// the variants of one page folded into one:
//
//   - a trailing slash and a last segment index.html, index.htm or
//     index.php: /a/ ≡ /a/index.html ≡ /a (the root stays /);
//   - AMP versions: an "amp" path segment (/amp/a, /a/amp), a .amp or
//     .amp.html suffix (/a.amp, /a.amp.html ≡ /a.html), the query
//     parameters amp (empty, 1 or true) and outputType=amp, and an amp.
//     host (amp.example.com ≡ www.example.com, amp.news.example.com ≡
//     news.example.com; amp.dev, a registrable domain, stays).
//
// Canonical is idempotent. The path keeps its case: servers differ on it.
func (c *Canonicalizer) Canonical(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("dedup: canonical %q: %w", raw, ErrBadURL)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("dedup: canonical %q: %w", raw, ErrBadURL)
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("dedup: canonical %q: %w", raw, ErrBadURL)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	u.Host = foldAMPHost(host)
	if port != "" {
		u.Host += ":" + port
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Path = foldPath(u.Path)
	u.RawPath = ""
	u.RawQuery = c.query(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// query drops tracking parameters, malformed pairs and empty keys and sorts the rest, keeping
// the order of repeated values of one key.
func (c *Canonicalizer) query(raw string) string {
	if raw == "" {
		return ""
	}
	// Pairs that do not parse (a stray "%") are dropped: they cannot be
	// written back in one stable form.
	vals, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		if k == "" || c.tracking(k) {
			continue
		}
		if vals[k] = ampFree(k, vals[k]); len(vals[k]) == 0 {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range vals[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

func (c *Canonicalizer) tracking(key string) bool {
	k := strings.ToLower(key)
	if c.exact[k] {
		return true
	}
	for _, p := range c.prefix {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// foldPath resolves dot segments and repeated slashes and folds index
// files, AMP segments and suffixes, and the trailing slash, until nothing
// changes (folding one can uncover another: /a/index.html/amp).
func foldPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	for {
		q := path.Clean(p) // also drops the trailing slash
		dir, last := path.Split(q)
		switch low := strings.ToLower(last); {
		case last == "amp" || low == "index.html" || low == "index.htm" || low == "index.php":
			q = dir
		case strings.HasSuffix(last, ".amp.html"):
			q = dir + strings.TrimSuffix(last, ".amp.html") + ".html"
		case strings.HasSuffix(last, ".amp") && last != ".amp":
			q = dir + strings.TrimSuffix(last, ".amp")
		}
		q = strings.ReplaceAll(q+"/", "/amp/", "/") // an amp segment elsewhere
		q = path.Clean(q)
		if q == p {
			return q
		}
		p = q
	}
}

// ampFree drops the values of a query parameter that only select a page's
// AMP version.
func ampFree(key string, vals []string) []string {
	k := strings.ToLower(key)
	if k != "amp" && k != "outputtype" {
		return vals
	}
	kept := vals[:0:0]
	for _, v := range vals {
		switch lv := strings.ToLower(v); {
		case k == "amp" && (lv == "" || lv == "1" || lv == "true"):
		case k == "outputtype" && lv == "amp":
		default:
			kept = append(kept, v)
		}
	}
	return kept
}

// foldAMPHost maps amp.example.com to www.example.com and
// amp.news.example.com to news.example.com; a registrable domain such as
// amp.dev stays.
func foldAMPHost(host string) string {
	for strings.HasPrefix(host, "amp.") && net.ParseIP(host) == nil {
		site, err := publicsuffix.EffectiveTLDPlusOne(host)
		rest := strings.TrimPrefix(host, "amp.")
		if err != nil || site == host || net.ParseIP(rest) != nil {
			return host
		}
		host = rest
		if host == site {
			host = "www." + host
		}
	}
	return host
}
