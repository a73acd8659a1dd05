package alerts

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// WebhookAlert is the JSON body of one alert sent to a generic webhook.
//
// A generic webhook gets one POST per delivery with a JSON body
// (Content-Type: application/json) and these headers:
//
//	Idempotency-Key: <the delivery ID; the same on every retry>
//	X-Frontierwatch-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the channel's secret>
//	User-Agent: frontierwatch/<version> (+https://github.com/frontierwatch/frontierwatch)
//
// plus the channel's own headers, which cannot replace these. The
// signature is sent only when the channel has a secret. A receiver checks
// it by computing the HMAC over the body as received, before parsing it,
// and comparing in constant time. Any 2xx answer is success.
//
// The body of one alert is a WebhookAlert:
//
//	{
//	  "id": "ms-42-team-webhook",          // the delivery ID (= Idempotency-Key)
//	  "test": false,                       // true for `alerts test`
//	  "kind": "record",                    // record | threshold | first
//	  "metric": "task_horizon",
//	  "subject": "Claude 4.6 Opus",        // "" when unknown
//	  "value": 12,                         // the milestone's value, in unit
//	  "unit": "hours",
//	  "qualifier": "over",                 // exact | over | under | up_to | at_least | about | range
//	  "beats": 8,                          // the record it beats; null when none
//	  "confirmed": true,                   // reported by at least alerts.min_sources sites
//	  "source_count": 2,                   // distinct sites that report it
//	  "detected_at": "2026-03-04T05:06:07Z",
//	  "headline": "new record for task_horizon: over 12 hours (Claude 4.6 Opus)",
//	  "figure": {"metric", "value", "min", "max", "unit", "qualifier", "subject",
//	             "benchmark", "as_of", "forecast", "surface", "sentence"},
//	  "sentence": "…",                     // the sentence that states the figure
//	  "article": {"title", "url", "source", "site", "published"},
//	  "sources": [{"site", "url", "title", "published"}],
//	  "link": "https://frontierwatch.example/"   // the web page; omitted when not configured
//	}
//
// A digest is a WebhookDigest: {"id": "digest-<hash>", "test": false,
// "digest": true, "count": 2, "alerts": [WebhookAlert, …]}; its id is the
// Idempotency-Key. testdata/webhook.golden.json and
// testdata/webhook_digest.golden.json are full examples.
type WebhookAlert struct {
	ID          string         `json:"id"`
	Test        bool           `json:"test"`
	Kind        string         `json:"kind"`
	Metric      string         `json:"metric"`
	Subject     string         `json:"subject"`
	Value       float64        `json:"value"`
	Unit        string         `json:"unit"`
	Qualifier   string         `json:"qualifier"`
	Beats       *float64       `json:"beats"`
	Confirmed   bool           `json:"confirmed"`
	SourceCount int            `json:"source_count"`
	DetectedAt  time.Time      `json:"detected_at"`
	Headline    string         `json:"headline"`
	Figure      WebhookFigure  `json:"figure"`
	Sentence    string         `json:"sentence"`
	Article     WebhookArticle `json:"article"`
	Sources     []Source       `json:"sources"`
	Link        string         `json:"link,omitempty"`
}

// WebhookFigure is the figure of a WebhookAlert.
type WebhookFigure struct {
	Metric    string   `json:"metric"`
	Value     *float64 `json:"value"`
	Min       *float64 `json:"min"`
	Max       *float64 `json:"max"`
	Unit      string   `json:"unit"`
	Qualifier string   `json:"qualifier"`
	Subject   string   `json:"subject"`
	Benchmark string   `json:"benchmark"`
	AsOf      string   `json:"as_of"`
	Forecast  bool     `json:"forecast"`
	Surface   string   `json:"surface"`
	Sentence  string   `json:"sentence"`
}

// WebhookArticle is the first article of a WebhookAlert.
type WebhookArticle struct {
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Site      string    `json:"site"`
	Published time.Time `json:"published,omitzero"`
}

// WebhookDigest is the JSON body of a digest sent to a generic webhook.
type WebhookDigest struct {
	ID     string         `json:"id"`
	Test   bool           `json:"test"`
	Digest bool           `json:"digest"` // always true
	Count  int            `json:"count"`
	Alerts []WebhookAlert `json:"alerts"`
}

// Webhook headers.
const (
	HeaderSignature      = "X-Frontierwatch-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// newWebhookAlert builds the body of one alert.
func newWebhookAlert(a Alert, deps Deps) WebhookAlert {
	ms, fig := a.Milestone, a.Figure
	subject := ms.Subject
	if subject == "" {
		subject = fig.Subject
	}
	w := WebhookAlert{
		ID: a.ID(), Test: a.Test, Kind: string(ms.Kind), Metric: ms.Metric, Subject: subject,
		Value: ms.Value, Unit: fig.Unit, Qualifier: string(fig.Qualifier), Beats: ms.Beats,
		SourceCount: a.SourceCount(), DetectedAt: ms.DetectedAt.UTC(), Headline: headline(a),
		Figure: WebhookFigure{
			Metric: fig.Metric, Value: fig.Value, Min: fig.Min, Max: fig.Max, Unit: fig.Unit,
			Qualifier: string(fig.Qualifier), Subject: fig.Subject, Benchmark: fig.Benchmark,
			AsOf: fig.AsOf, Forecast: fig.Forecast, Surface: fig.Surface, Sentence: fig.Sentence,
		},
		Sentence: fig.Sentence,
		Article: WebhookArticle{
			Title: a.Article.Title, URL: a.Article.URL, Source: a.Article.Source,
			Site: a.Article.Site, Published: a.Article.Published.UTC(),
		},
		Sources: make([]Source, 0, len(a.Sources)),
		Link:    safeURL(deps.PublicURL),
	}
	w.Confirmed = w.SourceCount >= deps.minSources()
	for _, s := range a.Sources {
		s.Published = s.Published.UTC()
		w.Sources = append(w.Sources, s)
	}
	return w
}

// webhookBody returns the JSON body of a delivery: a WebhookAlert, or a
// WebhookDigest for more than one alert.
func webhookBody(alerts []Alert, deps Deps) ([]byte, error) {
	if len(alerts) == 1 {
		return marshalJSON(newWebhookAlert(alerts[0], deps))
	}
	d := WebhookDigest{ID: deliveryKey(alerts), Test: anyTest(alerts), Digest: true, Count: len(alerts)}
	for _, a := range alerts {
		d.Alerts = append(d.Alerts, newWebhookAlert(a, deps))
	}
	return marshalJSON(d)
}

// Sign returns the X-Frontierwatch-Signature value of body:
// "sha256=" and the hex HMAC-SHA256 of body keyed with secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether sig is body's signature with secret,
// comparing in constant time; for receivers written in Go.
func VerifySignature(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// marshalJSON encodes v without escaping <, > and & (receivers parse JSON,
// they don't paste it into HTML), so bodies stay readable.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
