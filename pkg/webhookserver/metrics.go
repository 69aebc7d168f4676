package webhookserver

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gitward/gitward/pkg/gitview"
)

// Metrics are the webhook's Prometheus metrics, in their own registry.
type Metrics struct {
	Registry  *prometheus.Registry
	decisions *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	cache     *prometheus.CounterVec
	fetches   *prometheus.CounterVec
	renders   *prometheus.HistogramVec
}

// NewMetrics creates and registers the metrics (plus Go and process
// collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_webhook_decisions_total",
			Help: "Admission decisions by webhook (its short name; empty on the shared /validate path), action (allowed, denied, warned, break-glass, errored) and reason.",
		}, []string{"webhook", "action", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitward_webhook_decision_duration_seconds",
			Help:    "Time to decide an admission request, by action.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"action"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_webhook_render_cache_lookups_total",
			Help: "Look-ups of per-commit renderings, by source and result (hit, miss).",
		}, []string{"source", "result"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_webhook_git_fetches_total",
			Help: "Git fetches by source, why (clone, poll, miss, refresh) and result (ok, error).",
		}, []string{"source", "why", "result"}),
		renders: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitward_webhook_render_duration_seconds",
			Help:    "Time to render a source at a commit.",
			Buckets: prometheus.DefBuckets,
		}, []string{"source"}),
	}
	m.Registry.MustRegister(m.decisions, m.latency, m.cache, m.fetches, m.renders,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts a decision of webhook; a nil *Metrics does nothing.
func (m *Metrics) observe(webhook, action, reason string, d time.Duration) {
	if m == nil {
		return
	}
	m.decisions.WithLabelValues(webhook, action, reason).Inc()
	m.latency.WithLabelValues(action).Observe(d.Seconds())
}

// Hooks returns the gitview hooks that count source's cache look-ups,
// fetches and renders.
func (m *Metrics) Hooks(source string) gitview.Hooks {
	if m == nil {
		return gitview.Hooks{}
	}
	hit, miss := m.cache.WithLabelValues(source, "hit"), m.cache.WithLabelValues(source, "miss")
	return gitview.Hooks{
		Cache: func(h bool) {
			if h {
				hit.Inc()
			} else {
				miss.Inc()
			}
		},
		Fetch: func(why string, _ time.Duration, err error) {
			result := "ok"
			if err != nil {
				result = "error"
			}
			m.fetches.WithLabelValues(source, why, result).Inc()
		},
		Render: func(d time.Duration, _ int, _ error) { m.renders.WithLabelValues(source).Observe(d.Seconds()) },
	}
}
