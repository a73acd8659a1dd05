package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const value = "s3cr3t-value-do-not-print"
	s := Secret(value)
	type holder struct {
		Token Secret
		Ptr   *Secret
	}
	h := holder{Token: s, Ptr: &s}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "token", s, "h", h)
	j, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %X %#v %+v %d", s, s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", h, h, h), fmt.Sprint(*h.Ptr), string(j), logBuf.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, value) || strings.Contains(out, fmt.Sprintf("%x", value)) {
			t.Errorf("secret leaked: %s", out)
		}
		if !strings.Contains(out, "***") {
			t.Errorf("secret not masked: %s", out)
		}
	}
	if s.Reveal() != value {
		t.Error("Reveal lost the value")
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty")
	}
}

func TestSecretsResolve(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("file-token-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	urlFile := filepath.Join(dir, "discord-url")
	if err := os.WriteFile(urlFile, []byte("https://discord.example/api/webhooks/1/abc\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := fmt.Sprintf(`
server:
  token_file: %s
alerts:
  channels:
    - name: hook
      type: webhook
      url: https://hooks.example/x
      secret_env: FW_HOOK_SECRET
    - name: discord
      type: discord
      url_file: %s
`, tokenFile, urlFile)
	c, err := Parse([]byte(y), "f.yaml", []string{"FW_HOOK_SECRET=env-secret-value"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := c.Server.Token.Reveal(); got != "file-token-value" {
		t.Errorf("token = %q (trailing newline must go)", got)
	}
	if got := c.Alerts.Channels[0].Secret.Reveal(); got != "env-secret-value" {
		t.Errorf("webhook secret = %q", got)
	}
	if got := c.Alerts.Channels[1].URL.Reveal(); got != "https://discord.example/api/webhooks/1/abc" {
		t.Errorf("discord url = %q", got)
	}
}

func TestSecretErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const leaked = "present-secret-value"
	tests := []struct {
		name, yaml string
		env        []string
		want       []string
	}{
		{"missing env var", "server:\n  token_env: FW_MISSING_TOKEN\n", []string{"FW_OTHER=" + leaked},
			[]string{"config: server.token_env: environment variable FW_MISSING_TOKEN is not set"}},
		{"empty env var", "server:\n  token_env: FW_EMPTY\n", []string{"FW_EMPTY="},
			[]string{"config: server.token_env: environment variable FW_EMPTY is empty"}},
		{"missing file", "server:\n  token_file: " + filepath.Join(dir, "nope") + "\n", nil,
			[]string{"config: server.token_file: read secret file " + filepath.Join(dir, "nope") + ": no such file or directory"}},
		{"empty file", "server:\n  token_file: " + empty + "\n", nil,
			[]string{"config: server.token_file: secret file " + empty + " is empty"}},
		{"env and file", "server:\n  token_env: FW_T\n  token_file: " + empty + "\n", []string{"FW_T=" + leaked},
			[]string{"config: server.token_env: set only one of token_env and token_file"}},
		{"url and url_env", "alerts:\n  channels:\n    - name: s\n      type: slack\n      url: https://hooks.slack.com/services/" + leaked + "\n      url_env: FW_URL\n",
			[]string{"FW_URL=https://x.example/"},
			[]string{"config: alerts.channels[0].url: set only one of url, url_env and url_file"}},
		{"smtp password", "alerts:\n  channels:\n    - name: m\n      type: email\n      to: [a@example.org]\n      smtp:\n        host: mail.example\n        password_env: FW_SMTP\n", nil,
			[]string{"config: alerts.channels[0].smtp.password_env: environment variable FW_SMTP is not set"}},
		{"bad secret url", "alerts:\n  channels:\n    - name: s\n      type: slack\n      url_env: FW_URL\n", []string{"FW_URL=not a url " + leaked},
			[]string{"config: alerts.channels[0].url: is not an absolute http:// or https:// URL"}},
		{"secret url in a list", "alerts:\n  channels:\n    - name: s\n      type: slack\n      url: [" + leaked + "]\n", nil,
			[]string{"alerts.channels[0].url: expected a single value, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "f.yaml", tt.env)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
			if strings.Contains(err.Error(), leaked) {
				t.Errorf("error leaks a secret value: %v", err)
			}
		})
	}
}

func TestWriteYAMLMasksSecrets(t *testing.T) {
	c, err := Load(examplePath, exampleEnv)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, kv := range exampleEnv {
		_, v, _ := strings.Cut(kv, "=")
		if strings.Contains(out, v) {
			t.Errorf("WriteYAML printed the secret %q", v)
		}
	}
	for _, want := range []string{"token: '***'", "secret: '***'", "password: '***'", "url: '***'", "token_env: FW_SERVER_TOKEN"} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteYAML output lacks %q:\n%s", want, out)
		}
	}
	// Printing the Config any other way does not leak either.
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", c.Alerts)} {
		for _, kv := range exampleEnv {
			if _, v, _ := strings.Cut(kv, "="); strings.Contains(s, v) {
				t.Errorf("fmt printed the secret %q", v)
			}
		}
	}
}
