package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// cliEnv runs the CLI in-process with env as its environment.
func cliEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb, env)
	return code, out.String(), errb.String()
}

// closedPort returns a 127.0.0.1 port where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestDatabasePasswordNotShown: a PostgreSQL password, in the URL's user
// part or as a password parameter, from the file or from
// FRONTIERWATCH_DATABASE_URL, is not printed by `config print`, `config
// check`, or by the commands that fail to connect (the server is down, or
// it refuses the database).
func TestDatabasePasswordNotShown(t *testing.T) {
	const pw, qpw = "pg-S3cret-5150", "pg-Qry-S3cret-6061"
	port := closedPort(t)
	urls := []string{
		fmt.Sprintf("postgres://fw:%s@127.0.0.1:%d/fw?sslmode=disable&connect_timeout=5", pw, port),
		fmt.Sprintf("postgresql://fw@127.0.0.1:%d/fw?sslmode=disable&connect_timeout=5&password=%s", port, qpw),
	}
	// A server that is up and refuses: a database that does not exist.
	if dsn := os.Getenv("FRONTIERWATCH_TEST_POSTGRES"); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("FRONTIERWATCH_TEST_POSTGRES: %v", err)
		}
		u.User = url.UserPassword(u.User.Username(), pw)
		u.Path = "/frontierwatch_no_such_database"
		urls = append(urls, u.String())
	} else {
		t.Log("FRONTIERWATCH_TEST_POSTGRES is not set: only a PostgreSQL that is down is tried")
	}
	for i, dbURL := range urls {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "fw.yaml")
			if err := os.WriteFile(conf, []byte(fmt.Sprintf("database: {url: %q}\n", dbURL)), 0o600); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			code, out, errOut := cliEnv(t, nil, "config", "print", "--config", conf)
			if code != 0 || !strings.Contains(out, "127.0.0.1") {
				t.Fatalf("config print: %d %s %s", code, out, errOut)
			}
			all.WriteString(out + errOut)
			for _, args := range [][]string{{"config", "check"}, {"migrate"}, {"sources", "list"}, {"search", "agents"}, {"poll"}} {
				code, out, errOut := cliEnv(t, nil, append(args, "--config", conf)...)
				if args[0] != "config" && code == 0 {
					t.Errorf("%s succeeded without a database", args)
				}
				all.WriteString(out + errOut)
			}
			// The same URL from the environment.
			code, out, errOut = cliEnv(t, []string{"FRONTIERWATCH_DATABASE_URL=" + dbURL}, "migrate")
			if code == 0 {
				t.Error("migrate succeeded without a database")
			}
			all.WriteString(out + errOut)
			for _, s := range []string{pw, qpw} {
				if strings.Contains(all.String(), s) {
					t.Errorf("the output shows the password %q:\n%s", s, all.String())
				}
			}
		})
	}
}

// TestAlertsTestHidesSecrets: `alerts test` reports each failing channel
// without its URL (Slack and Discord URLs are credentials), signing
// secret, header values or SMTP password, whether the receiver answers
// 500 repeating the request, is down, or the SMTP server is down.
func TestAlertsTestHidesSecrets(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "failed %s %s", r.URL.String(), r.Header.Get("Authorization"))
	}))
	defer hook.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	down := closedPort(t)
	secrets := []string{"hook-S3cret-1", "hmac-S3cret-2", "hdr-S3cret-3", "slack-S3cret-4", "discord-S3cret-5", "smtp-S3cret-6", "query-S3cret-7"}
	conf := writeConfig(t, fmt.Sprintf(`alerts:
  channels:
    - {name: hook, type: webhook, url_env: FW_T_HOOK, secret_env: FW_T_HMAC, headers: {Authorization: "Bearer hdr-S3cret-3"}, timeout: 10s}
    - {name: slack, type: slack, url_env: FW_T_SLACK, timeout: 10s}
    - {name: discord, type: discord, url_env: FW_T_DISCORD, timeout: 10s}
    - {name: mail, type: email, to: [ops@example.org], timeout: 10s, smtp: {host: 127.0.0.1, port: %d, tls: none, username: fw, password_env: FW_T_SMTP}}
`, down))
	env := []string{
		"FW_T_HOOK=" + hook.URL + "/hooks/hook-S3cret-1?token=query-S3cret-7", "FW_T_HMAC=hmac-S3cret-2",
		"FW_T_SLACK=" + tlsSrv.URL + "/services/T1/B2/slack-S3cret-4",
		fmt.Sprintf("FW_T_DISCORD=http://127.0.0.1:%d/api/webhooks/1/discord-S3cret-5", down), "FW_T_SMTP=smtp-S3cret-6",
	}
	code, out, errOut := cliEnv(t, env, "alerts", "test", "--config", conf)
	if code != 1 || strings.Count(out, "FAILED") != 4 {
		t.Fatalf("alerts test: exit %d, want every channel to fail:\n%s\n%s", code, out, errOut)
	}
	for _, s := range secrets {
		if strings.Contains(out+errOut, s) {
			t.Errorf("alerts test shows %q:\n%s\n%s", s, out, errOut)
		}
	}
	// And config print shows none of them either.
	_, out, errOut = cliEnv(t, env, "config", "print", "--config", conf)
	for _, s := range secrets {
		if strings.Contains(out+errOut, s) {
			t.Errorf("config print shows %q:\n%s", s, out)
		}
	}
}

// TestAlertsTestGuarded: `alerts test` sends through the guarded client:
// without http.allow_private_networks, webhook, Slack and Discord
// receivers on 127.0.0.1 get nothing and each channel fails saying why.
func TestAlertsTestGuarded(t *testing.T) {
	var hits atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	channels := fmt.Sprintf(`alerts:
  channels:
    - {name: hook, type: webhook, url: %[1]s/hook}
    - {name: slack, type: slack, url: %[1]s/services/x}
    - {name: discord, type: discord, url: %[1]s/api/webhooks/1/x}
`, rcv.URL)
	conf := writeConfig(t, channels)
	code, out, errOut := cliEnv(t, []string{"FRONTIERWATCH_HTTP_ALLOW_PRIVATE_NETWORKS=false"}, "alerts", "test", "--config", conf)
	if code != 1 || strings.Count(out, "refusing to connect") != 3 {
		t.Errorf("guarded: exit %d, want 3 refusals:\n%s\n%s", code, out, errOut)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the private receiver got %d requests", n)
	}
	// writeConfig allows private networks: the same channels deliver.
	if code, out, errOut := cliEnv(t, nil, "alerts", "test", "--config", conf); code != 0 || hits.Load() != 3 {
		t.Errorf("allowed: exit %d, %d requests:\n%s\n%s", code, hits.Load(), out, errOut)
	}
}
