package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Secret is a credential. Every way of printing it (fmt verbs, String,
// YAML, JSON, text, slog) shows "***", or "" when it is empty; Reveal
// returns the value for the one place that needs it.
type Secret string

const secretMask = "***"

// Reveal returns the secret's value. Never log or print it.
func (s Secret) Reveal() string { return string(s) }

// String returns "***", or "" when s is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return secretMask
}

// GoString masks s for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret(%q)", s.String()) }

// Format masks s for every fmt verb.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// MarshalText masks s.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON masks s.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalYAML masks s.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// LogValue masks s in slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// envLookup returns a lookup over env (KEY=VALUE strings; the last wins).
func envLookup(env []string) func(string) (string, bool) {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// secretRef is one secret the config names: where to look, and where to put
// what is found.
type secretRef struct {
	path    string // key path of the value, e.g. alerts.channels[0].secret
	envKey  string // key path of the *_env key
	envName string
	fileKey string // key path of the *_file key
	file    string
	dst     *Secret
	inline  bool // dst was already set in the file (only allowed for url)
}

// secretRefs lists every secret reference in c.
func (c *Config) secretRefs() []secretRef {
	refs := []secretRef{{
		path: "server.token", envKey: "server.token_env", envName: c.Server.TokenEnv,
		fileKey: "server.token_file", file: c.Server.TokenFile, dst: &c.Server.Token,
	}}
	for i := range c.Alerts.Channels {
		ch := &c.Alerts.Channels[i]
		p := fmt.Sprintf("alerts.channels[%d]", i)
		refs = append(refs, secretRef{
			path: p + ".url", envKey: p + ".url_env", envName: ch.URLEnv,
			fileKey: p + ".url_file", file: ch.URLFile, dst: &ch.URL, inline: ch.URL != "",
		}, secretRef{
			path: p + ".secret", envKey: p + ".secret_env", envName: ch.SecretEnv,
			fileKey: p + ".secret_file", file: ch.SecretFile, dst: &ch.Secret,
		})
		if ch.SMTP != nil {
			refs = append(refs, secretRef{
				path: p + ".smtp.password", envKey: p + ".smtp.password_env", envName: ch.SMTP.PasswordEnv,
				fileKey: p + ".smtp.password_file", file: ch.SMTP.PasswordFile, dst: &ch.SMTP.Password,
			})
		}
	}
	return refs
}

// referencedEnv returns the environment variables that secrets name.
func (c *Config) referencedEnv() map[string]bool {
	out := map[string]bool{}
	for _, r := range c.secretRefs() {
		if r.envName != "" {
			out[r.envName] = true
		}
	}
	return out
}

// resolveSecrets fills every secret from its environment variable or file.
// Errors name the key, the variable or the file, never a value.
func (c *Config) resolveSecrets(lookup func(string) (string, bool), readFile func(string) ([]byte, error)) []error {
	var errs []error
	for _, r := range c.secretRefs() {
		if r.envName == "" && r.file == "" {
			continue
		}
		if r.envName != "" && r.file != "" {
			errs = append(errs, fieldErr(r.envKey, "set only one of %s and %s", lastSeg(r.envKey), lastSeg(r.fileKey)))
			continue
		}
		if r.inline {
			errs = append(errs, fieldErr(r.path, "set only one of %s, %s and %s", lastSeg(r.path), lastSeg(r.envKey), lastSeg(r.fileKey)))
			continue
		}
		if r.envName != "" {
			v, ok := lookup(r.envName)
			switch {
			case !ok:
				errs = append(errs, fieldErr(r.envKey, "environment variable %s is not set", r.envName))
			case v == "":
				errs = append(errs, fieldErr(r.envKey, "environment variable %s is empty", r.envName))
			default:
				*r.dst = Secret(v)
			}
			continue
		}
		b, err := readFile(r.file)
		if err != nil {
			errs = append(errs, fieldErr(r.fileKey, "read secret file %s: %v", r.file, unwrapPathErr(err)))
			continue
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			errs = append(errs, fieldErr(r.fileKey, "secret file %s is empty", r.file))
			continue
		}
		*r.dst = Secret(v)
	}
	return errs
}

// unwrapPathErr drops the path that *fs.PathError repeats.
func unwrapPathErr(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

func lastSeg(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
