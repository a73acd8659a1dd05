package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

// lockedBuffer is a bytes.Buffer safe for the daemon's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// echoSMTPServer is an SMTP server on 127.0.0.1 that refuses every login
// and repeats the client's AUTH PLAIN response, base64 and decoded, in its
// 535 reply.
func echoSMTPServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				r := bufio.NewReader(c)
				fmt.Fprint(c, "220 localhost ESMTP\r\n")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					f := strings.Fields(line)
					switch {
					case len(f) == 0:
						return
					case strings.EqualFold(f[0], "EHLO"), strings.EqualFold(f[0], "HELO"):
						fmt.Fprint(c, "250-localhost\r\n250 AUTH PLAIN\r\n")
					case strings.EqualFold(f[0], "AUTH") && len(f) >= 3:
						dec, _ := base64.StdEncoding.DecodeString(f[2])
						fmt.Fprintf(c, "535 5.7.8 bad credentials %s (%s)\r\n", f[2], strings.ReplaceAll(string(dec), "\x00", " "))
					case strings.EqualFold(f[0], "QUIT"):
						fmt.Fprint(c, "221 bye\r\n")
						return
					default:
						fmt.Fprint(c, "530 5.7.0 authentication required\r\n")
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().(*net.TCPAddr).Port
}

// TestSecretsNeverLeave runs the daemon (Run: scheduler, workers, API)
// with every kind of secret configured, and makes every channel fail in
// its own way: the webhook receiver answers 500 repeating the request's
// URL and headers, Slack's has a certificate nobody trusts, Discord's is
// down, and the SMTP server refuses the login repeating the password.
// The API gets requests with the right and a wrong token. Then no secret
// (the API token, the signing secret, a header value, the webhook, Slack
// and Discord URLs' secret parts, the SMTP password in any form it was
// sent) is in the daemon's log (debug level), in the archive's files
// (delivery errors, River's job errors, everything), or in any API answer.
// (The webhook and Discord failures are retryable: they are retried in
// the background while the test looks; the others fail for good.)
func TestSecretsNeverLeave(t *testing.T) {
	const (
		apiToken    = "api-T0ken-7761"
		hmacKey     = "hmac-K3y-5517"
		headerValue = "hdr-S3cret-3307"
		hookPath    = "/hooks/path-S3cret-8812"
		hookQuery   = "query-S3cret-4471"
		slackPath   = "/services/T0SEC/B0SEC/slack-S3cret-6620"
		discordPath = "/api/webhooks/42/discord-S3cret-9034"
		smtpPass    = "smtp-S3cret-2290"
		smtpUser    = "fw-mailer"
	)
	b64 := base64.StdEncoding.EncodeToString
	secrets := []string{apiToken, hmacKey, headerValue, "path-S3cret-8812", hookQuery, "slack-S3cret-6620", "T0SEC/B0SEC",
		"discord-S3cret-9034", smtpPass, b64([]byte(smtpPass)), b64([]byte("\x00" + smtpUser + "\x00" + smtpPass))}

	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpusFeed(t, "first.example", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)))
	}))
	t.Cleanup(feed.Close)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "cannot handle %s for %s %s", r.URL.String(), r.Header.Get("Authorization"), r.Header.Get("X-Frontierwatch-Signature"))
	}))
	t.Cleanup(hook.Close)
	slack := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	slack.Config.ErrorLog = log.New(io.Discard, "", 0)
	slack.StartTLS()
	t.Cleanup(slack.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	smtpPort := echoSMTPServer(t)

	dir := t.TempDir()
	y := fmt.Sprintf(`
database: {url: "sqlite://%s/fw.db"}
http: {allow_private_networks: true, timeout: 5s}
poll: {shutdown_timeout: 2s}
server: {listen: "127.0.0.1:0", token_env: FW_SEC_TOKEN}
log: {level: debug}
alerts:
  since: 2026-01-01
  channels:
    - {name: hook, type: webhook, url_env: FW_SEC_HOOK_URL, secret_env: FW_SEC_HMAC, headers: {Authorization: "Bearer %s"}, timeout: 5s}
    - {name: slack, type: slack, url_env: FW_SEC_SLACK_URL, timeout: 5s}
    - {name: discord, type: discord, url_env: FW_SEC_DISCORD_URL, timeout: 5s}
    - {name: mail, type: email, to: [ops@example.org], from: fw@example.org, timeout: 5s,
       smtp: {host: 127.0.0.1, port: %d, tls: none, username: %s, password_env: FW_SEC_SMTP}}
sources:
  - {name: a, url: %q, full_text: never}
`, dir, headerValue, smtpPort, smtpUser, feed.URL)
	env := []string{
		"FW_SEC_TOKEN=" + apiToken, "FW_SEC_HMAC=" + hmacKey, "FW_SEC_SMTP=" + smtpPass,
		"FW_SEC_HOOK_URL=" + hook.URL + hookPath + "?token=" + hookQuery,
		"FW_SEC_SLACK_URL=" + slack.URL + slackPath,
		"FW_SEC_DISCORD_URL=" + down + discordPath,
	}
	cfg, err := config.Parse([]byte(y), "secrets.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	addr := make(chan string, 1)
	d := newDaemon(t, cfg, WithLogger(logger), WithRetryBase(100*time.Millisecond), WithFetchInterval(50*time.Millisecond),
		OnListen(func(a string) { addr <- a }))
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-runErr:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	}
	t.Cleanup(stop)
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-runErr:
		t.Fatalf("Run: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("the daemon did not start listening")
	}

	// Wait until every delivery has been tried at least once (the
	// retryable failures go on being retried).
	deadline := time.Now().Add(90 * time.Second)
	for {
		ms, _ := d.Store().Milestones(ctx, archive.MilestoneQuery{Limit: 100})
		var total, untried int
		err := d.Store().WriteDB().QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN attempts = 0 THEN 1 ELSE 0 END), 0) FROM deliveries`).Scan(&total, &untried)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) > 0 && total == 4*len(ms) && untried == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not all tried in time: %d milestones, %d deliveries, %d untried\n%s", len(ms), total, untried, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The API, with the right and a wrong token.
	var answers bytes.Buffer
	for _, c := range []struct{ method, path, token, body string }{
		{"GET", "/api/v1/sources", "", ""},
		{"GET", "/api/v1/milestones", "", ""},
		{"GET", "/metrics", "", ""},
		{"GET", "/readyz", "", ""},
		{"POST", "/api/v1/silences", apiToken, `{"metric":"rnd_speedup","until":"2030-01-01"}`},
		{"POST", "/api/v1/silences", apiToken + "-wrong", `{"metric":"rnd_speedup","until":"2030-01-01"}`},
		{"DELETE", "/api/v1/sources/a", apiToken, ""},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&answers, "%s %s: %d %v %s\n", c.method, c.path, resp.StatusCode, resp.Header, b)
	}
	if !strings.Contains(answers.String(), "POST /api/v1/silences: 201") {
		t.Errorf("the write with the token did not succeed:\n%s", answers.String())
	}
	stop()

	// What each channel's failure looked like, as stored.
	rows, err := d.Store().WriteDB().QueryContext(context.Background(), `SELECT channel, last_error FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	for rows.Next() {
		var ch, msg string
		if err := rows.Scan(&ch, &msg); err != nil {
			t.Fatal(err)
		}
		// Several milestones: a channel has several rows, and one may hold
		// no error (a retry silenced by the silence posted above).
		stored[ch] += msg + "\n"
	}
	rows.Close()
	for ch, want := range map[string]string{"hook": "500", "slack": "certificate", "discord": "connection refused", "mail": "535"} {
		if !strings.Contains(stored[ch], want) {
			t.Errorf("%s delivery error %q does not say %q", ch, stored[ch], want)
		}
	}
	if !strings.Contains(logs.String(), "alert not delivered") || !strings.Contains(logs.String(), "alert delivery failed") {
		t.Error("the failures were not logged: the log check proves nothing")
	}

	var files bytes.Buffer
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil {
			files.Write(b)
		}
	}
	if files.Len() == 0 {
		t.Fatal("no archive files to check")
	}
	for _, s := range secrets {
		for what, text := range map[string]string{"log": logs.String(), "API": answers.String(), "archive files": files.String(),
			"delivery errors": fmt.Sprint(stored)} {
			if strings.Contains(text, s) {
				t.Errorf("%s shows the secret %q", what, s)
			}
		}
	}
}
