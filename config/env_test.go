package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"PATH=/usr/bin",
		"FRONTIERWATCH_DATABASE_URL=postgres://fw@db.example:5432/fw",
		"FRONTIERWATCH_HTTP_ALLOW_PRIVATE_NETWORKS=true",
		"FRONTIERWATCH_POLL_CONCURRENCY=16",
		"FRONTIERWATCH_HTTP_TIMEOUT=1m30s",
		"FRONTIERWATCH_HTTP_MAX_BODY=20MiB",
		"FRONTIERWATCH_SERVER_LISTEN=0.0.0.0:9090",
		"FRONTIERWATCH_ALERTS_THRESHOLDS=[{metric: rnd_speedup, at_least: 50}]",
		`FRONTIERWATCH_SOURCES=[{"name": "only", "url": "https://only.example/feed.xml"}]`,
		"FRONTIERWATCH_TOPICS=[{name: t, include: [agents]}]",
		"FRONTIERWATCH_DEFAULTS_FULL_TEXT_MIN_WORDS=99",
		"FRONTIERWATCH_CONFIG=/etc/frontierwatch.yaml",         // reserved for the CLI
		"FRONTIERWATCH_TEST_POSTGRES=postgres://t@localhost/t", // reserved for tests
	}
	c, err := Load("", env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"string", c.Database.URL, "postgres://fw@db.example:5432/fw"},
		{"bool", c.HTTP.AllowPrivateNetworks, true},
		{"int", c.Poll.Concurrency, 16},
		{"duration", c.HTTP.Timeout.Std(), 90 * time.Second},
		{"bytesize", c.HTTP.MaxBody, ByteSize(20 << 20)},
		{"listen", c.Server.Listen, "0.0.0.0:9090"},
		{"nested int", c.Defaults.FullTextMinWords, 99},
		{"list of structs", len(c.Sources), 1},
		{"list replaced", c.Sources[0].Name, "only"},
		{"defaults applied to env list", c.Sources[0].Schedule, DefaultSchedule},
		{"thresholds", c.Alerts.Thresholds[0].Metric, "rnd_speedup"},
		{"bare phrase from env", c.Topics[0].Include[0], WeightedPhrase{Phrase: "agents", Weight: 1}},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if p, ok := c.SQLitePath(); ok {
		t.Errorf("SQLitePath on postgres = %q", p)
	}
}

func TestEnvOverrideEmptiesList(t *testing.T) {
	c, err := Load("", []string{"FRONTIERWATCH_SOURCES=[]", "FRONTIERWATCH_ALERTS_THRESHOLDS="})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 0 || len(c.Alerts.Thresholds) != 0 {
		t.Errorf("sources %v, thresholds %v; want none", c.Sources, c.Alerts.Thresholds)
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		env  string
		want string
	}{
		{"FRONTIERWATCH_POL_CONCURRENCY=4", "config: FRONTIERWATCH_POL_CONCURRENCY: unknown setting: no config key has this variable (did you mean FRONTIERWATCH_POLL_CONCURRENCY?)"},
		{"FRONTIERWATCH_NONSENSE=1", "config: FRONTIERWATCH_NONSENSE: unknown setting"},
		{"FRONTIERWATCH_SERVER_TOKEN=abc", "config: FRONTIERWATCH_SERVER_TOKEN: unknown setting"},
		{"FRONTIERWATCH_POLL_CONCURRENCY=lots", `config: FRONTIERWATCH_POLL_CONCURRENCY: poll.concurrency: invalid integer "lots"`},
		{"FRONTIERWATCH_HTTP_ALLOW_PRIVATE_NETWORKS=yes please", `config: FRONTIERWATCH_HTTP_ALLOW_PRIVATE_NETWORKS: http.allow_private_networks: invalid boolean`},
		{"FRONTIERWATCH_HTTP_TIMEOUT=30", `config: FRONTIERWATCH_HTTP_TIMEOUT: http.timeout: invalid duration "30"`},
		{"FRONTIERWATCH_HTTP_MAX_BODY=huge", `config: FRONTIERWATCH_HTTP_MAX_BODY: http.max_body: invalid size "huge"`},
		{"FRONTIERWATCH_SOURCES=[{name: a, url: https://a.example/, shedule: x}]", `config: FRONTIERWATCH_SOURCES:1: unknown key "shedule" in sources[0]`},
		{"FRONTIERWATCH_SOURCES=[{name: a", `config: FRONTIERWATCH_SOURCES:1:`},
		{"FRONTIERWATCH_ALERTS_THRESHOLDS={metric: x}", `config: FRONTIERWATCH_ALERTS_THRESHOLDS:1: alerts.thresholds: expected a list, got a mapping`},
		// Values that parse but are invalid are named by key path in Validate.
		{"FRONTIERWATCH_POLL_CONCURRENCY=0", ""},
		{"FRONTIERWATCH_POLL_CONCURRENCY=1000", "config: poll.concurrency: must be between 1 and 256, not 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			_, err := Load("", []string{tt.env})
			if tt.want == "" {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestEnvReferencedBySecretIsNotUnknown(t *testing.T) {
	y := "server:\n  token_env: FRONTIERWATCH_API_TOKEN\n"
	c, err := Parse([]byte(y), "f.yaml", []string{"FRONTIERWATCH_API_TOKEN=tok-123456"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Server.Token.Reveal() != "tok-123456" {
		t.Errorf("token not resolved")
	}
}

func TestEnvNamesCoverEveryScalarKey(t *testing.T) {
	names := EnvNames()
	for _, want := range []string{
		"FRONTIERWATCH_DATABASE_URL", "FRONTIERWATCH_HTTP_ALLOW_PRIVATE_NETWORKS", "FRONTIERWATCH_POLL_CONCURRENCY",
		"FRONTIERWATCH_SERVER_LISTEN", "FRONTIERWATCH_SERVER_TOKEN_FILE", "FRONTIERWATCH_SOURCES",
		"FRONTIERWATCH_ALERTS_THRESHOLDS", "FRONTIERWATCH_ALERTS_CHANNELS", "FRONTIERWATCH_ARCHIVE_KEEP_UNMATCHED",
		"FRONTIERWATCH_LOG_FORMAT", "FRONTIERWATCH_DEFAULTS_SCHEDULE", "FRONTIERWATCH_HTTP_MAX_BODY",
	} {
		if _, ok := names[want]; !ok {
			t.Errorf("no override %s", want)
		}
	}
	if _, ok := names["FRONTIERWATCH_SERVER_TOKEN"]; ok {
		t.Error("the resolved token must not be settable by a plain variable")
	}
	// Two keys mapping to one variable would make one of them unreachable.
	seen := map[string]string{}
	for _, key := range allKeyPaths(reflect.TypeFor[Config](), "") {
		env := EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		if other, dup := seen[env]; dup {
			t.Errorf("keys %s and %s share %s", other, key, env)
		}
		seen[env] = key
	}
	if len(names) < 25 {
		t.Errorf("only %d overrides", len(names))
	}
}

// allKeyPaths lists the dotted path of every top-level-reachable key that
// is not inside a list.
func allKeyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok {
			continue
		}
		p := joinPath(prefix, name)
		out = append(out, p)
		if f.Type.Kind() == reflect.Struct && !isLeafType(f.Type) {
			out = append(out, allKeyPaths(f.Type, p)...)
		}
	}
	return out
}
