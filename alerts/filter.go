package alerts

import (
	"slices"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

// Filter says which alerts a channel takes.
type Filter struct {
	Metrics []string                      // only these metrics; empty means all
	Kinds   []frontierwatch.MilestoneKind // only these kinds; empty means all
	// MinSources is how many distinct sites must report a milestone
	// (Alert.SourceCount) before the channel hears of it; 0 means 1.
	MinSources int
}

// NewFilter returns the filter of a configured channel. minSources is
// alerts.min_sources, which applies when the channel's own is 0.
func NewFilter(ch config.Channel, minSources int) Filter {
	f := Filter{Metrics: slices.Clone(ch.Metrics), MinSources: ch.MinSources}
	if f.MinSources == 0 {
		f.MinSources = minSources
	}
	for _, k := range ch.Kinds {
		f.Kinds = append(f.Kinds, frontierwatch.MilestoneKind(k))
	}
	return f
}

// Accepts reports whether the channel takes a: its metric and kind are
// wanted and enough sites report it.
func (f Filter) Accepts(a Alert) bool {
	if len(f.Metrics) > 0 && !slices.Contains(f.Metrics, a.Milestone.Metric) {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, a.Milestone.Kind) {
		return false
	}
	return a.SourceCount() >= max(f.MinSources, 1)
}

// Silence mutes the alerts that match it until a time. An empty field
// matches anything; every non-empty field must match.
type Silence struct {
	Metric string // the milestone's metric, exactly
	// Subject is the milestone's subject (the figure's when the milestone
	// has none), case-insensitive.
	Subject string
	// Source is a source name (as in the config's sources) or a site
	// ("example.org", which also covers its subdomains). It matches when
	// every report of the milestone comes from it: a milestone that other
	// sites report too is not muted by silencing one of them.
	Source string
	Until  time.Time // muted while now is before it; zero never mutes
	Reason string    // for people
}

// SilencesFromConfig converts alerts.silences; an invalid until (which
// config validation rejects) gives a silence that never mutes.
func SilencesFromConfig(cs []config.Silence) []Silence {
	out := make([]Silence, 0, len(cs))
	for _, c := range cs {
		out = append(out, Silence{
			Metric: c.Metric, Subject: c.Subject, Source: c.Source,
			Until: c.UntilTime(), Reason: c.Reason,
		})
	}
	return out
}

// Active reports whether s mutes anything at now.
func (s Silence) Active(now time.Time) bool { return now.Before(s.Until) }

// Matches reports whether s covers a, whatever the time.
func (s Silence) Matches(a Alert) bool {
	if s.Metric != "" && s.Metric != a.Milestone.Metric {
		return false
	}
	if s.Subject != "" {
		subj := a.Milestone.Subject
		if subj == "" {
			subj = a.Figure.Subject
		}
		if !strings.EqualFold(strings.TrimSpace(s.Subject), strings.TrimSpace(subj)) {
			return false
		}
	}
	if s.Source != "" && !sourceOnly(strings.TrimSpace(s.Source), a) {
		return false
	}
	return true
}

// Silenced reports whether an active silence in ss mutes a at now.
func Silenced(ss []Silence, a Alert, now time.Time) bool {
	return slices.ContainsFunc(ss, func(s Silence) bool { return s.Active(now) && s.Matches(a) })
}

// sourceOnly reports whether every known report of a comes from src (a
// source name or a site), and there is at least one. A source name covers
// the site of the article it produced.
func sourceOnly(src string, a Alert) bool {
	matches := func(site string) bool { return siteMatches(src, site) }
	if strings.EqualFold(src, a.Article.Source) {
		byName := []string{a.Article.Site, hostOf(a.Article.URL)}
		matches = func(site string) bool {
			return siteMatches(src, site) || slices.ContainsFunc(byName, func(s string) bool {
				return s != "" && strings.EqualFold(strings.TrimSuffix(s, "."), strings.TrimSuffix(site, "."))
			})
		}
	}
	n := 0
	check := func(site string) bool {
		if site == "" {
			return true
		}
		n++
		return matches(site)
	}
	if a.Article.Source != "" || a.Article.Site != "" || a.Article.URL != "" {
		n++
		if !strings.EqualFold(src, a.Article.Source) && !matches(a.Article.Site) && !matches(hostOf(a.Article.URL)) {
			return false
		}
	}
	for _, s := range a.Sources {
		site := s.Site
		if site == "" {
			site = hostOf(s.URL)
		}
		if !check(site) {
			return false
		}
	}
	for _, site := range a.Milestone.Sources {
		if !check(site) {
			return false
		}
	}
	return n > 0
}

// siteMatches reports whether host is site or one of its subdomains.
func siteMatches(site, host string) bool {
	site = strings.TrimSuffix(strings.ToLower(site), ".")
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if site == "" || host == "" {
		return false
	}
	return host == site || strings.HasSuffix(host, "."+site)
}
