// Package config reads frontierwatch's one YAML config file: it decodes it
// strictly (an unknown key is an error naming the key and its line), applies
// FRONTIERWATCH_* environment overrides, fills in defaults, resolves secrets
// from environment variables and files, and validates everything at once.
// It also carries the embedded default config: SQLite under ./data and a
// curated list of real AI-news feeds and sites.
package config

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the text of the embedded default config file, used
// when no config file is given.
func DefaultYAML() []byte {
	out := make([]byte, len(defaultYAML))
	copy(out, defaultYAML)
	return out
}

// EnvPrefix starts every environment variable that overrides a config key.
const EnvPrefix = "FRONTIERWATCH_"

// Config is the whole configuration of a frontierwatch daemon.
type Config struct {
	Database Database       `yaml:"database"`
	HTTP     HTTP           `yaml:"http"`
	Defaults Defaults       `yaml:"defaults"`
	Poll     Poll           `yaml:"poll"`
	Sources  []SourceConfig `yaml:"sources"`
	Archive  Archive        `yaml:"archive"`
	Dedup    Dedup          `yaml:"dedup"`
	Topics   []Topic        `yaml:"topics"`
	Metrics  []Metric       `yaml:"metrics"`
	Alerts   Alerts         `yaml:"alerts"`
	Server   Server         `yaml:"server"`
	Log      Log            `yaml:"log"`
}

// Database says where the archive lives.
type Database struct {
	// URL is sqlite://PATH (the default, sqlite://./data/frontierwatch.db)
	// or postgres://user@host:5432/db (also postgresql://).
	URL string `yaml:"url"`
}

// HTTP configures the one HTTP client that fetches feeds and pages.
type HTTP struct {
	// UserAgent defaults to frontierwatch/<version> (+<project URL>).
	UserAgent      string   `yaml:"user_agent"`
	Timeout        Duration `yaml:"timeout"`         // whole request, default 30s
	ConnectTimeout Duration `yaml:"connect_timeout"` // dial, default 10s
	HeaderTimeout  Duration `yaml:"header_timeout"`  // until response headers, default 20s
	MaxBody        ByteSize `yaml:"max_body"`        // response body cap, default 10MiB
	MaxRedirects   int      `yaml:"max_redirects"`   // default 5
	// AllowPrivateNetworks lets the client dial loopback, private and
	// link-local addresses; tests and local setups set it.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
}

// Defaults are the values a source gets when it does not say.
type Defaults struct {
	Schedule         string `yaml:"schedule"`            // robfig/cron, default "@every 30m"
	FullText         string `yaml:"full_text"`           // auto | always | never, default auto
	FullTextMinWords int    `yaml:"full_text_min_words"` // "auto" fetches the page below this, default 150
}

// Poll configures the polling workers.
type Poll struct {
	Concurrency     int      `yaml:"concurrency"`      // sources polled at once, 1..256, default 8
	BaseBackoff     Duration `yaml:"base_backoff"`     // first delay after a failure, default 5m
	MaxBackoff      Duration `yaml:"max_backoff"`      // longest delay after failures, default 24h
	ShutdownTimeout Duration `yaml:"shutdown_timeout"` // wait for running work on stop, default 30s
}

// SourceConfig is one source as written in the config file.
type SourceConfig struct {
	Name     string `yaml:"name"`      // unique, ^[a-z0-9][a-z0-9._-]*$
	Kind     string `yaml:"kind"`      // feed | site, default feed
	URL      string `yaml:"url"`       // the feed, or the seed page of a site
	Schedule string `yaml:"schedule"`  // robfig/cron; default: defaults.schedule
	FullText string `yaml:"full_text"` // auto | always | never; default: defaults.full_text
	Enabled  *bool  `yaml:"enabled"`   // default true

	// Crawl rules, for kind site only.
	Follow         []string `yaml:"follow,omitempty"`          // regexps of article URLs to follow
	Seeds          []string `yaml:"seeds,omitempty"`           // more seed pages besides url (section pages)
	AllowedDomains []string `yaml:"allowed_domains,omitempty"` // default: the seed's host
	MaxDepth       int      `yaml:"max_depth,omitempty"`       // default 1
	MaxPages       int      `yaml:"max_pages,omitempty"`       // default 50

	Delay Duration `yaml:"delay,omitempty"` // per-host politeness delay
}

// Dedup configures how copies of one article are recognised.
type Dedup struct {
	// TrackingParams are the query parameters dropped from article URLs
	// (a trailing * matches a prefix: "utm_*"); empty means the built-in
	// list (utm_*, fbclid, gclid, mc_cid, ref, …). Setting it replaces the
	// built-in list.
	TrackingParams []string `yaml:"tracking_params,omitempty"`
}

// Archive configures what is kept.
type Archive struct {
	// KeepUnmatched keeps articles that match no topic.
	KeepUnmatched bool `yaml:"keep_unmatched"`
	// SearchRankWindow is how many matches a full-text search ranks by
	// relevance at once: the newest N first, then the N before them, and
	// so on (0: DefaultSearchRankWindow; -1: every match at once, which
	// costs a few microseconds per match).
	SearchRankWindow int `yaml:"search_rank_window"`
}

// Topic is a watched subject: which articles are relevant.
type Topic struct {
	Name     string           `yaml:"name"`
	Include  []WeightedPhrase `yaml:"include"`   // a phrase alone means weight 1
	Exclude  []string         `yaml:"exclude"`   // phrases that rule an article out
	Fields   []string         `yaml:"fields"`    // title | summary | text | url, default title and text
	MinScore float64          `yaml:"min_score"` // articles below it don't match
}

// WeightedPhrase is a phrase and how much a match counts. In YAML it is
// either {phrase: "...", weight: 2} or just the phrase.
type WeightedPhrase struct {
	Phrase string  `yaml:"phrase"`
	Weight float64 `yaml:"weight"` // > 0, default 1
}

// Metric is a headline-figure metric beyond the built-in ones.
type Metric struct {
	Name      string   `yaml:"name"`      // ^[a-z][a-z0-9_]*$, not a built-in name
	Unit      string   `yaml:"unit"`      // canonical unit, e.g. hours, percent, x
	Direction string   `yaml:"direction"` // higher | lower is better, default higher
	Cues      []string `yaml:"cues"`      // phrases that announce the metric
}

// Alerts configures milestone alerts.
type Alerts struct {
	// Since: articles published before it alert nobody. RFC 3339 or
	// YYYY-MM-DD; empty means the daemon's first start.
	Since      string      `yaml:"since"`
	MinSources int         `yaml:"min_sources"` // distinct sites to confirm a milestone, default 1
	Thresholds []Threshold `yaml:"thresholds"`
	Channels   []Channel   `yaml:"channels"`
	// Silences mute alerts that match them until a time.
	Silences []Silence `yaml:"silences,omitempty"`
}

// Silence mutes the alerts that match it until a time. An empty field
// matches anything; every non-empty field must match.
type Silence struct {
	Metric  string `yaml:"metric,omitempty"`  // a metric name
	Subject string `yaml:"subject,omitempty"` // the milestone's subject, case-insensitive
	Source  string `yaml:"source,omitempty"`  // a source name or a site (registrable domain)
	Until   string `yaml:"until"`             // required: RFC 3339 or YYYY-MM-DD (midnight UTC)
	Reason  string `yaml:"reason,omitempty"`  // for people; shown nowhere else
}

// UntilTime returns until as a time; zero when it is invalid.
func (s Silence) UntilTime() time.Time {
	t, _ := ParseSince(s.Until)
	return t
}

// Threshold makes a milestone of a figure that crosses a value.
type Threshold struct {
	Metric  string   `yaml:"metric"`
	AtLeast *float64 `yaml:"at_least,omitempty"`
	AtMost  *float64 `yaml:"at_most,omitempty"`
}

// Channel is one place alerts go.
type Channel struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"` // webhook | slack | discord | email

	// URL of a webhook, Slack or Discord channel. Slack and Discord URLs
	// are credentials: give them with url_env or url_file.
	URL     Secret `yaml:"url,omitempty"`
	URLEnv  string `yaml:"url_env,omitempty"`
	URLFile string `yaml:"url_file,omitempty"`

	// Signing secret of a generic webhook (X-Frontierwatch-Signature).
	SecretEnv  string `yaml:"secret_env,omitempty"`
	SecretFile string `yaml:"secret_file,omitempty"`
	Secret     Secret `yaml:"secret,omitempty" secret:"resolved"`

	// Extra webhook headers. Values are masked when the config is printed
	// (they often carry tokens); they cannot replace the headers
	// frontierwatch sets (signature, idempotency key, content type).
	Headers map[string]Secret `yaml:"headers,omitempty"`

	Metrics    []string `yaml:"metrics,omitempty"`     // only these metrics; empty means all
	Kinds      []string `yaml:"kinds,omitempty"`       // only these milestone kinds; empty means all
	Digest     string   `yaml:"digest,omitempty"`      // cron schedule: batch alerts into digests
	MinSources int      `yaml:"min_sources,omitempty"` // 0 means alerts.min_sources

	// Delivery. Timeout bounds one attempt (default 10s); MaxAge is how
	// long deliveries are retried before they are given up (default 24h).
	Timeout Duration `yaml:"timeout,omitempty"`
	MaxAge  Duration `yaml:"max_age,omitempty"`

	// Templates (see package alerts for the data they get). Subject is a
	// text/template for the email subject. TemplateTextFile overrides the
	// text of email, Slack and Discord messages (text/template);
	// TemplateHTMLFile the HTML part of an email (html/template). The
	// files are read by Load into TemplateText and TemplateHTML.
	Subject          string `yaml:"subject,omitempty"`
	TemplateTextFile string `yaml:"template_text_file,omitempty"`
	TemplateHTMLFile string `yaml:"template_html_file,omitempty"`
	TemplateText     string `yaml:"-"`
	TemplateHTML     string `yaml:"-"`

	// Email.
	To   []string `yaml:"to,omitempty"`
	From string   `yaml:"from,omitempty"`
	SMTP *SMTP    `yaml:"smtp,omitempty"`
}

// SMTP is the mail server of an email channel.
type SMTP struct {
	Host         string `yaml:"host"`
	Port         int    `yaml:"port"` // default 587, or 465 with tls: tls
	Username     string `yaml:"username,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	Password     Secret `yaml:"password,omitempty" secret:"resolved"`
	TLS          string `yaml:"tls"` // starttls | tls | none, default starttls
}

// Server configures the HTTP API and web page.
type Server struct {
	Listen string `yaml:"listen"` // default 127.0.0.1:8080
	// Bearer token for write endpoints, from token_env or token_file.
	TokenEnv  string `yaml:"token_env"`
	TokenFile string `yaml:"token_file"`
	Token     Secret `yaml:"token,omitempty" secret:"resolved"`
	// ReadTokenRequired makes the reads (API and web pages) need the
	// token too; by default they are open.
	ReadTokenRequired bool `yaml:"read_token_required"`
	// RateLimit limits the API's and the pages' requests per client IP.
	RateLimit RateLimit `yaml:"rate_limit"`
}

// RateLimit is a token bucket per client IP: Rate requests a second on
// average, bursts of up to Burst. Health checks, /metrics and static files
// are never limited.
type RateLimit struct {
	Rate     float64 `yaml:"rate"`     // requests per second, default 10
	Burst    int     `yaml:"burst"`    // default 40
	Disabled bool    `yaml:"disabled"` // no limit (behind a proxy that limits, or for load tests)
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error, default info
	Format string `yaml:"format"` // text | json, default text
}

// Load reads the config file at path (the embedded default when path is
// ""), decodes it strictly, applies the FRONTIERWATCH_* overrides found in
// env (a list like os.Environ()), fills in defaults, resolves secrets (their
// *_env variables are looked up in env too) and validates the result. All
// problems are returned together.
func Load(path string, env []string) (*Config, error) {
	if path == "" {
		return Parse(defaultYAML, "default.yaml", env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return Parse(data, path, env)
}

// Parse does what Load does on the bytes of a config file; name is the
// file's name in error messages.
func Parse(data []byte, name string, env []string) (*Config, error) {
	c := &Config{}
	if err := decodeFile(data, name, c); err != nil {
		return nil, err
	}
	if err := applyEnv(c, env); err != nil {
		return nil, err
	}
	c.ApplyDefaults()
	errs := c.resolveSecrets(envLookup(env), os.ReadFile)
	errs = append(errs, c.readTemplates(os.ReadFile)...)
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return c, nil
}

// readTemplates reads every channel's template_text_file and
// template_html_file into TemplateText and TemplateHTML. Errors name the
// key and the file. Validate parses what was read.
func (c *Config) readTemplates(readFile func(string) ([]byte, error)) []error {
	var errs []error
	for i := range c.Alerts.Channels {
		ch := &c.Alerts.Channels[i]
		p := fmt.Sprintf("alerts.channels[%d]", i)
		for _, f := range []struct {
			key  string
			file string
			dst  *string
		}{
			{p + ".template_text_file", ch.TemplateTextFile, &ch.TemplateText},
			{p + ".template_html_file", ch.TemplateHTMLFile, &ch.TemplateHTML},
		} {
			if f.file == "" {
				continue
			}
			b, err := readFile(f.file)
			if err != nil {
				errs = append(errs, fieldErr(f.key, "read template %s: %v", f.file, unwrapPathErr(err)))
				continue
			}
			if strings.TrimSpace(string(b)) == "" {
				errs = append(errs, fieldErr(f.key, "template file %s is empty", f.file))
				continue
			}
			*f.dst = string(b)
		}
	}
	return errs
}
