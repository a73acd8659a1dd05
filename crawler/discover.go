package crawler

import (
	"net/url"
)

// readSitemaps reads the site's sitemaps (the robots.txt Sitemap lines on
// allowed hosts, and /sitemap.xml of the seed's origin), following sitemap
// indexes, up to MaxSitemaps files, each fetched conditionally; their
// article URLs go to the frontier at depth 1 with their news title and
// publication date. A missing or broken sitemap is not an error.
func (r *run) readSitemaps(robots *robotsEntry) {
	seed := r.rules.seed
	var queue []string
	seen := map[string]bool{}
	push := func(raw string) {
		u, ok := resolve(seed, raw)
		if !ok || !r.rules.allowed(u.Hostname()) || seen[u.String()] {
			return
		}
		seen[u.String()] = true
		queue = append(queue, u.String())
	}
	if robots.data != nil {
		for _, s := range robots.data.Sitemaps {
			push(s)
		}
	}
	push(seed.Scheme + "://" + seed.Host + "/sitemap.xml")

	fetched, taken := 0, 0
	for len(queue) > 0 && fetched < r.c.opts.MaxSitemaps && !r.stopped() && r.timeLeft() {
		u := queue[0]
		queue = queue[1:]
		fetched++
		it := &item{kind: kindSitemap, link: Link{URL: u}, hdr: r.conditional(u)}
		it.hdr.Set("Accept", "application/xml, text/xml;q=0.9, text/plain;q=0.5, */*;q=0.1")
		err := r.fetchItem(it)
		if err != nil || it.status < 200 || it.status > 299 {
			if it.status != 304 && it.status != 404 {
				r.log.Debug("sitemap not read", "url", redact(u), "status", it.status, "error", errString(err))
			}
			continue
		}
		sm, err := ParseSitemap(it.body)
		if err != nil {
			r.log.Debug("not a sitemap", "url", redact(u))
			continue
		}
		r.count(func(res *Result) { res.Sitemaps++ })
		for _, child := range sm.Sitemaps {
			push(child)
		}
		var links []Link
		complete := true
		for _, e := range sm.URLs {
			if taken >= r.c.opts.MaxSitemapURLs {
				complete = false
				break
			}
			pu, ok := resolve(nil, e.Loc)
			if !ok || !r.rules.allowed(pu.Hostname()) {
				continue
			}
			s := pu.String()
			if !r.rules.article(s) {
				continue
			}
			key, err := r.c.canon.Canonical(s)
			if err != nil || !r.markSeen(key) {
				continue
			}
			taken++
			links = append(links, Link{Key: key, URL: s, Depth: 1, Title: e.NewsTitle, Published: e.NewsPublished})
		}
		r.count(func(res *Result) { res.SitemapURLs += len(links) })
		for len(links) > 0 {
			n := min(len(links), 500)
			if err := r.addArticles(links[:n]); err != nil {
				r.setFatal(err)
				return
			}
			links = links[n:]
		}
		// Validators last: a 304 next time must not hide URLs that did
		// not make it into the frontier. A sitemap index is read every
		// run: its children (a news sitemap) change when it does not.
		if complete && len(sm.Sitemaps) == 0 {
			if err := r.saveValidators(it); err != nil {
				r.setFatal(err)
				return
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}
