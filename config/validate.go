package config

import (
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/frontierwatch/frontierwatch"
)

// FieldError is one invalid key.
type FieldError struct {
	Path string // key path, e.g. sources[0].schedule
	Msg  string
}

func (e *FieldError) Error() string { return "config: " + e.Path + ": " + e.Msg }

func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	metricRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

var builtinMetrics = []string{
	"task_horizon", "doubling_time", "share_of_code_by_ai", "productivity_multiplier",
	"rnd_speedup", "task_success_rate", "benchmark_score",
}

// BuiltinMetrics returns the names of the metrics frontierwatch knows
// without configuration.
func BuiltinMetrics() []string { return slices.Clone(builtinMetrics) }

// ParseSchedule parses a robfig/cron schedule: five fields, a descriptor
// such as @hourly, or "@every 30m". Unlike cron.ParseStandard it never
// panics (v3.0.1 does on some inputs, such as "TZ=UTC" alone).
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("invalid schedule %q", spec)
		}
	}()
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("empty schedule")
	}
	if d, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		// robfig turns a zero or negative interval into one second.
		if dur, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && dur <= 0 {
			return nil, fmt.Errorf("@every needs a positive interval")
		}
	}
	return cron.ParseStandard(spec)
}

// ParseSince parses alerts.since: RFC 3339, or YYYY-MM-DD (midnight UTC).
// The empty string gives the zero time.
func ParseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q (want RFC 3339 like 2026-01-02T15:04:05Z, or YYYY-MM-DD)", s)
}

// Validate checks the whole config and returns every problem found, joined,
// each naming its key path.
func (c *Config) Validate() error {
	v := &validator{}
	v.database(c.Database)
	v.http(c.HTTP)
	v.schedule("defaults.schedule", c.Defaults.Schedule)
	v.oneOf("defaults.full_text", c.Defaults.FullText, fullTextModes...)
	if c.Defaults.FullTextMinWords < 0 {
		v.add("defaults.full_text_min_words", "must not be negative")
	}
	if c.Archive.SearchRankWindow < -1 {
		v.add("archive.search_rank_window", "must be a number of matches, or -1 to rank every match at once")
	}
	v.poll(c.Poll)
	v.sources(c.Sources, c.Defaults)
	v.topics(c.Topics)
	metrics := v.metrics(c.Metrics)
	v.alerts(c.Alerts, metrics)
	v.server(c.Server)
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
	return joinErrors(v.errs)
}

var fullTextModes = []string{frontierwatch.FullTextAuto, frontierwatch.FullTextAlways, frontierwatch.FullTextNever}

type validator struct{ errs []error }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, fieldErr(path, format, args...))
}

func (v *validator) oneOf(path, val string, allowed ...string) {
	if !slices.Contains(allowed, val) {
		v.add(path, "%q is not one of %s", val, strings.Join(allowed, ", "))
	}
}

func (v *validator) schedule(path, spec string) {
	if _, err := ParseSchedule(spec); err != nil {
		v.add(path, "invalid cron schedule %q: %v", spec, err)
	}
}

func (v *validator) positive(path string, d Duration) {
	if d <= 0 {
		v.add(path, "must be a positive duration")
	}
}

// httpURL checks an absolute http or https URL. reveal says whether the URL
// may appear in the message (not for secrets).
func (v *validator) httpURL(path, raw string, reveal bool) {
	if raw == "" {
		v.add(path, "is required")
		return
	}
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return
	}
	if reveal {
		v.add(path, "%q is not an absolute http:// or https:// URL", raw)
	} else {
		v.add(path, "is not an absolute http:// or https:// URL")
	}
}

func (v *validator) database(d Database) {
	scheme, rest, ok := strings.Cut(d.URL, "://")
	switch {
	case !ok:
		v.add("database.url", "%q is not a URL: want sqlite://PATH or postgres://…", maskDSN(d.URL))
	case scheme == "sqlite":
		if p, _, _ := strings.Cut(rest, "?"); p == "" {
			v.add("database.url", "sqlite:// needs a file path, like sqlite://./data/frontierwatch.db")
		}
	case scheme == "postgres" || scheme == "postgresql":
		if _, err := url.Parse(d.URL); err != nil {
			v.add("database.url", "invalid PostgreSQL URL %q", maskDSN(d.URL))
		}
	default:
		v.add("database.url", "unsupported scheme %q: want sqlite, postgres or postgresql", scheme)
	}
}

func (v *validator) http(h HTTP) {
	if strings.ContainsAny(h.UserAgent, "\r\n\x00") {
		v.add("http.user_agent", "must be one line")
	}
	v.positive("http.timeout", h.Timeout)
	v.positive("http.connect_timeout", h.ConnectTimeout)
	v.positive("http.header_timeout", h.HeaderTimeout)
	if h.MaxBody <= 0 {
		v.add("http.max_body", "must be greater than 0")
	}
	if h.MaxRedirects < 0 || h.MaxRedirects > 30 {
		v.add("http.max_redirects", "must be between 0 and 30")
	}
}

func (v *validator) poll(p Poll) {
	if p.Concurrency < 1 || p.Concurrency > 256 {
		v.add("poll.concurrency", "must be between 1 and 256, not %d", p.Concurrency)
	}
	v.positive("poll.base_backoff", p.BaseBackoff)
	v.positive("poll.max_backoff", p.MaxBackoff)
	v.positive("poll.shutdown_timeout", p.ShutdownTimeout)
	if p.BaseBackoff > p.MaxBackoff {
		v.add("poll.base_backoff", "must not exceed poll.max_backoff")
	}
}

func (v *validator) sources(srcs []SourceConfig, defaults Defaults) {
	names := map[string]int{}
	for i, s := range srcs {
		p := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			v.add(p+".name", "is required")
		case len(s.Name) > 64 || !nameRE.MatchString(s.Name):
			v.add(p+".name", "%q must match %s (lower case, at most 64 characters)", s.Name, nameRE)
		}
		if j, dup := names[s.Name]; dup && s.Name != "" {
			v.add(p+".name", "%q is already the name of sources[%d]", s.Name, j)
		} else {
			names[s.Name] = i
		}
		v.oneOf(p+".kind", s.Kind, string(frontierwatch.KindFeed), string(frontierwatch.KindSite))
		v.httpURL(p+".url", s.URL, true)
		// An empty value, or one copied from defaults, is checked there.
		if s.Schedule != "" && s.Schedule != defaults.Schedule {
			v.schedule(p+".schedule", s.Schedule)
		}
		if s.FullText != "" && s.FullText != defaults.FullText {
			v.oneOf(p+".full_text", s.FullText, fullTextModes...)
		}
		if s.Delay < 0 {
			v.add(p+".delay", "must not be negative")
		}
		if s.Kind == string(frontierwatch.KindSite) {
			v.siteRules(p, s)
		} else if s.Kind == string(frontierwatch.KindFeed) {
			for _, r := range []struct {
				key string
				set bool
			}{
				{"follow", len(s.Follow) > 0}, {"allowed_domains", len(s.AllowedDomains) > 0}, {"seeds", len(s.Seeds) > 0},
				{"max_depth", s.MaxDepth != 0}, {"max_pages", s.MaxPages != 0},
			} {
				if r.set {
					v.add(p+"."+r.key, "applies only to sources of kind site")
				}
			}
		}
	}
}

func (v *validator) siteRules(p string, s SourceConfig) {
	if len(s.Follow) == 0 {
		v.add(p+".follow", "a site needs at least one regexp of article URLs to follow")
	}
	for j, re := range s.Follow {
		if _, err := regexp.Compile(re); err != nil {
			v.add(fmt.Sprintf("%s.follow[%d]", p, j), "invalid regexp: %v", err)
		}
	}
	for j, seed := range s.Seeds {
		if u, err := url.Parse(seed); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(fmt.Sprintf("%s.seeds[%d]", p, j), "%q is not an absolute http or https URL", seed)
		}
	}
	for j, d := range s.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "/:@ ") {
			v.add(fmt.Sprintf("%s.allowed_domains[%d]", p, j), "%q is not a host name", d)
		}
	}
	if s.MaxDepth < 0 {
		v.add(p+".max_depth", "must not be negative")
	}
	if s.MaxPages < 0 {
		v.add(p+".max_pages", "must not be negative")
	}
}

func (v *validator) topics(topics []Topic) {
	names := map[string]bool{}
	for i, t := range topics {
		p := fmt.Sprintf("topics[%d]", i)
		if !nameRE.MatchString(t.Name) {
			v.add(p+".name", "%q must match %s", t.Name, nameRE)
		} else if names[t.Name] {
			v.add(p+".name", "%q is used by another topic", t.Name)
		}
		names[t.Name] = true
		if len(t.Include) == 0 {
			v.add(p+".include", "a topic needs at least one phrase")
		}
		for j, w := range t.Include {
			q := fmt.Sprintf("%s.include[%d]", p, j)
			if strings.TrimSpace(w.Phrase) == "" {
				v.add(q+".phrase", "is required")
			}
			if w.Weight <= 0 {
				v.add(q+".weight", "must be greater than 0")
			}
		}
		for j, e := range t.Exclude {
			if strings.TrimSpace(e) == "" {
				v.add(fmt.Sprintf("%s.exclude[%d]", p, j), "must not be empty")
			}
		}
		for j, f := range t.Fields {
			v.oneOf(fmt.Sprintf("%s.fields[%d]", p, j), f, "title", "summary", "text", "url")
		}
		if t.MinScore < 0 {
			v.add(p+".min_score", "must not be negative")
		}
	}
}

// metrics checks the configured metrics and returns every known metric.
func (v *validator) metrics(ms []Metric) map[string]bool {
	known := map[string]bool{}
	for _, m := range builtinMetrics {
		known[m] = true
	}
	for i, m := range ms {
		p := fmt.Sprintf("metrics[%d]", i)
		switch {
		case !metricRE.MatchString(m.Name):
			v.add(p+".name", "%q must match %s", m.Name, metricRE)
		case slices.Contains(builtinMetrics, m.Name):
			v.add(p+".name", "%q is a built-in metric", m.Name)
		case known[m.Name]:
			v.add(p+".name", "%q is configured twice", m.Name)
		}
		known[m.Name] = true
		if strings.TrimSpace(m.Unit) == "" {
			v.add(p+".unit", "is required")
		}
		v.oneOf(p+".direction", m.Direction, "higher", "lower")
		if len(m.Cues) == 0 {
			v.add(p+".cues", "a metric needs at least one cue")
		}
		for j, cue := range m.Cues {
			if strings.TrimSpace(cue) == "" {
				v.add(fmt.Sprintf("%s.cues[%d]", p, j), "must not be empty")
			}
		}
	}
	return known
}

func (v *validator) alerts(a Alerts, metrics map[string]bool) {
	if _, err := ParseSince(a.Since); err != nil {
		v.add("alerts.since", "%v", err)
	}
	if a.MinSources < 1 {
		v.add("alerts.min_sources", "must be at least 1")
	}
	for i, t := range a.Thresholds {
		p := fmt.Sprintf("alerts.thresholds[%d]", i)
		if !metrics[t.Metric] {
			v.add(p+".metric", "unknown metric %q: want a built-in metric (%s) or one under metrics", t.Metric, strings.Join(builtinMetrics, ", "))
		}
		if t.AtLeast == nil && t.AtMost == nil {
			v.add(p, "needs at_least or at_most")
		}
	}
	for i, s := range a.Silences {
		p := fmt.Sprintf("alerts.silences[%d]", i)
		if s.Until == "" {
			v.add(p+".until", "is required: a silence ends at a time (RFC 3339 or YYYY-MM-DD)")
		} else if _, err := ParseSince(s.Until); err != nil {
			v.add(p+".until", "%v", err)
		}
		if s.Metric != "" && !metrics[s.Metric] {
			v.add(p+".metric", "unknown metric %q", s.Metric)
		}
	}
	names := map[string]bool{}
	for i, ch := range a.Channels {
		p := fmt.Sprintf("alerts.channels[%d]", i)
		if !nameRE.MatchString(ch.Name) {
			v.add(p+".name", "%q must match %s", ch.Name, nameRE)
		} else if names[ch.Name] {
			v.add(p+".name", "%q is used by another channel", ch.Name)
		}
		names[ch.Name] = true
		v.channel(p, ch, metrics)
	}
}

func (v *validator) channel(p string, ch Channel, metrics map[string]bool) {
	switch ch.Type {
	case "webhook", "slack", "discord":
		v.httpURL(p+".url", ch.URL.Reveal(), false)
		if ch.SMTP != nil || len(ch.To) > 0 || ch.From != "" {
			v.add(p, "to, from and smtp apply only to email channels")
		}
	case "email":
		if len(ch.To) == 0 {
			v.add(p+".to", "an email channel needs at least one recipient")
		}
		for j, addr := range ch.To {
			if !strings.Contains(addr, "@") {
				v.add(fmt.Sprintf("%s.to[%d]", p, j), "%q is not an email address", addr)
			}
		}
		if ch.From != "" && !strings.Contains(ch.From, "@") {
			v.add(p+".from", "%q is not an email address", ch.From)
		}
		if ch.URL != "" || ch.URLEnv != "" || ch.URLFile != "" {
			v.add(p+".url", "applies only to webhook, slack and discord channels")
		}
		v.smtp(p+".smtp", ch.SMTP)
	default:
		v.add(p+".type", "%q is not one of webhook, slack, discord, email", ch.Type)
	}
	if (ch.SecretEnv != "" || ch.SecretFile != "") && ch.Type != "webhook" {
		v.add(p+".secret_env", "a signing secret applies only to webhook channels")
	}
	if len(ch.Headers) > 0 && ch.Type != "webhook" {
		v.add(p+".headers", "headers apply only to webhook channels")
	}
	for k, val := range ch.Headers {
		switch {
		case k == "" || strings.ContainsAny(k, " :\r\n"):
			v.add(p+".headers", "%q is not a header name", k)
		case slices.Contains(reservedHeaders, http.CanonicalHeaderKey(k)):
			v.add(p+".headers", "%q is set by frontierwatch and cannot be overridden", k)
		}
		if strings.ContainsAny(val.Reveal(), "\r\n\x00") {
			v.add(p+".headers", "the value of %q must be one line", k) // never the value itself
		}
	}
	v.positive(p+".timeout", ch.Timeout)
	v.positive(p+".max_age", ch.MaxAge)
	v.templates(p, ch)
	for j, m := range ch.Metrics {
		if !metrics[m] {
			v.add(fmt.Sprintf("%s.metrics[%d]", p, j), "unknown metric %q", m)
		}
	}
	for j, k := range ch.Kinds {
		v.oneOf(fmt.Sprintf("%s.kinds[%d]", p, j), k,
			string(frontierwatch.MilestoneRecord), string(frontierwatch.MilestoneThreshold), string(frontierwatch.MilestoneFirst))
	}
	if ch.Digest != "" {
		v.schedule(p+".digest", ch.Digest)
	}
	if ch.MinSources < 0 {
		v.add(p+".min_sources", "must not be negative")
	}
}

// reservedHeaders are the webhook headers that alerts.channels[].headers
// may not set.
var reservedHeaders = []string{
	"Content-Type", "Content-Length", "Host", "Idempotency-Key", "User-Agent",
	"X-Frontierwatch-Signature", "X-Frontierwatch-Delivery", "X-Frontierwatch-Test",
}

// templates checks a channel's subject and body templates: which channel
// types take them, and that they parse. Errors name the file.
func (v *validator) templates(p string, ch Channel) {
	if ch.Subject != "" {
		if ch.Type != "email" {
			v.add(p+".subject", "applies only to email channels")
		} else if _, err := texttemplate.New("subject").Parse(ch.Subject); err != nil {
			v.add(p+".subject", "invalid template: %v", err)
		}
	}
	if ch.TemplateTextFile != "" || ch.TemplateText != "" {
		key, name := p+".template_text_file", templateName(ch.TemplateTextFile, "template_text")
		if ch.Type == "webhook" {
			v.add(key, "applies only to email, slack and discord channels (a webhook's body is fixed JSON)")
		} else if _, err := texttemplate.New(name).Parse(ch.TemplateText); err != nil {
			v.add(key, "invalid template: %v", err)
		}
	}
	if ch.TemplateHTMLFile != "" || ch.TemplateHTML != "" {
		key, name := p+".template_html_file", templateName(ch.TemplateHTMLFile, "template_html")
		if ch.Type != "email" {
			v.add(key, "applies only to email channels")
		} else if _, err := htmltemplate.New(name).Parse(ch.TemplateHTML); err != nil {
			v.add(key, "invalid template: %v", err)
		}
	}
}

// templateName is the name a template is parsed under: its file, or key
// when it was set in code.
func templateName(file, key string) string {
	if file != "" {
		return file
	}
	return key
}

func (v *validator) smtp(p string, m *SMTP) {
	if m == nil || m.Host == "" {
		v.add(p+".host", "an email channel needs an SMTP host")
		return
	}
	if m.Port < 1 || m.Port > 65535 {
		v.add(p+".port", "must be between 1 and 65535")
	}
	v.oneOf(p+".tls", m.TLS, "starttls", "tls", "none")
}

func (v *validator) server(s Server) {
	if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		v.add("server.listen", "%q is not host:port", s.Listen)
	}
	if s.ReadTokenRequired && s.Token.Reveal() == "" {
		v.add("server.read_token_required", "needs a token: set server.token_env or server.token_file")
	}
	if s.RateLimit.Rate < 0 {
		v.add("server.rate_limit.rate", "must not be negative")
	}
	if s.RateLimit.Burst < 0 {
		v.add("server.rate_limit.burst", "must not be negative")
	}
}
