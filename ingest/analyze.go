package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/figures"
	"github.com/frontierwatch/frontierwatch/milestones"
	"github.com/frontierwatch/frontierwatch/topics"
)

// Analysis is what the pipeline learns of each article before storing it:
// the topics it matches and the headline figures it states.
type Analysis struct {
	Topics  *topics.Matcher
	Figures *figures.Extractor
	// KeepUnmatched stores articles that match no topic; otherwise they are
	// only remembered as known URLs (archive.keep_unmatched).
	KeepUnmatched bool
}

// WithAnalysis runs topic matching and figure extraction on every article.
func WithAnalysis(a Analysis) Option { return func(p *Pipeline) { p.analysis = &a } }

// Channel is what the pipeline needs to know of an alert channel to record
// a milestone's delivery on it.
type Channel struct {
	Name string
	// MinSources is the distinct sites a milestone needs before this
	// channel hears of it (0: Alerting.MinSources).
	MinSources int
	// Metrics and Kinds filter what the channel hears of; empty means all.
	Metrics []string
	Kinds   []string
	// Digest channels collect their deliveries for a periodic digest:
	// the delivery is recorded but no job is queued for it.
	Digest bool
}

func (c Channel) accepts(metric string, kind frontierwatch.MilestoneKind) bool {
	return (len(c.Metrics) == 0 || slices.Contains(c.Metrics, metric)) &&
		(len(c.Kinds) == 0 || slices.Contains(c.Kinds, string(kind)))
}

// Alerting is how milestones are detected and announced.
type Alerting struct {
	Rules milestones.Rules
	// Since: milestones from articles published before it alert nobody.
	Since time.Time
	// MinSources distinct sites confirm a milestone (default 1).
	MinSources int
	Channels   []Channel
	// Enqueue queues the delivery of a milestone on a channel, inside the
	// transaction that recorded it (a River job inserted with tx), so the
	// delivery exists exactly when the milestone does.
	Enqueue func(ctx context.Context, tx *sql.Tx, milestoneID int64, channel string) error
}

// WithAlerting detects milestones and records their deliveries.
func WithAlerting(a Alerting) Option { return func(p *Pipeline) { p.alerting = a } }

// builtin are the metrics of DESIGN.md; figures of other metrics don't make
// an article more relevant.
var builtin = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range figures.BuiltinMetrics() {
		m[d.Name] = true
	}
	return m
}()

// analyze extracts each article's figures and matches its topics. It
// returns the articles to store and the URLs of those that matched no
// topic (when they are not kept).
func (p *Pipeline) analyze(arts []frontierwatch.Article, summaries []string) (keep []frontierwatch.Article, unmatched []string) {
	a := p.analysis
	if a == nil {
		return arts, nil
	}
	keep = arts[:0:0]
	for i, art := range arts {
		if a.Figures != nil {
			art.Figures = a.Figures.Extract(art.Text, art.Published)
		}
		if a.Topics != nil {
			headline := 0
			for _, f := range art.Figures {
				if builtin[f.Metric] && !f.Forecast {
					headline++
				}
			}
			art.Topics = a.Topics.Match(topics.Doc{Title: art.Title, Summary: summaries[i], Text: art.Text, URL: art.URL}, headline)
			if len(art.Topics) == 0 && !a.KeepUnmatched {
				unmatched = append(unmatched, art.URL)
				continue
			}
		}
		keep = append(keep, art)
	}
	return keep, unmatched
}

// storeFigures is the CommitPoll hook that stores the new articles'
// figures, detects the milestones they make, adds later reports of a known
// claim to its milestone as sources, and records the deliveries due.
func (p *Pipeline) storeFigures(ctx context.Context, tx *archive.Tx, inserted []frontierwatch.Article) (figs, made int, err error) {
	al := &p.alerting
	var keys []string
	for _, a := range inserted {
		for _, f := range a.Figures {
			if !f.Forecast {
				keys = append(keys, milestones.Key(f))
			}
		}
	}
	if err := tx.LockKeys(ctx, keys); err != nil {
		return 0, 0, err
	}
	for _, a := range inserted {
		seen := published(a)
		for _, f := range a.Figures {
			row := archive.FigureRow{Figure: f, Key: milestones.Key(f), SeenAt: seen}
			v, ok := al.Rules.Value(f)
			if ok {
				row.Comparable = &v
			}
			fid, err := tx.InsertFigure(ctx, a.ID, row)
			if err != nil {
				return figs, made, err
			}
			figs++
			if f.Forecast || !ok {
				continue
			}
			// A later report of a claim already made a milestone adds a
			// source to it, and alerts only if that confirms it.
			mid, kind, err := tx.SameMilestone(ctx, row.Key, f.Subject, v, a.StoryID)
			if err != nil {
				return figs, made, err
			}
			if mid == 0 {
				best, known, err := tx.Best(ctx, row.Key, al.Rules.Direction(f.Metric) == milestones.LowerIsBetter, fid)
				if err != nil {
					return figs, made, err
				}
				d := al.Rules.Decide(f, milestones.Best{Value: best, Known: known})
				if d.Kind == "" {
					continue
				}
				m := archive.MilestoneRow{Kind: d.Kind, Metric: f.Metric, Key: row.Key, Subject: f.Subject, Benchmark: f.Benchmark,
					Value: d.Value, Unit: f.Unit, Beats: d.Beats, FigureID: fid, StoryID: a.StoryID, DetectedAt: tx.At(),
					Alert: al.Since.IsZero() || !seen.Before(al.Since)}
				if d.Threshold != nil {
					m.Threshold = d.Threshold.String()
				}
				if mid, err = tx.InsertMilestone(ctx, m); err != nil {
					return figs, made, err
				}
				kind = d.Kind
				made++
			}
			sites, alert, added, err := tx.AddMilestoneSource(ctx, mid, a.ID, fid, a.Site)
			if err != nil {
				return figs, made, err
			}
			if added {
				if err := p.due(ctx, tx, mid, kind, f.Metric, sites, alert); err != nil {
					return figs, made, err
				}
			}
		}
	}
	return figs, made, nil
}

// due confirms a milestone reported by enough sites and records (and
// queues) its delivery on each channel that wants it and has not had it.
func (p *Pipeline) due(ctx context.Context, tx *archive.Tx, mid int64, kind frontierwatch.MilestoneKind, metric string, sites int, alert bool) error {
	al := &p.alerting
	if sites >= max(1, al.MinSources) {
		if _, err := tx.Confirm(ctx, mid); err != nil {
			return err
		}
	}
	if !alert {
		return nil
	}
	for _, ch := range al.Channels {
		need := ch.MinSources
		if need <= 0 {
			need = max(1, al.MinSources)
		}
		if sites < need || !ch.accepts(metric, kind) {
			continue
		}
		added, err := tx.AddDelivery(ctx, mid, ch.Name, "pending")
		if err != nil {
			return err
		}
		if added && !ch.Digest && al.Enqueue != nil {
			if err := al.Enqueue(ctx, tx.SQL(), mid, ch.Name); err != nil {
				return fmt.Errorf("ingest: queue delivery of milestone %d on %s: %w", mid, ch.Name, err)
			}
		}
	}
	return nil
}
