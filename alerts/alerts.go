// Package alerts holds the notifiers that tell people about a new milestone:
// a generic signed webhook, Slack and Discord incoming webhooks, and email
// over SMTP. Each is a Notifier built by New from one configured channel.
//
// A Notifier delivers one Alert, or a digest of several in one message, and
// says whether a failure is worth retrying: 5xx, 429, 408, timeouts, refused
// or reset connections and SMTP 4xx replies are; other 4xx answers, SMTP 5xx
// replies (a wrong password) and TLS certificate errors are not. RetryAfter
// gives the server's Retry-After when it sent one. Durable delivery (jobs,
// backoff, max_age) belongs to the caller.
//
// Formats: a webhook gets a signed JSON body (WebhookAlert, WebhookDigest;
// testdata/webhook.golden.json); Slack a Block Kit message; Discord a
// message with one embed and no allowed mentions; email a
// multipart/alternative message whose Message-ID comes from the delivery
// ID. A digest (more than one alert) is one message in every format. A
// test alert (Alert.Test) says so in every format, whatever the templates.
//
// Filter says which alerts a channel takes (metrics, kinds, min_sources);
// Silenced says whether a silence mutes an alert.
//
// Messages are rendered from templates that can be overridden in config:
// subject (email, text/template), template_text_file (email plain text,
// Slack and Discord text; text/template) and template_html_file (email
// HTML; html/template). Templates get a *Message. Strings in it are already
// escaped for Slack or Discord when the template renders for them; the
// HTML template escapes for itself. No template can make Slack or Discord
// ping anyone or show a masked link from article text.
//
// Errors and logs never contain a webhook URL (Slack and Discord URLs are
// credentials), a signing secret, an SMTP password or a header value.
package alerts

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

// Source is one distinct site that reports a milestone.
type Source struct {
	Site      string    `json:"site"`  // registrable domain, e.g. example.org
	URL       string    `json:"url"`   // the article on that site
	Title     string    `json:"title"` // its title
	Published time.Time `json:"published,omitzero"`
}

// Alert is one milestone as delivered to one channel.
type Alert struct {
	// DeliveryID is stable per (milestone, channel) and the same on every
	// retry: it is the webhook's Idempotency-Key and the email's
	// Message-ID. Empty means "milestone-<Milestone.ID>".
	DeliveryID string
	Milestone  frontierwatch.Milestone
	// Figure is the figure that made the milestone (its Sentence,
	// Surface, Subject, AsOf…).
	Figure frontierwatch.Figure
	// Article is the first article that reported it.
	Article frontierwatch.Article
	// Sources are the distinct sites that report it.
	Sources []Source
	// Test marks an alert sent by `alerts test`: every format says it is
	// a test.
	Test bool
}

// ID returns the alert's delivery ID, or "milestone-<ID>" when it has none.
func (a Alert) ID() string {
	if a.DeliveryID != "" {
		return a.DeliveryID
	}
	return fmt.Sprintf("milestone-%d", a.Milestone.ID)
}

// SourceCount returns how many distinct sites report the milestone:
// Milestone.Sources, else Sources, else 1 when there is an article.
func (a Alert) SourceCount() int {
	if n := countDistinct(a.Milestone.Sources, func(s string) string { return s }); n > 0 {
		return n
	}
	if n := countDistinct(a.Sources, func(s Source) string { return s.Site }); n > 0 {
		return n
	}
	if a.Article.URL != "" || a.Article.Site != "" {
		return 1
	}
	return 0
}

func countDistinct[T any](xs []T, key func(T) string) int {
	seen := map[string]bool{}
	for _, x := range xs {
		if k := strings.ToLower(strings.TrimSpace(key(x))); k != "" {
			seen[k] = true
		}
	}
	return len(seen)
}

// Notifier delivers alerts to one channel. The notifiers of New are safe
// for concurrent use.
type Notifier interface {
	// Name returns the channel's name.
	Name() string
	// Notify delivers one alert, or a digest of several (len > 1) as one
	// message. On failure, retry says whether trying again later may
	// succeed, and RetryAfter(err) gives the server's wish when it said.
	// An empty alerts is a no-op.
	Notify(ctx context.Context, alerts []Alert) (retry bool, err error)
}

// Deps are what notifiers share.
type Deps struct {
	// HTTP sends webhook, Slack and Discord requests: pass the fetch
	// client's HTTPClient(), whose Transport refuses private addresses
	// (the daemon and `alerts test` do). nil means a plain client of its
	// own, without that guard, for tests. Redirects are never followed (a
	// 3xx is a permanent failure): a webhook must not move.
	HTTP *http.Client
	// Now is the clock (Date headers, Retry-After dates); nil means
	// time.Now.
	Now func() time.Time
	// Logger receives debug lines about deliveries; nil means none.
	Logger *slog.Logger
	// PublicURL is the address of frontierwatch's web page, linked from
	// messages; "" means no link.
	PublicURL string
	// UserAgent of webhook requests; "" means frontierwatch/<version>.
	UserAgent string
	// MinSources is alerts.min_sources: a milestone is "confirmed" when
	// that many distinct sites report it. 0 means 1.
	MinSources int
	// TLSConfig is used for SMTP (STARTTLS and implicit TLS); nil means
	// the system's roots. Its ServerName defaults to the SMTP host.
	TLSConfig *tls.Config
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (d Deps) userAgent() string {
	if d.UserAgent != "" {
		return d.UserAgent
	}
	return "frontierwatch/" + frontierwatch.Version + " (+" + frontierwatch.ProjectURL + ")"
}

func (d Deps) minSources() int { return max(d.MinSources, 1) }

// Channel types.
const (
	TypeWebhook = "webhook"
	TypeSlack   = "slack"
	TypeDiscord = "discord"
	TypeEmail   = "email"
)

// Default delivery settings, used when a channel built in code leaves them
// zero (config.Load fills them in).
const (
	DefaultTimeout = 10 * time.Second
)

// New returns the notifier of one configured channel. It parses the
// channel's templates and renders them once on a sample alert, so that a
// template that cannot render is an error now rather than at delivery.
// Errors name the channel and never contain a secret.
func New(ch config.Channel, deps Deps) (Notifier, error) {
	tpl, err := parseTemplates(ch)
	if err != nil {
		return nil, err
	}
	base := baseNotifier{name: ch.Name, typ: ch.Type, deps: deps, tpl: tpl, timeout: ch.Timeout.Std()}
	if base.timeout <= 0 {
		base.timeout = DefaultTimeout
	}
	base.log = deps.logger().With("component", "alerts", "channel", ch.Name, "channel_type", ch.Type)
	var n Notifier
	switch ch.Type {
	case TypeWebhook, TypeSlack, TypeDiscord:
		n, err = newHTTPNotifier(ch, base)
	case TypeEmail:
		n, err = newEmailNotifier(ch, base)
	default:
		return nil, fmt.Errorf("alerts: channel %q: unknown type %q (want webhook, slack, discord or email)", ch.Name, ch.Type)
	}
	if err != nil {
		return nil, err
	}
	if err := checkTemplates(n, base); err != nil {
		return nil, err
	}
	return n, nil
}

// baseNotifier is what every notifier has.
type baseNotifier struct {
	name    string
	typ     string
	deps    Deps
	tpl     templates
	timeout time.Duration
	log     *slog.Logger
}

// Name returns the channel's name.
func (b *baseNotifier) Name() string { return b.name }

// deliveryKey returns the idempotency key of a delivery: the alert's ID,
// or for a digest "digest-" and a hash of its alerts' sorted IDs, so that
// a retried digest of the same alerts has the same key.
func deliveryKey(alerts []Alert) string {
	if len(alerts) == 1 {
		return alerts[0].ID()
	}
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID()
	}
	slices.Sort(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return "digest-" + hex.EncodeToString(sum[:16])
}

// anyTest reports whether any alert is a test.
func anyTest(alerts []Alert) bool {
	return slices.ContainsFunc(alerts, func(a Alert) bool { return a.Test })
}

// SampleAlert returns a made-up alert marked as a test, for `alerts test`:
// a task-horizon record with one article and two sources.
func SampleAlert(channel string, now time.Time) Alert {
	now = now.UTC().Truncate(time.Second)
	v, beats := 12.0, 8.0
	return Alert{
		DeliveryID: fmt.Sprintf("test-%s-%d", channel, now.Unix()),
		Test:       true,
		Milestone: frontierwatch.Milestone{
			Kind: frontierwatch.MilestoneRecord, Metric: "task_horizon", Subject: "Example Model",
			Value: v, Beats: &beats, Sources: []string{"example.org", "example.net"}, DetectedAt: now,
		},
		Figure: frontierwatch.Figure{
			Metric: "task_horizon", Value: &v, Unit: "hours", Qualifier: frontierwatch.Exact,
			Subject: "Example Model", Surface: "12 hours",
			Sentence: "This is a test alert from frontierwatch: Example Model completed tasks that take people 12 hours.",
		},
		Article: frontierwatch.Article{
			URL: "https://example.org/frontierwatch-test", Source: "example", Site: "example.org",
			Title: "frontierwatch test alert", Published: now,
		},
		Sources: []Source{
			{Site: "example.org", URL: "https://example.org/frontierwatch-test", Title: "frontierwatch test alert", Published: now},
			{Site: "example.net", URL: "https://example.net/frontierwatch-test", Title: "frontierwatch test alert (copy)", Published: now},
		},
	}
}
