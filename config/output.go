package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
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

// The database URL stays a plain string (it is configuration, and every
// package reads it), but a PostgreSQL URL may carry a password, in its
// user part or as a password=… parameter: every way of printing a
// Database masks it, as Secret does.

// MaskedURL returns the URL with any password shown as "***".
func (d Database) MaskedURL() string { return maskDSN(d.URL) }

// MarshalYAML masks the password, for `config print`.
func (d Database) MarshalYAML() (any, error) {
	type plain Database // without the method
	p := plain(d)
	p.URL = maskDSN(d.URL)
	return p, nil
}

// MarshalJSON masks the password (slog's JSON handler uses it too).
func (d Database) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ URL string }{maskDSN(d.URL)})
}

// String masks the password for %v and %s.
func (d Database) String() string { return "{" + maskDSN(d.URL) + "}" }

// GoString masks the password for %#v.
func (d Database) GoString() string { return fmt.Sprintf("config.Database{URL:%q}", maskDSN(d.URL)) }

// LogValue masks the password in slog records.
func (d Database) LogValue() slog.Value { return slog.GroupValue(slog.String("url", maskDSN(d.URL))) }

// maskDSN replaces the password of a database URL, in the user part and in
// any query parameter whose name contains "password", with "***". A URL
// that does not parse but has a user part is masked whole.
func maskDSN(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "@?") {
			return secretMask
		}
		return raw
	}
	masked := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			// url escapes '*' in a password: put a placeholder, then the mask.
			u.User, masked = url.UserPassword(u.User.Username(), "FRONTIERWATCHMASK"), true
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, kv := range parts {
			k, _, _ := strings.Cut(kv, "=")
			if name, err := url.QueryUnescape(k); err != nil || strings.Contains(strings.ToLower(name), "password") {
				parts[i] = k + "=" + secretMask
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	out := u.String()
	if masked {
		out = strings.Replace(out, ":FRONTIERWATCHMASK@", ":"+secretMask+"@", 1)
	}
	return out
}
