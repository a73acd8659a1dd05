package config

import (
	"fmt"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// Default values of keys left empty or zero.
const (
	DefaultDatabaseURL      = "sqlite://./data/frontierwatch.db"
	DefaultSchedule         = "@every 30m"
	DefaultFullTextMinWords = 150
	DefaultListen           = "127.0.0.1:8080"
	DefaultMaxBody          = ByteSize(10 << 20)
	DefaultChannelTimeout   = 10 * time.Second // alerts.channels[].timeout
	DefaultChannelMaxAge    = 24 * time.Hour   // alerts.channels[].max_age
	DefaultSearchRankWindow = 1000             // archive.search_rank_window
)

// DefaultUserAgent is the User-Agent sent when http.user_agent is empty:
// the version and the project's contact URL.
func DefaultUserAgent() string {
	return fmt.Sprintf("frontierwatch/%s (+%s)", frontierwatch.Version, frontierwatch.ProjectURL)
}

// ApplyDefaults fills every key left empty or zero with its default. Parse
// and Load call it; call it yourself on a Config built in code before
// Validate.
func (c *Config) ApplyDefaults() {
	setStr(&c.Database.URL, DefaultDatabaseURL)

	h := &c.HTTP
	setStr(&h.UserAgent, DefaultUserAgent())
	setDur(&h.Timeout, 30*time.Second)
	setDur(&h.ConnectTimeout, 10*time.Second)
	setDur(&h.HeaderTimeout, 20*time.Second)
	if h.MaxBody == 0 {
		h.MaxBody = DefaultMaxBody
	}
	if h.MaxRedirects == 0 {
		h.MaxRedirects = 5
	}

	setStr(&c.Defaults.Schedule, DefaultSchedule)
	setStr(&c.Defaults.FullText, frontierwatch.FullTextAuto)
	if c.Defaults.FullTextMinWords == 0 {
		c.Defaults.FullTextMinWords = DefaultFullTextMinWords
	}

	if c.Server.RateLimit.Rate == 0 {
		c.Server.RateLimit.Rate = 10
	}
	if c.Server.RateLimit.Burst == 0 {
		c.Server.RateLimit.Burst = 40
	}
	if c.Archive.SearchRankWindow == 0 {
		c.Archive.SearchRankWindow = DefaultSearchRankWindow
	}

	p := &c.Poll
	if p.Concurrency == 0 {
		p.Concurrency = 8
	}
	setDur(&p.BaseBackoff, 5*time.Minute)
	setDur(&p.MaxBackoff, 24*time.Hour)
	setDur(&p.ShutdownTimeout, 30*time.Second)

	for i := range c.Sources {
		s := &c.Sources[i]
		setStr(&s.Kind, string(frontierwatch.KindFeed))
		setStr(&s.Schedule, c.Defaults.Schedule)
		setStr(&s.FullText, c.Defaults.FullText)
		if s.Enabled == nil {
			on := true
			s.Enabled = &on
		}
		if s.Kind == string(frontierwatch.KindSite) {
			if s.MaxDepth == 0 {
				s.MaxDepth = 1
			}
			if s.MaxPages == 0 {
				s.MaxPages = 50
			}
		}
	}

	for i := range c.Topics {
		t := &c.Topics[i]
		for j := range t.Include {
			if t.Include[j].Weight == 0 {
				t.Include[j].Weight = 1
			}
		}
		if len(t.Fields) == 0 {
			t.Fields = []string{"title", "text"}
		}
	}
	for i := range c.Metrics {
		setStr(&c.Metrics[i].Direction, "higher")
	}

	if c.Alerts.MinSources == 0 {
		c.Alerts.MinSources = 1
	}
	for i := range c.Alerts.Channels {
		ch := &c.Alerts.Channels[i]
		setDur(&ch.Timeout, DefaultChannelTimeout)
		setDur(&ch.MaxAge, DefaultChannelMaxAge)
		if m := ch.SMTP; m != nil {
			setStr(&m.TLS, "starttls")
			if m.Port == 0 {
				m.Port = 587
				if m.TLS == "tls" {
					m.Port = 465
				}
			}
		}
	}

	setStr(&c.Server.Listen, DefaultListen)
	setStr(&c.Log.Level, "info")
	setStr(&c.Log.Format, "text")
}

func setStr(p *string, def string) {
	if *p == "" {
		*p = def
	}
}

func setDur(p *Duration, def time.Duration) {
	if *p == 0 {
		*p = Duration(def)
	}
}
