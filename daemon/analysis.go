package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/figures"
	"github.com/frontierwatch/frontierwatch/ingest"
	"github.com/frontierwatch/frontierwatch/milestones"
	"github.com/frontierwatch/frontierwatch/topics"
)

// metaFirstStart is the meta key holding the daemon's first start: the
// default of alerts.since, so a first backfill floods nobody.
const metaFirstStart = "first_start"

// analysis builds the topic matcher and the figure extractor from config.
func analysis(cfg *config.Config) (ingest.Analysis, error) {
	m, err := topics.NewMatcher(topics.FromConfig(cfg.Topics))
	if err != nil {
		return ingest.Analysis{}, fmt.Errorf("daemon: topics: %w", err)
	}
	return ingest.Analysis{Topics: m, Figures: Extractor(cfg), KeepUnmatched: cfg.Archive.KeepUnmatched}, nil
}

// Extractor is the figure extractor the config describes: the built-in
// metrics and those the config adds.
func Extractor(cfg *config.Config) *figures.Extractor {
	return figures.New(figures.WithMetrics(configMetrics(cfg)...))
}

// configMetrics are the metrics the config adds.
func configMetrics(cfg *config.Config) []figures.MetricDef {
	var defs []figures.MetricDef
	for _, m := range cfg.Metrics {
		defs = append(defs, figures.MetricDef{Name: m.Name, Unit: m.Unit, HigherIsBetter: m.Direction != "lower", Cues: m.Cues})
	}
	return defs
}

// metricDefs are every metric figures may have: the built-in ones and the
// config's.
func metricDefs(cfg *config.Config) []figures.MetricDef {
	return append(figures.BuiltinMetrics(), configMetrics(cfg)...)
}

// rules are the milestone rules the config describes.
func rules(cfg *config.Config) milestones.Rules {
	r := milestones.Rules{Lower: map[string]bool{}}
	for k, v := range milestones.DefaultLower {
		r.Lower[k] = v
	}
	for _, m := range cfg.Metrics {
		if m.Direction == "lower" {
			r.Lower[m.Name] = true
		}
	}
	for _, t := range cfg.Alerts.Thresholds {
		r.Thresholds = append(r.Thresholds, milestones.Threshold{Metric: t.Metric, AtLeast: t.AtLeast, AtMost: t.AtMost})
	}
	return r
}

// alertsSince is alerts.since, or the daemon's first start when unset.
func (d *Daemon) alertsSince(ctx context.Context) (time.Time, error) {
	if t := d.cfg.Alerts.SinceTime(); !t.IsZero() {
		return t, nil
	}
	v, err := d.store.SetMetaOnce(ctx, metaFirstStart, d.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("daemon: stored first start %q: %w", v, err)
	}
	return t, nil
}
