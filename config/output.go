package config

import (
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/frontierwatch/frontierwatch"
)

// WriteYAML writes the effective config as YAML, for `config print`.
// Secrets show as "***".
func (c *Config) WriteYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("config: write yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: write yaml: %w", err)
	}
	return nil
}

// FeedSources returns the configured sources as domain sources, with the
// schedule and full-text policy defaulted from defaults and Origin set to
// frontierwatch.OriginConfig.
func (c *Config) FeedSources() []frontierwatch.Source {
	out := make([]frontierwatch.Source, 0, len(c.Sources))
	for _, s := range c.Sources {
		src := frontierwatch.Source{
			Name:           s.Name,
			Kind:           frontierwatch.SourceKind(s.Kind),
			URL:            s.URL,
			Schedule:       s.Schedule,
			FullText:       s.FullText,
			Enabled:        s.Enabled == nil || *s.Enabled,
			Follow:         append([]string(nil), s.Follow...),
			AllowedDomains: append([]string(nil), s.AllowedDomains...),
			MaxDepth:       s.MaxDepth,
			MaxPages:       s.MaxPages,
			Delay:          s.Delay.Std(),
			Origin:         frontierwatch.OriginConfig,
		}
		if src.Kind == "" {
			src.Kind = frontierwatch.KindFeed
		}
		if src.Schedule == "" {
			src.Schedule = c.Defaults.Schedule
		}
		if src.Schedule == "" {
			src.Schedule = DefaultSchedule
		}
		if src.FullText == "" {
			src.FullText = c.Defaults.FullText
		}
		if src.FullText == "" {
			src.FullText = frontierwatch.FullTextAuto
		}
		out = append(out, src)
	}
	return out
}

// SQLitePath returns the database file when database.url is sqlite://PATH:
// sqlite://./data/x.db gives ./data/x.db and sqlite:///abs/x.db gives
// /abs/x.db. A query (?…) is not part of the path. It returns false for
// other databases.
func (c *Config) SQLitePath() (string, bool) {
	rest, ok := strings.CutPrefix(c.Database.URL, "sqlite://")
	if !ok {
		return "", false
	}
	path, _, _ := strings.Cut(rest, "?")
	if path == "" {
		return "", false
	}
	return path, true
}

// SinceTime returns alerts.since as a time; zero when it is empty (the
// daemon's first start then applies) or invalid.
func (a Alerts) SinceTime() time.Time {
	t, _ := ParseSince(a.Since)
	return t
}
