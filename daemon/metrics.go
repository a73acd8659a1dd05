package daemon

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/frontierwatch/frontierwatch"
)

// metrics are the daemon's Prometheus metrics, on a registry of its own
// (so two daemons in one test process don't collide).
type metrics struct {
	reg          *prometheus.Registry
	polls        *prometheus.CounterVec   // source, status
	pollErrors   *prometheus.CounterVec   // source
	pollDuration *prometheus.HistogramVec // kind
	articles     *prometheus.CounterVec   // outcome
	figures      prometheus.Counter
	milestones   prometheus.Counter
	deliveries   *prometheus.CounterVec   // channel, outcome
	deliveryDur  *prometheus.HistogramVec // channel
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontierwatch_polls_total", Help: "Polls of a source, by how they ended (ok, not_modified, error, backing_off, unsupported).",
		}, []string{"source", "status"}),
		pollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontierwatch_poll_errors_total", Help: "Failed polls of a source.",
		}, []string{"source"}),
		pollDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "frontierwatch_poll_duration_seconds", Help: "Time to poll one source and store what it had.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"kind"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontierwatch_articles_total", Help: "Items polled, by outcome: new (archived), duplicate (archived, joined a known story), known (already archived), unmatched (no topic, not archived).",
		}, []string{"outcome"}),
		figures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontierwatch_figures_total", Help: "Headline figures extracted from new articles.",
		}),
		milestones: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontierwatch_milestones_total", Help: "Milestones detected.",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontierwatch_deliveries_total", Help: "Alert delivery attempts on a channel, by outcome (delivered, retry, failed, silenced).",
		}, []string{"channel", "outcome"}),
		deliveryDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "frontierwatch_delivery_duration_seconds", Help: "Time of one alert delivery attempt.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "frontierwatch_build_info", Help: "The running version.", ConstLabels: prometheus.Labels{"version": frontierwatch.Version},
	})
	build.Set(1)
	m.reg.MustRegister(m.polls, m.pollErrors, m.pollDuration, m.articles, m.figures, m.milestones, m.deliveries, m.deliveryDur, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observePoll counts one poll.
func (m *metrics) observePoll(kind frontierwatch.SourceKind, r Report, took time.Duration) {
	m.polls.WithLabelValues(r.Source, string(r.Status)).Inc()
	if r.Status == StatusError {
		m.pollErrors.WithLabelValues(r.Source).Inc()
	}
	if r.Status == StatusBackingOff {
		return
	}
	m.pollDuration.WithLabelValues(string(kind)).Observe(took.Seconds())
	m.articles.WithLabelValues("new").Add(float64(r.New - r.Duplicates))
	m.articles.WithLabelValues("duplicate").Add(float64(r.Duplicates))
	m.articles.WithLabelValues("known").Add(float64(r.Known))
	m.articles.WithLabelValues("unmatched").Add(float64(r.Unmatched))
	m.figures.Add(float64(r.Figures))
	m.milestones.Add(float64(r.Milestones))
}

// Metrics serves the daemon's metrics in the Prometheus text format.
func (d *Daemon) Metrics() http.Handler {
	return promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{Registry: d.metrics.reg})
}
