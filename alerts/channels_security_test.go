package alerts

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// TestHTTPChannelsGuarded: webhook, Slack and Discord deliveries go
// through the fetch client's guarded Transport, as the daemon and `alerts
// test` wire them (Deps.HTTP = the fetch client's HTTPClient): a receiver
// on a private address gets nothing, and the refusal is permanent (not
// retried) and says why. With private networks allowed the same channel
// delivers, so the refusal is the guard's.
func TestHTTPChannelsGuarded(t *testing.T) {
	for _, typ := range []string{TypeWebhook, TypeSlack, TypeDiscord} {
		t.Run(typ, func(t *testing.T) {
			rcv := newReceiver(t, nil)
			ch := patientChannel(typ, rcv.URL)
			var logs bytes.Buffer
			guarded := fetch.New(fetch.Options{Timeout: 5 * time.Second}).HTTPClient()
			n := newNotifier(t, ch, Deps{HTTP: guarded, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
			if err == nil || retry {
				t.Fatalf("Notify = %v, %v; want a permanent error", retry, err)
			}
			if !errors.Is(err, fetch.ErrBlockedAddress) || !strings.Contains(err.Error(), "refusing to connect") {
				t.Errorf("error %q does not wrap ErrBlockedAddress", err)
			}
			checkNoLeak(t, "error", err.Error())
			checkNoLeak(t, "log", logs.String())
			if got := len(rcv.requests()); got != 0 {
				t.Fatalf("the private receiver got %d requests", got)
			}
			allowed := fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: true}).HTTPClient()
			if _, err := newNotifier(t, ch, Deps{HTTP: allowed}).Notify(context.Background(), []Alert{sampleAlert()}); err != nil {
				t.Fatalf("with private networks allowed: %v", err)
			}
		})
	}
}

// TestHTTPChannelsRedirectNotFollowed: a receiver that answers with a
// redirect to another address (an internal one, say) is not followed,
// even where private networks are allowed; the body and its signature
// never leave for the Location.
func TestHTTPChannelsRedirectNotFollowed(t *testing.T) {
	inner := newReceiver(t, nil)
	for _, typ := range []string{TypeWebhook, TypeSlack, TypeDiscord} {
		for _, code := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", typ, code), func(t *testing.T) {
				rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, inner.URL+"/metadata", code)
				})
				allowed := fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: true}).HTTPClient()
				retry, err := newNotifier(t, patientChannel(typ, rcv.URL), Deps{HTTP: allowed}).Notify(context.Background(), []Alert{sampleAlert()})
				if err == nil || retry {
					t.Fatalf("Notify = %v, %v; want a permanent error", retry, err)
				}
				checkNoLeak(t, "error", err.Error())
			})
		}
	}
	if n := len(inner.requests()); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

// TestHTTPChannelsBadTLSHideSecrets: a receiver whose certificate is not
// trusted fails permanently, and neither the error nor the logs show the
// URL (a Slack or Discord URL is its own credential), its query, the
// signing secret or a header value.
func TestHTTPChannelsBadTLSHideSecrets(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, typ := range []string{TypeWebhook, TypeSlack, TypeDiscord} {
		t.Run(typ, func(t *testing.T) {
			var logs bytes.Buffer
			client := fetch.New(fetch.Options{Timeout: 10 * time.Second, AllowPrivate: true}).HTTPClient()
			ch := patientChannel(typ, srv.URL)
			n := newNotifier(t, ch, Deps{HTTP: client,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
			if err == nil || retry {
				t.Fatalf("Notify = %v, %v; want a permanent error", retry, err)
			}
			if !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %q does not say the certificate is the problem", err)
			}
			checkNoLeak(t, "error", err.Error())
			checkNoLeak(t, "error printed with %+v and %#v", fmt.Sprintf("%+v %#v", err, err))
			checkNoLeak(t, "log", logs.String())
		})
	}
}

// patientChannel is secretChannel with a timeout that a loaded machine
// meets (these tests are not about timeouts).
func patientChannel(typ, base string) config.Channel {
	ch := secretChannel(typ, base)
	ch.Timeout = config.Duration(10 * time.Second)
	return ch
}

// echoSMTP is a hostile or careless SMTP server on 127.0.0.1 that offers
// one AUTH mechanism and rejects the login, repeating in its 535 reply
// everything the client sent: the base64 blob and its decoded text.
func echoSMTP(t *testing.T, mech string) (port int, sent func() []string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
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
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				say := func(s string) { _, _ = fmt.Fprintf(c, "%s\r\n", s) }
				read := func() string {
					line, _ := r.ReadString('\n')
					line = strings.TrimRight(line, "\r\n")
					mu.Lock()
					lines = append(lines, line)
					mu.Unlock()
					return line
				}
				echo := func(b64 ...string) string {
					var out []string
					for _, b := range b64 {
						dec, _ := base64.StdEncoding.DecodeString(b)
						out = append(out, b, strings.ReplaceAll(string(dec), "\x00", " "))
					}
					return strings.Join(out, " ")
				}
				say("220 localhost ESMTP echo")
				for {
					line := read()
					f := strings.Fields(line)
					if len(f) == 0 {
						return // end of input
					}
					switch strings.ToUpper(f[0]) {
					case "EHLO", "HELO":
						say("250-localhost")
						say("250 AUTH " + mech)
					case "AUTH":
						switch {
						case len(f) >= 3: // PLAIN with an initial response
							say("535 5.7.8 rejected " + echo(f[2]))
						case strings.EqualFold(f[1], "PLAIN"):
							say("334 ")
							say("535 5.7.8 rejected " + echo(read()))
						case strings.EqualFold(f[1], "LOGIN"):
							say("334 VXNlcm5hbWU6")
							user := read()
							say("334 UGFzc3dvcmQ6")
							say("535 5.7.8 rejected " + echo(user, read()))
						default:
							say("504 unsupported")
						}
					case "QUIT":
						say("221 bye")
						return
					case "RSET", "NOOP":
						say("250 ok")
					default:
						say("530 5.7.0 authentication required")
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().(*net.TCPAddr).Port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}

// TestEmailAuthFailureHidesPassword: an SMTP server that repeats the
// client's AUTH exchange in its error reply (plain or base64) does not
// get the password into the delivery error or the logs.
func TestEmailAuthFailureHidesPassword(t *testing.T) {
	const password = "smtp-S3cret-pw-0042"
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			port, sent := echoSMTP(t, mech)
			ch := emailChannel(port, "none")
			ch.SMTP.Password = password
			var logs bytes.Buffer
			n := newNotifier(t, ch, Deps{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
			if err == nil || retry {
				t.Fatalf("Notify = %v, %v; want a permanent error", retry, err)
			}
			if !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "authenticate") {
				t.Errorf("error %q does not say the login was refused", err)
			}
			// The exchange really carried the password, so the server's
			// reply did repeat it.
			var authed bool
			for _, l := range sent() {
				for _, f := range strings.Fields(l) {
					if dec, err := base64.StdEncoding.DecodeString(f); err == nil && strings.Contains(string(dec), password) {
						authed = true
					}
				}
			}
			if !authed {
				t.Fatalf("the client never sent the password; lines: %q", sent())
			}
			for _, secret := range secretForms(smtpUser, password) {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %q: %v", secret, err)
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("log shows %q: %s", secret, logs.String())
				}
			}
		})
	}
}

// secretForms are the ways an SMTP exchange carries a password: as it is,
// base64 alone (LOGIN) and inside a base64 PLAIN response.
func secretForms(user, password string) []string {
	b64 := base64.StdEncoding.EncodeToString
	return []string{password, b64([]byte(password)), b64([]byte("\x00" + user + "\x00" + password)),
		b64([]byte(user + "\x00" + user + "\x00" + password))}
}

// TestEmailHeaderInjection: article text that tries to add headers or
// recipients through CR and LF (in the title, the subject, the source)
// stays in one Subject line; the message goes to the configured
// recipients only and has no header the text wrote.
func TestEmailHeaderInjection(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	mb, port := startSMTP(t, serverTLS, false)
	a := sampleAlert()
	inject := "\r\nBcc: victim@evil.example\r\nX-Injected: yes\r\n\r\n<html>spoofed body"
	a.Milestone.Subject = "Claude" + inject
	a.Figure.Subject = a.Milestone.Subject
	a.Article.Title = "Title" + inject
	a.Article.Source = "src\nBcc: other@evil.example"
	a.Figure.Sentence = "Ran 12 hours." + inject
	a.Sources[0].Title = "Source" + inject
	for _, subject := range []string{"", "{{.Subject}} {{.Article.Title}} {{.Sentence}}"} { // the default subject and one of article text
		ch := emailChannel(port, "starttls")
		ch.Subject = subject
		n := newNotifier(t, ch, Deps{TLSConfig: clientTLS})
		if retry, err := n.Notify(context.Background(), []Alert{a}); err != nil {
			t.Fatalf("Notify (subject %q): %v, %v", subject, retry, err)
		}
	}
	msgs := mb.all()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if strings.Join(m.to, ",") != "research@example.org,ops@example.net" {
			t.Errorf("envelope recipients %q: the text added some", m.to)
		}
		p := parseMail(t, m.data)
		for _, h := range []string{"Bcc", "X-Injected", "Cc"} {
			if v := p.header.Get(h); v != "" {
				t.Errorf("header %s: %q was injected", h, v)
			}
		}
		s := p.subject(t)
		if strings.ContainsAny(s, "\r\n") || !strings.Contains(s, "Bcc: victim@evil.example") {
			t.Errorf("Subject = %q, want the text on one line", s)
		}
		if strings.Contains(p.html, "<html>spoofed") {
			t.Errorf("the HTML part has the text's markup:\n%s", p.html)
		}
		// The whole header block is the message's own: every header
		// line is one of the headers frontierwatch writes.
		head, _, _ := bytes.Cut(m.data, []byte("\r\n\r\n"))
		for _, line := range strings.Split(string(head), "\r\n") {
			if line == "" || line[0] == ' ' || line[0] == '\t' {
				continue // folded continuation
			}
			name, _, _ := strings.Cut(line, ":")
			switch strings.ToLower(name) {
			case "from", "to", "subject", "date", "message-id", "mime-version", "content-type", "user-agent", "x-mailer",
				"x-frontierwatch-delivery", "content-transfer-encoding":
			default:
				t.Errorf("unexpected header line %q", line)
			}
		}
		if _, err := mail.ReadMessage(bytes.NewReader(m.data)); err != nil {
			t.Errorf("the message does not parse: %v", err)
		}
	}
}

// TestWebhookJSONCarriesTextExactly: the webhook body is JSON built by
// encoding/json: hostile article text (quotes, backslashes, control
// characters, </script>, U+2028) arrives as the same string, in a body
// that is valid JSON, and adds no field.
func TestWebhookJSONCarriesTextExactly(t *testing.T) {
	rcv := newReceiver(t, nil)
	a := hostileAlert()
	a.Article.Title = "\"}, \"metric\": \"forged\", \"x\": {\"a\": \"\\ \u2028 \x00 \x1b </script>"
	n := newNotifier(t, webhookChannel(rcv.URL), Deps{})
	if _, err := n.Notify(context.Background(), []Alert{a}); err != nil {
		t.Fatal(err)
	}
	body := rcv.last(t).Body
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %s", body)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v["metric"] != "task_horizon" || v["x"] != nil {
		t.Errorf("the title changed the body's fields: %v", v)
	}
	var w WebhookAlert
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	if w.Article.Title != a.Article.Title || w.Sentence != a.Figure.Sentence {
		t.Errorf("text changed on the way:\n title %q\n want  %q\n sentence %q\n want     %q", w.Article.Title, a.Article.Title, w.Sentence, a.Figure.Sentence)
	}
}
