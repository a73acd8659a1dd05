package crawler

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/dedup"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// sessionParams are query parameters that carry a session, not a page:
// the same page under a new session ID is not a new page.
var sessionParams = []string{
	"jsessionid", "phpsessid", "sessionid", "session_id", "session", "sid", "sessid",
	"aspsessionid*", "cfid", "cftoken", "zenid", "oscsid", "s_sid",
}

// newCanonicalizer is the canonicalizer of visited-set keys: the archive's
// rules (tracking parameters dropped, query sorted, index pages and AMP
// variants folded) plus session parameters.
func newCanonicalizer() *dedup.Canonicalizer {
	return dedup.NewCanonicalizer(append(append([]string(nil), dedup.DefaultTrackingParams...), sessionParams...)...)
}

// rules are a site source's crawl rules, compiled.
type rules struct {
	seed     *url.URL
	follow   []*regexp.Regexp
	domains  []string // allowed hosts; their subdomains are allowed too
	maxDepth int
	maxPages int
}

func newRules(src frontierwatch.Source) (*rules, error) {
	seed, err := url.Parse(src.URL)
	if err != nil || (seed.Scheme != "http" && seed.Scheme != "https") || seed.Host == "" {
		return nil, fmt.Errorf("crawler: source %q: seed %q is not an absolute http(s) URL", src.Name, redact(src.URL))
	}
	r := &rules{seed: seed, maxDepth: src.MaxDepth, maxPages: src.MaxPages}
	if r.maxDepth <= 0 {
		r.maxDepth = 1
	}
	if r.maxPages <= 0 {
		r.maxPages = 50
	}
	for _, f := range src.Follow {
		re, err := regexp.Compile(f)
		if err != nil {
			return nil, fmt.Errorf("crawler: source %q: follow %q: %w", src.Name, f, err)
		}
		r.follow = append(r.follow, re)
	}
	if len(r.follow) == 0 {
		return nil, fmt.Errorf("crawler: source %q: no follow patterns: nothing would be an article", src.Name)
	}
	for _, d := range src.AllowedDomains {
		if d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")); d != "" {
			r.domains = append(r.domains, d)
		}
	}
	if len(r.domains) == 0 {
		r.domains = []string{strings.ToLower(seed.Hostname())}
	}
	return r, nil
}

// allowed reports whether host (no port) is an allowed domain or below one.
func (r *rules) allowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range r.domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// article reports whether u is an article URL: one a follow pattern matches.
func (r *rules) article(u string) bool {
	for _, re := range r.follow {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

// resolve turns an href found on a page at base into the URL to fetch: absolute,
// http(s), without fragment and without session IDs. ok is false for
// anything else (mailto:, javascript:, unparsable).
func resolve(base *url.URL, href string) (u *url.URL, ok bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || len(href) > 2048 {
		return nil, false
	}
	ref, err := url.Parse(href)
	if err != nil {
		return nil, false
	}
	if base != nil {
		ref = base.ResolveReference(ref)
	}
	if (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" {
		return nil, false
	}
	return stripSession(ref), true
}

// stripSession drops the fragment, path parameters like ;jsessionid=… and
// session query parameters.
func stripSession(u *url.URL) *url.URL {
	out := *u
	out.Fragment, out.RawFragment = "", ""
	if strings.Contains(out.Path, ";") {
		segs := strings.Split(out.Path, "/")
		for i, s := range segs {
			if j := strings.IndexByte(s, ';'); j >= 0 && isSessionParam(s[j+1:]) {
				segs[i] = s[:j]
			}
		}
		out.Path = strings.Join(segs, "/")
		out.RawPath = ""
	}
	if out.RawQuery != "" {
		parts := strings.Split(out.RawQuery, "&")
		kept := parts[:0]
		for _, p := range parts {
			if p != "" && !isSessionParam(p) {
				kept = append(kept, p)
			}
		}
		out.RawQuery = strings.Join(kept, "&")
	}
	return &out
}

// isSessionParam reports whether "name=value" (or a bare name) names a
// session parameter.
func isSessionParam(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	for _, p := range sessionParams {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}

// redact removes userinfo from a URL for errors and logs.
func redact(raw string) string { return fetch.RedactURL(raw) }
