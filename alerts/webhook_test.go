package alerts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frontierwatch/frontierwatch/config"
)

func webhookChannel(url string) config.Channel {
	return config.Channel{
		Name: "team-webhook", Type: TypeWebhook, URL: config.Secret(url), Secret: "whsec-test-0123456789",
		Headers: map[string]config.Secret{
			"X-Team":                    "research",
			"Authorization":             "Bearer header-token-abc",
			"idempotency-key":           "forged", // reserved: ignored
			"X-Frontierwatch-Signature": "sha256=forged",
		},
	}
}

func TestWebhookDelivery(t *testing.T) {
	rcv := newReceiver(t, nil)
	n := newNotifier(t, webhookChannel(rcv.URL+"/hooks/fw"), Deps{PublicURL: "https://fw.example/", MinSources: 2})
	if n.Name() != "team-webhook" {
		t.Errorf("Name = %q", n.Name())
	}
	a := sampleAlert()
	for range 2 { // a retry sends the same key and the same bytes
		if retry, err := n.Notify(context.Background(), []Alert{a}); err != nil {
			t.Fatalf("Notify: retry=%v err=%v", retry, err)
		}
	}
	reqs := rcv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		mac := hmac.New(sha256.New, []byte("whsec-test-0123456789"))
		mac.Write(r.Body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if got := r.Header.Get("X-Frontierwatch-Signature"); got != want {
			t.Errorf("signature = %q, want %q (HMAC of the received body)", got, want)
		}
		if !VerifySignature([]byte("whsec-test-0123456789"), r.Body, r.Header.Get(HeaderSignature)) {
			t.Error("VerifySignature rejects a good signature")
		}
		if VerifySignature([]byte("other"), r.Body, r.Header.Get(HeaderSignature)) {
			t.Error("VerifySignature accepts another secret")
		}
		if got := r.Header.Get("Idempotency-Key"); got != "ms-42-team-webhook" {
			t.Errorf("Idempotency-Key = %q", got)
		}
		if got := r.Header.Values("Idempotency-Key"); len(got) != 1 {
			t.Errorf("Idempotency-Key values = %q", got)
		}
		if r.Header.Get("X-Team") != "research" || r.Header.Get("Authorization") != "Bearer header-token-abc" {
			t.Errorf("custom headers missing: %v", r.Header)
		}
		if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "frontierwatch/") {
			t.Errorf("content type %q, user agent %q", r.Header.Get("Content-Type"), r.Header.Get("User-Agent"))
		}
	}
	if string(reqs[0].Body) != string(reqs[1].Body) {
		t.Error("a retry sent a different body")
	}
	golden(t, "webhook.golden.json", reqs[0].Body)

	var body WebhookAlert
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ID != "ms-42-team-webhook" || body.Test || !body.Confirmed || body.SourceCount != 2 || *body.Beats != 8 ||
		body.Article.URL != a.Article.URL || len(body.Sources) != 2 || body.Link != "https://fw.example/" {
		t.Errorf("body = %+v", body)
	}
}

func TestWebhookDigestAndTest(t *testing.T) {
	rcv := newReceiver(t, nil)
	ch := webhookChannel(rcv.URL)
	n := newNotifier(t, ch, Deps{MinSources: 2})
	a, b := sampleAlert(), secondAlert()
	if _, err := n.Notify(context.Background(), []Alert{a, b}); err != nil {
		t.Fatal(err)
	}
	first := rcv.last(t)
	golden(t, "webhook_digest.golden.json", first.Body)
	var d WebhookDigest
	if err := json.Unmarshal(first.Body, &d); err != nil {
		t.Fatal(err)
	}
	if !d.Digest || d.Count != 2 || len(d.Alerts) != 2 || d.Alerts[1].Confirmed || !d.Alerts[0].Confirmed {
		t.Errorf("digest = %+v", d)
	}
	if key := first.Header.Get("Idempotency-Key"); key != d.ID || !strings.HasPrefix(key, "digest-") {
		t.Errorf("digest key %q, id %q", key, d.ID)
	}
	// The same alerts in another order are the same delivery.
	if _, err := n.Notify(context.Background(), []Alert{b, a}); err != nil {
		t.Fatal(err)
	}
	if got := rcv.last(t).Header.Get("Idempotency-Key"); got != d.ID {
		t.Errorf("reordered digest key %q, want %q", got, d.ID)
	}

	// A test alert says so.
	ta := SampleAlert("team-webhook", testNow)
	if _, err := n.Notify(context.Background(), []Alert{ta}); err != nil {
		t.Fatal(err)
	}
	var body WebhookAlert
	if err := json.Unmarshal(rcv.last(t).Body, &body); err != nil {
		t.Fatal(err)
	}
	if !body.Test || body.ID != ta.DeliveryID {
		t.Errorf("test alert body: test=%v id=%q", body.Test, body.ID)
	}
}

func TestWebhookUnsigned(t *testing.T) {
	rcv := newReceiver(t, nil)
	n := newNotifier(t, config.Channel{Name: "plain", Type: TypeWebhook, URL: config.Secret(rcv.URL)}, Deps{})
	if _, err := n.Notify(context.Background(), []Alert{sampleAlert()}); err != nil {
		t.Fatal(err)
	}
	if sig := rcv.last(t).Header.Get(HeaderSignature); sig != "" {
		t.Errorf("unsigned webhook sent signature %q", sig)
	}
	// Nothing to send is no request.
	if retry, err := n.Notify(context.Background(), nil); retry || err != nil {
		t.Errorf("empty Notify = %v, %v", retry, err)
	}
	if got := len(rcv.requests()); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

func TestSign(t *testing.T) {
	// RFC 4231 test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	if want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
