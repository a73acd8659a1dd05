package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/alerts"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/ingest"
)

// DeliverArgs is the River job that delivers one milestone on one channel.
type DeliverArgs struct {
	MilestoneID int64  `json:"milestone_id"`
	Channel     string `json:"channel"`
}

// Kind is the job's kind in River's tables.
func (DeliverArgs) Kind() string { return "deliver_alert" }

// InsertOpts makes the (milestone, channel) job unique in every state, so
// it exists once, ever: a milestone is never announced twice on a channel.
// Attempts are bounded by the channel's max_age, not by a count.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1000, Queue: queueAlerts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DigestArgs is the periodic River job that sends a digest channel's
// pending milestones as one message.
type DigestArgs struct {
	Channel string `json:"channel"`
}

// Kind is the job's kind in River's tables.
func (DigestArgs) Kind() string { return "deliver_digest" }

// InsertOpts: one digest of a channel at a time.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Queue: queueAlerts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// queueAlerts keeps deliveries apart from polls, so a slow receiver never
// waits behind (or holds up) polling.
const queueAlerts = "alerts"

// channel is a configured alert channel, ready to send.
type channel struct {
	cfg      config.Channel
	notifier alerts.Notifier
	maxAge   time.Duration
}

// channels builds the notifiers of the config's channels.
func (d *Daemon) buildChannels() (map[string]*channel, []ingest.Channel, error) {
	out := map[string]*channel{}
	var rules []ingest.Channel
	for _, c := range d.cfg.Alerts.Channels {
		n, err := alerts.New(c, alerts.Deps{
			HTTP:       d.client.HTTPClient(),
			Now:        d.now,
			Logger:     d.log.With("component", "alerts", "channel", c.Name),
			UserAgent:  d.client.UserAgent(),
			MinSources: d.cfg.Alerts.MinSources,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("daemon: alert channel %q: %w", c.Name, err)
		}
		maxAge := c.MaxAge.Std()
		if maxAge <= 0 {
			maxAge = 24 * time.Hour
		}
		out[c.Name] = &channel{cfg: c, notifier: n, maxAge: maxAge}
		rules = append(rules, ingest.Channel{Name: c.Name, MinSources: c.MinSources, Metrics: c.Metrics, Kinds: c.Kinds, Digest: c.Digest != ""})
	}
	return out, rules, nil
}

// enqueue queues a delivery job inside the transaction that recorded it.
func (d *Daemon) enqueue(ctx context.Context, tx *sql.Tx, milestoneID int64, ch string) error {
	_, err := d.river.InsertTx(ctx, tx, DeliverArgs{MilestoneID: milestoneID, Channel: ch}, nil)
	return err
}

// alert builds what a channel is told of a milestone.
func (d *Daemon) alert(ctx context.Context, milestoneID int64, ch string) (alerts.Alert, error) {
	m, srcs, err := d.store.Milestone(ctx, milestoneID)
	if err != nil {
		return alerts.Alert{}, err
	}
	a := alerts.Alert{
		DeliveryID: fmt.Sprintf("fw-m%d-%s", milestoneID, ch),
		Milestone:  m.Milestone,
		Figure:     m.Figure.Figure,
		Article: frontierwatch.Article{ID: m.Figure.ArticleID, URL: m.Figure.ArticleURL, Title: m.Figure.ArticleTitle,
			Source: m.Figure.Source, Site: m.Figure.Site, Published: m.Figure.Seen, StoryID: m.Figure.StoryID},
	}
	for _, s := range srcs {
		a.Sources = append(a.Sources, alerts.Source{Site: s.Site, URL: s.URL, Title: s.Title, Published: s.Published})
	}
	return a, nil
}

// silenced reports whether a silence of the config, or one added through
// the API, mutes the alert now.
func (d *Daemon) silenced(ctx context.Context, a alerts.Alert) (bool, error) {
	now := d.now()
	ss := alerts.SilencesFromConfig(d.cfg.Alerts.Silences)
	stored, err := d.store.Silences(ctx, now)
	if err != nil {
		return false, err
	}
	for _, s := range stored {
		ss = append(ss, alerts.Silence{Metric: s.Metric, Subject: s.Subject, Source: s.Source, Until: s.Until, Reason: s.Reason})
	}
	return alerts.Silenced(ss, a, now), nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	d *Daemon
}

// NextRetry backs off exponentially with jitter: about 10 s, 20 s, 40 s, …
// capped at an hour.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(retryDelay(w.d.retryBase, job.Attempt))
}

// retryDelay is base·2^(attempt-1), capped at an hour, ±10% jitter.
func retryDelay(base time.Duration, attempt int) time.Duration {
	d := base << min(max(attempt-1, 0), 12)
	d = min(d, time.Hour)
	jitter := time.Duration(rand.Int64N(int64(d) / 5)) // ±10%
	return d - d/10 + jitter
}

func (w *deliverWorker) Timeout(job *river.Job[DeliverArgs]) time.Duration {
	if ch := w.d.channels[job.Args.Channel]; ch != nil && ch.cfg.Timeout > 0 {
		return ch.cfg.Timeout.Std() + 5*time.Second
	}
	return time.Minute
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	d, args := w.d, job.Args
	ch := d.channels[args.Channel]
	if ch == nil {
		err := fmt.Errorf("channel %q is no longer configured", args.Channel)
		d.finishDelivery(ctx, args, archive.DeliveryFailed, err)
		return river.JobCancel(err)
	}
	if age := time.Since(job.CreatedAt); age > ch.maxAge {
		err := fmt.Errorf("gave up after %s (max_age %s): %s", age.Round(time.Second), ch.maxAge, lastError(job))
		d.finishDelivery(ctx, args, archive.DeliveryFailed, err)
		return river.JobCancel(err)
	}
	a, err := d.alert(ctx, args.MilestoneID, args.Channel)
	if errors.Is(err, archive.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if muted, err := d.silenced(ctx, a); err != nil {
		return err
	} else if muted {
		d.finishDelivery(ctx, args, archive.DeliverySilenced, nil)
		return nil
	}
	start := time.Now()
	retry, err := ch.notifier.Notify(ctx, []alerts.Alert{a})
	d.metrics.deliveryDur.WithLabelValues(args.Channel).Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
		d.finishDelivery(ctx, args, archive.DeliveryDelivered, nil)
		return nil
	case !retry:
		d.finishDelivery(ctx, args, archive.DeliveryFailed, err)
		return river.JobCancel(err)
	}
	d.metrics.deliveries.WithLabelValues(args.Channel, "retry").Inc()
	if rerr := d.store.RecordDelivery(ctx, args.MilestoneID, args.Channel, archive.DeliveryPending, err.Error(), d.now()); rerr != nil {
		d.log.Error("record delivery attempt", "error", rerr.Error())
	}
	if after, ok := alerts.RetryAfter(err); ok && after > 0 {
		// The receiver said when: wait that long, within max_age.
		return river.JobSnooze(min(after, ch.maxAge))
	}
	return err
}

// finishDelivery records a delivery's final state and counts it.
func (d *Daemon) finishDelivery(ctx context.Context, args DeliverArgs, state string, cause error) {
	msg := ""
	if cause != nil {
		msg = cause.Error()
		d.log.Warn("alert not delivered", "milestone_id", args.MilestoneID, "channel", args.Channel, "state", state, "error", msg)
	}
	d.metrics.deliveries.WithLabelValues(args.Channel, state).Inc()
	if err := d.store.RecordDelivery(ctx, args.MilestoneID, args.Channel, state, msg, d.now()); err != nil {
		d.log.Error("record delivery", "error", err.Error())
	}
}

func lastError(job *river.Job[DeliverArgs]) string {
	if n := len(job.Errors); n > 0 {
		return job.Errors[n-1].Error
	}
	return "no attempt succeeded"
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	d *Daemon
}

// Work sends the channel's pending milestones as one digest.
func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	d := w.d
	ch := d.channels[job.Args.Channel]
	if ch == nil {
		return river.JobCancel(fmt.Errorf("channel %q is no longer configured", job.Args.Channel))
	}
	ids, err := d.store.PendingDeliveries(ctx, job.Args.Channel, 500)
	if err != nil || len(ids) == 0 {
		return err
	}
	var batch []alerts.Alert
	var sent []int64
	for _, id := range ids {
		a, err := d.alert(ctx, id, job.Args.Channel)
		if err != nil {
			return err
		}
		if muted, err := d.silenced(ctx, a); err != nil {
			return err
		} else if muted {
			d.finishDelivery(ctx, DeliverArgs{id, job.Args.Channel}, archive.DeliverySilenced, nil)
			continue
		}
		batch, sent = append(batch, a), append(sent, id)
	}
	if len(batch) == 0 {
		return nil
	}
	retry, err := ch.notifier.Notify(ctx, batch)
	if err != nil && retry {
		return err
	}
	state := archive.DeliveryDelivered
	if err != nil {
		state = archive.DeliveryFailed
	}
	for _, id := range sent {
		d.finishDelivery(ctx, DeliverArgs{id, job.Args.Channel}, state, err)
	}
	return nil
}
