// Package daemon wires frontierwatch together: the archive, the HTTP
// client, the pollers and the ingest pipeline, the durable schedules that
// run them (River periodic jobs), the HTTP server, and graceful shutdown.
// The CLI and the end-to-end tests build on the same Daemon.
package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/crawler"
	"github.com/frontierwatch/frontierwatch/dedup"
	"github.com/frontierwatch/frontierwatch/feeds"
	"github.com/frontierwatch/frontierwatch/fetch"
	"github.com/frontierwatch/frontierwatch/ingest"
)

// Daemon is one frontierwatch instance.
type Daemon struct {
	cfg     *config.Config
	log     *slog.Logger
	now     func() time.Time
	store   *archive.Store
	client  *fetch.Client
	poller  *feeds.Poller
	crawler *crawler.Crawler
	full    *ingest.FullText
	pipe    *ingest.Pipeline
	backoff feeds.Backoff
	metrics *metrics

	river    *river.Client[*sql.Tx]
	channels map[string]*channel
	// oneShot daemons (the poll command) work deliveries but not polls.
	oneShot bool
	// retryBase is the first delay before a failed delivery is retried.
	retryBase time.Duration
	onListen  func(addr string)
	// seeds are the extra seed pages of site sources (config only: sites
	// come from the config file).
	seeds map[string][]string

	// resyncEvery is how often Run reloads the sources from the archive
	// (sources added or removed by the CLI while the daemon runs).
	resyncEvery time.Duration
	// indexEvery is how often Run adds new articles to the search index.
	indexEvery time.Duration
	// fetchEvery is how often River looks for jobs to work (SQLite has no
	// LISTEN/NOTIFY); zero means River's default (1 s).
	fetchEvery time.Duration
}

// Option configures a Daemon.
type Option func(*Daemon)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(d *Daemon) { d.log = l } }

// WithClock sets the clock for poll state and backoff (tests).
func WithClock(now func() time.Time) Option { return func(d *Daemon) { d.now = now } }

// WithResyncInterval sets how often a running daemon reloads its sources.
func WithResyncInterval(every time.Duration) Option {
	return func(d *Daemon) { d.resyncEvery = every }
}

// OneShot makes a daemon for one cycle (the poll command): PollAll and
// DeliverPending, not Run.
func OneShot() Option { return func(d *Daemon) { d.oneShot = true } }

// OnListen calls fn with the address Run serves on, once it listens.
func OnListen(fn func(addr string)) Option { return func(d *Daemon) { d.onListen = fn } }

// WithRetryBase sets the first delay before a failed delivery is retried
// (tests).
func WithRetryBase(d time.Duration) Option { return func(dm *Daemon) { dm.retryBase = d } }

// WithFetchInterval sets how often River looks for due jobs (tests).
func WithFetchInterval(every time.Duration) Option {
	return func(d *Daemon) { d.fetchEvery = every }
}

// New opens the archive named by cfg (creating and migrating it), stores the
// config's sources in it, and prepares the clients. Close releases it all.
func New(ctx context.Context, cfg *config.Config, opts ...Option) (*Daemon, error) {
	d := &Daemon{
		cfg:         cfg,
		log:         slog.New(slog.DiscardHandler),
		now:         time.Now,
		resyncEvery: time.Minute,
		indexEvery:  10 * time.Second,
		metrics:     newMetrics(),
		retryBase:   10 * time.Second,
	}
	for _, o := range opts {
		o(d)
	}
	d.seeds = map[string][]string{}
	for _, s := range cfg.Sources {
		if len(s.Seeds) > 0 {
			d.seeds[s.Name] = s.Seeds
		}
	}
	store, err := archive.Open(ctx, cfg.Database.URL, archive.WithLogger(d.log.With("component", "archive")),
		archive.WithRankWindow(cfg.Archive.SearchRankWindow))
	if err != nil {
		return nil, err
	}
	d.store = store
	if err := store.SyncConfigSources(ctx, cfg.FeedSources()); err != nil {
		store.Close()
		return nil, fmt.Errorf("daemon: store config sources: %w", err)
	}
	d.client = fetch.New(fetch.Options{
		UserAgent:      cfg.HTTP.UserAgent,
		Timeout:        cfg.HTTP.Timeout.Std(),
		ConnectTimeout: cfg.HTTP.ConnectTimeout.Std(),
		HeaderTimeout:  cfg.HTTP.HeaderTimeout.Std(),
		MaxBody:        int64(cfg.HTTP.MaxBody),
		MaxRedirects:   cfg.HTTP.MaxRedirects,
		AllowPrivate:   cfg.HTTP.AllowPrivateNetworks,
	})
	d.poller = feeds.NewPoller(d.client)
	d.crawler = d.newCrawler()
	d.full = ingest.NewFullText(d.client, store, ingest.FullTextOptions{MinWords: cfg.Defaults.FullTextMinWords,
		Canonicalizer: dedup.NewCanonicalizer(cfg.Dedup.TrackingParams...), Logger: d.log.With("component", "fulltext")})
	an, err := analysis(cfg)
	if err != nil {
		store.Close()
		return nil, err
	}
	since, err := d.alertsSince(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	chans, chanRules, err := d.buildChannels()
	if err != nil {
		store.Close()
		return nil, err
	}
	d.channels = chans
	if d.river, err = d.newRiver(); err != nil {
		store.Close()
		return nil, fmt.Errorf("daemon: river: %w", err)
	}
	d.pipe = ingest.New(store, ingest.WithClock(d.now), ingest.WithLogger(d.log.With("component", "ingest")),
		ingest.WithCanonicalizer(dedup.NewCanonicalizer(cfg.Dedup.TrackingParams...)),
		ingest.WithAnalysis(an),
		ingest.WithAlerting(ingest.Alerting{Rules: rules(cfg), Since: since, MinSources: cfg.Alerts.MinSources,
			Channels: chanRules, Enqueue: d.enqueue}))
	if err := d.pipe.Load(ctx); err != nil {
		store.Close()
		return nil, err
	}
	d.backoff = feeds.Backoff{Base: cfg.Poll.BaseBackoff.Std(), Max: cfg.Poll.MaxBackoff.Std()}
	return d, nil
}

// Store is the daemon's archive.
func (d *Daemon) Store() *archive.Store { return d.store }

// Close closes the archive.
func (d *Daemon) Close() error { return d.store.Close() }

// Status says how one poll of a source ended.
type Status string

// The statuses of a poll.
const (
	StatusOK          Status = "ok"           // fetched and stored (New may be 0)
	StatusNotModified Status = "not_modified" // 304: nothing to do
	StatusError       Status = "error"        // the source failed; recorded on it
	StatusBackingOff  Status = "backing_off"  // not polled: still in backoff
	StatusUnsupported Status = "unsupported"  // a kind this build cannot poll yet
)

// Report is the outcome of polling one source.
type Report struct {
	Source string
	Status Status
	New    int // articles archived for the first time
	Known  int // items the archive already had
	// Unmatched are new items that matched no topic (not archived unless
	// archive.keep_unmatched); Duplicates new articles that joined an
	// existing story; Figures and Milestones what the new articles made.
	Unmatched  int
	Duplicates int
	Figures    int
	Milestones int
	Err        error
	Duration   time.Duration
	// Retry is when a failing or backing-off source is due again.
	Retry time.Time
}

// PollSource polls one source now, unless it is backing off and force is
// false, and stores what it finds. A failure of the source is recorded on it
// and returned in the report; the error result is for failures of the
// daemon itself (the archive), which are worth retrying.
func (d *Daemon) PollSource(ctx context.Context, src frontierwatch.Source, force bool) (Report, error) {
	start := time.Now()
	r, err := d.pollSource(ctx, src, force)
	if err == nil {
		d.metrics.observePoll(src.Kind, r, time.Since(start))
	}
	return r, err
}

func (d *Daemon) pollSource(ctx context.Context, src frontierwatch.Source, force bool) (Report, error) {
	start := d.now()
	r := Report{Source: src.Name}
	if !force && !src.State.NextAttemptAt.IsZero() && start.Before(src.State.NextAttemptAt) {
		r.Status, r.Retry = StatusBackingOff, src.State.NextAttemptAt
		return r, nil
	}
	log := d.log.With("source", src.Name)
	if src.Kind != frontierwatch.KindFeed {
		return d.pollSite(ctx, src, r, start)
	}
	res, err := d.poller.Poll(ctx, src)
	if ctx.Err() != nil {
		// Stopping: the poll did not fail, it was interrupted. Nothing is
		// recorded, so the next start polls again.
		return r, ctx.Err()
	}
	switch {
	case err != nil:
		return d.recordFailure(ctx, src, r, start, err)
	case res.NotModified:
		if err := d.store.RecordNotModified(ctx, src.ID, d.now()); err != nil {
			return r, err
		}
		r.Status = StatusNotModified
	default:
		out, err := d.pipe.Ingest(ctx, ingest.Batch{
			Source:       src,
			Documents:    d.fullText(ctx, src, res.Documents),
			ETag:         res.ETag,
			LastModified: res.LastModified,
			NewURL:       res.PermanentURL,
		})
		if err != nil {
			return r, err
		}
		if res.PermanentURL != "" && res.PermanentURL != src.URL {
			log.Info("feed moved permanently", "old_url", fetch.RedactURL(src.URL), "new_url", fetch.RedactURL(res.PermanentURL))
		}
		r.Status, r.New, r.Known = StatusOK, out.New, out.Known
		r.Unmatched, r.Duplicates, r.Figures, r.Milestones = out.Unmatched, out.Duplicates, out.Figures, out.Milestones
	}
	r.Duration = d.now().Sub(start)
	log.Debug("polled", "status", r.Status, "new", r.New, "known", r.Known, "duration", r.Duration)
	return r, nil
}

func (d *Daemon) recordFailure(ctx context.Context, src frontierwatch.Source, r Report, start time.Time, perr error) (Report, error) {
	now := d.now()
	retryAfter, _ := fetch.RetryAfter(perr)
	next := d.backoff.NextAttempt(now, src.State.Failures+1, retryAfter)
	if _, err := d.store.RecordFailure(ctx, src.ID, now, perr.Error(), next); err != nil {
		return r, errors.Join(perr, err)
	}
	r.Status, r.Err, r.Retry, r.Duration = StatusError, perr, next, now.Sub(start)
	d.log.Warn("poll failed", "source", src.Name, "error", perr.Error(), "failures", src.State.Failures+1, "retry_at", next)
	return r, nil
}
