package alerts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
)

// Secrets that no error or log line may show.
const (
	tokenPath   = "/services/T0SECRET/B0SECRET/tokenpath-xyz789"
	tokenQuery  = "token=query-secret-456"
	hmacSecret  = "hmac-secret-value-123"
	headerValue = "Bearer header-secret-abc"
)

var leaks = []string{"T0SECRET", "B0SECRET", "tokenpath-xyz789", "query-secret-456", hmacSecret, "header-secret-abc", tokenPath}

func checkNoLeak(t *testing.T, what, s string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(s, l) {
			t.Errorf("%s leaks %q: %s", what, l, s)
		}
	}
}

func secretChannel(typ, base string) config.Channel {
	ch := config.Channel{
		Name: "ch", Type: typ, URL: config.Secret(base + tokenPath + "?" + tokenQuery),
		Timeout: config.Duration(300 * time.Millisecond),
	}
	if typ == TypeWebhook {
		ch.Secret = hmacSecret
		ch.Headers = map[string]config.Secret{"Authorization": headerValue}
	}
	return ch
}

func TestClassifyHTTP(t *testing.T) {
	dateIn90s := testNow.Add(90 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		retry, ok  bool
		retryAfter time.Duration
	}{
		{"200", 200, nil, "ok", false, true, 0},
		{"204", 204, nil, "", false, true, 0},
		{"500", 500, nil, "boom", true, false, 0},
		{"502", 502, nil, "", true, false, 0},
		{"503 with Retry-After", 503, map[string]string{"Retry-After": "30"}, "", true, false, 30 * time.Second},
		{"429 seconds", 429, map[string]string{"Retry-After": "120"}, "slow down", true, false, 2 * time.Minute},
		{"429 HTTP-date", 429, map[string]string{"Retry-After": dateIn90s}, "", true, false, 90 * time.Second},
		{"429 without Retry-After", 429, nil, "", true, false, 0},
		{"408", 408, nil, "", true, false, 0},
		{"400", 400, nil, "invalid_payload", false, false, 0},
		{"401", 401, nil, "", false, false, 0},
		{"403", 403, nil, "action_prohibited", false, false, 0},
		{"404", 404, nil, "channel_not_found", false, false, 0},
		{"410", 410, nil, "channel_is_archived", false, false, 0},
		{"redirect", 307, map[string]string{"Location": "/elsewhere"}, "", false, false, 0},
		{"echoing receiver", 400, nil, "echo", false, false, 0},
	}
	for _, typ := range []string{TypeWebhook, TypeSlack, TypeDiscord} {
		for _, tt := range tests {
			t.Run(typ+"/"+tt.name, func(t *testing.T) {
				rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
					if tt.body == "echo" { // a receiver that repeats the request in its error
						_, _ = w.Write([]byte("bad request " + r.URL.String() + " auth " + r.Header.Get("Authorization")))
						return
					}
					_, _ = w.Write([]byte(tt.body))
				})
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				n := newNotifier(t, secretChannel(typ, rcv.URL), Deps{Logger: logger})
				retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
				if tt.ok {
					if err != nil || retry {
						t.Fatalf("Notify = %v, %v; want success", retry, err)
					}
				} else {
					if err == nil {
						t.Fatal("Notify succeeded")
					}
					if retry != tt.retry || Retryable(err) != tt.retry {
						t.Errorf("retry = %v (Retryable %v), want %v: %v", retry, Retryable(err), tt.retry, err)
					}
					var e *Error
					if !errors.As(err, &e) || e.Status != tt.status || e.Channel != "ch" {
						t.Errorf("error = %#v", err)
					}
					checkNoLeak(t, "error", err.Error())
				}
				d, ok := RetryAfter(err)
				if ok != (tt.retryAfter > 0) || d != tt.retryAfter {
					t.Errorf("RetryAfter = %v, %v; want %v", d, ok, tt.retryAfter)
				}
				checkNoLeak(t, "log", logs.String())
				if got := len(rcv.requests()); got != 1 {
					t.Errorf("%d requests, want 1 (redirects are not followed)", got)
				}
			})
		}
	}
}

func TestClassifyTransport(t *testing.T) {
	// A port where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	// A receiver that never answers.
	release := make(chan struct{})
	hang := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)

	// Receivers that answer garbage: broken now, perhaps only while they
	// restart, so their deliveries wait for the next attempt.
	garbage := rawReceiver(t, "HTTP/1.1 2OO OK\r\n\r\n")
	switching := rawReceiver(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	notHTTP := rawReceiver(t, "SSH-2.0-OpenSSH_9.6\r\n")

	tests := []struct {
		name, base string
		want       string
	}{
		{"connection refused", refused, "connection refused"},
		{"timeout", hang.URL, "timeout"},
		{"malformed status line", garbage, "malformed HTTP"},
		{"101 answer", switching, "101"},
		{"not HTTP", notHTTP, "malformed HTTP"},
	}
	for _, typ := range []string{TypeWebhook, TypeSlack, TypeDiscord} {
		for _, tt := range tests {
			t.Run(typ+"/"+tt.name, func(t *testing.T) {
				n := newNotifier(t, secretChannel(typ, tt.base), Deps{})
				start := time.Now()
				retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
				if err == nil || !retry {
					t.Fatalf("Notify = %v, %v; want a retryable error", retry, err)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not say %q", err, tt.want)
				}
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("took %v: the channel timeout was not applied", took)
				}
				checkNoLeak(t, "error", err.Error())
				if _, ok := RetryAfter(err); ok {
					t.Error("RetryAfter set without a server")
				}
			})
		}
	}

	// A cancelled context (the daemon stopping) is retried later.
	n := newNotifier(t, secretChannel(TypeWebhook, hang.URL), Deps{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retry, err := n.Notify(ctx, []Alert{sampleAlert()}); err == nil || !retry {
		t.Errorf("cancelled: %v, %v", retry, err)
	}
}

func TestNewErrorsHideSecrets(t *testing.T) {
	for _, ch := range []config.Channel{
		{Name: "bad", Type: TypeSlack, URL: "ftp://hooks.example" + tokenPath},
		{Name: "bad", Type: TypeWebhook, URL: "https://h.example" + tokenPath, Headers: map[string]config.Secret{"X-A": "x\r\n" + headerValue}},
		{Name: "bad", Type: "pager", URL: "https://h.example" + tokenPath},
	} {
		_, err := New(ch, Deps{})
		if err == nil {
			t.Fatalf("New(%s) succeeded", ch.Type)
		}
		checkNoLeak(t, "New error", err.Error())
	}
}

func TestDiscordRetryAfterBody(t *testing.T) {
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(429)
		_, _ = w.Write([]byte(`{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`))
	})
	n := newNotifier(t, config.Channel{Name: "d", Type: TypeDiscord, URL: config.Secret(rcv.URL)}, Deps{})
	retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
	if d, ok := RetryAfter(err); !retry || !ok || d != 1500*time.Millisecond {
		t.Errorf("retry %v, RetryAfter %v %v; want 1.5s from the body", retry, d, ok)
	}
	for _, tt := range []struct {
		body string
		want time.Duration
	}{
		{`{"retry_after": 2}`, 2 * time.Second}, {`{"retry_after": -1}`, 0}, {`{"retry_after": "x"}`, 0},
		{`{"retry_after": 1e300}`, 7 * 24 * time.Hour}, {`nope`, 0},
	} {
		if got := discordRetryAfter([]byte(tt.body)); got != tt.want {
			t.Errorf("discordRetryAfter(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// rawReceiver answers every connection with answer after reading the
// request's head, then closes it; it returns its URL.
func rawReceiver(t *testing.T, answer string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				_, _ = io.WriteString(c, answer)
				// Hold the connection a moment, as a server that hangs up
				// after a bad answer would.
				time.Sleep(100 * time.Millisecond)
			}()
		}
	}()
	return "http://" + l.Addr().String()
}
