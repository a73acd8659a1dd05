package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// httpNotifier posts JSON to a webhook, Slack or Discord URL.
type httpNotifier struct {
	baseNotifier
	url     string
	secret  []byte      // webhook signing key; nil means unsigned
	headers http.Header // the channel's own headers
	client  *http.Client
	red     *redactor
	// payload renders the body of a delivery.
	payload func(alerts []Alert) ([]byte, error)
}

// reservedHeaders are set by frontierwatch; the channel's headers cannot
// replace them.
var reservedHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Host": true, "User-Agent": true,
	HeaderIdempotencyKey: true, HeaderSignature: true,
	"X-Frontierwatch-Delivery": true, "X-Frontierwatch-Test": true,
}

func newHTTPNotifier(ch config.Channel, base baseNotifier) (*httpNotifier, error) {
	n := &httpNotifier{baseNotifier: base, url: ch.URL.Reveal(), headers: http.Header{}, red: &redactor{}}
	n.red.addURL(n.url)
	if safeURL(n.url) == "" {
		return nil, fmt.Errorf("alerts: channel %q: url is not an absolute http:// or https:// URL", ch.Name)
	}
	if s := ch.Secret.Reveal(); s != "" {
		n.secret = []byte(s)
		n.red.add(s)
	}
	for k, v := range ch.Headers {
		n.red.add(v.Reveal())
		k = http.CanonicalHeaderKey(k)
		if reservedHeaders[k] {
			continue // config validation says so; a Channel built in code is quietly corrected
		}
		if strings.ContainsAny(v.Reveal(), "\r\n\x00") {
			return nil, fmt.Errorf("alerts: channel %q: the value of header %q must be one line", ch.Name, k)
		}
		n.headers.Set(k, v.Reveal())
	}
	client := http.Client{Timeout: 0}
	if base.deps.HTTP != nil {
		client = *base.deps.HTTP
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	n.client = &client

	switch ch.Type {
	case TypeWebhook:
		if ch.TemplateText != "" {
			return nil, fmt.Errorf("alerts: channel %q: a webhook's body is fixed JSON: template_text_file does not apply", ch.Name)
		}
		n.payload = func(alerts []Alert) ([]byte, error) { return webhookBody(alerts, n.deps) }
	case TypeSlack:
		n.payload = n.slackPayload
	case TypeDiscord:
		n.payload = n.discordPayload
	}
	return n, nil
}

// preview renders a delivery without sending it.
func (n *httpNotifier) preview(alerts []Alert) error {
	_, err := n.payload(alerts)
	return err
}

// Notify posts alerts as one message.
func (n *httpNotifier) Notify(ctx context.Context, alerts []Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	key := deliveryKey(alerts)
	body, err := n.payload(alerts)
	if err != nil {
		return result(n.red.errorf(n.name, false, nil, "render %s message: %v", n.typ, err))
	}
	start := n.deps.now()
	if err := n.post(ctx, body, key); err != nil {
		n.log.DebugContext(ctx, "alert delivery failed", "delivery_id", key, "alerts", len(alerts), "error", err.Error())
		return result(err)
	}
	n.log.DebugContext(ctx, "alert delivered", "delivery_id", key, "alerts", len(alerts), "took", n.deps.now().Sub(start))
	return false, nil
}

// maxErrorBody is how much of an error answer is read, and errorSnippet
// how much of it goes into the error message.
const (
	maxErrorBody = 64 << 10
	errorSnippet = 200
)

// post sends body and classifies the outcome.
func (n *httpNotifier) post(ctx context.Context, body []byte, key string) error {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return n.red.errorf(n.name, false, nil, "invalid URL")
	}
	for k, vs := range n.headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", n.deps.userAgent())
	req.Header.Set(HeaderIdempotencyKey, key)
	if n.secret != nil {
		req.Header.Set(HeaderSignature, Sign(n.secret, body))
	}
	resp, err := n.client.Do(req)
	if err != nil {
		cause := unwrapURLError(err)
		return n.red.errorf(n.name, httpTransportRetry(cause), cause, "POST: %s", describeTransport(cause, n.timeout))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	code := resp.StatusCode
	// 1xx is no final answer: the receiver misbehaves, as with garbage.
	retry := code >= 500 || code < 200 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
	var wait time.Duration
	if retry {
		wait = fetch.ParseRetryAfter(resp.Header.Get("Retry-After"), n.deps.now())
		if wait == 0 && n.typ == TypeDiscord && code == http.StatusTooManyRequests {
			wait = discordRetryAfter(answer)
		}
	}
	msg := fmt.Sprintf("POST: %d %s", code, http.StatusText(code))
	if code >= 300 && code < 400 {
		msg += " (redirects are not followed: fix the URL)"
	}
	if s := snippet(answer); s != "" {
		msg += ": " + s
	}
	if wait > 0 {
		msg += fmt.Sprintf(" (retry after %s)", wait)
	}
	e := n.red.errorf(n.name, retry, nil, "%s", msg)
	e.Status, e.RetryAfter = code, wait
	return e
}

// unwrapURLError returns the cause inside a *url.Error, whose own message
// holds the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// snippet returns the start of an error answer on one line, or "" when
// it does not look like text.
func snippet(b []byte) string {
	s := oneLine(string(b))
	if s == "" || strings.ContainsRune(s, '\uFFFD') {
		return ""
	}
	return truncate(s, errorSnippet)
}

// discordRetryAfter reads the retry_after (seconds) of a Discord 429 body.
func discordRetryAfter(body []byte) time.Duration {
	var v struct {
		RetryAfter json.Number `json:"retry_after"`
	}
	if json.Unmarshal(body, &v) != nil {
		return 0
	}
	f, err := strconv.ParseFloat(v.RetryAfter.String(), 64)
	switch {
	case err != nil || math.IsNaN(f) || f <= 0:
		return 0
	case f >= fetch.MaxRetryAfter.Seconds():
		return fetch.MaxRetryAfter
	}
	return time.Duration(f * float64(time.Second))
}
