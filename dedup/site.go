package dedup

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Site returns the registrable domain of a URL, the unit in which a story
// counts its sources: "www.bbc.co.uk" and "news.bbc.co.uk" are "bbc.co.uk",
// "user.github.io" stays itself (the public suffix list has github.io). An
// IP address, localhost, or a host that is itself a public suffix is its
// own site. rawURL may lack a scheme ("example.com/a"). Site returns "" when
// rawURL has no host.
func Site(rawURL string) string {
	raw := strings.TrimSpace(rawURL)
	u, err := url.Parse(raw)
	if err == nil && u.Host == "" && u.Scheme == "" && !strings.HasPrefix(raw, "/") {
		u, err = url.Parse("//" + raw)
	}
	if err != nil {
		return ""
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" || net.ParseIP(host) != nil {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return site
}
