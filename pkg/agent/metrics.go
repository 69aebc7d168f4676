package agent

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the agent's Prometheus metrics, labelled by source.
type Metrics struct {
	Cycles        *prometheus.CounterVec   // gitward_agent_cycles_total{source,trigger,result}
	CycleSeconds  *prometheus.HistogramVec // gitward_agent_cycle_duration_seconds{source}
	Objects       *prometheus.GaugeVec     // gitward_agent_objects{source,state}
	ApplyWrites   *prometheus.CounterVec   // gitward_agent_applied_objects_total{source}
	PruneDeletes  *prometheus.CounterVec   // gitward_agent_pruned_objects_total{source}
	LastSuccess   *prometheus.GaugeVec     // gitward_agent_last_success_timestamp_seconds{source}
	FetchFailures *prometheus.CounterVec   // gitward_agent_fetch_failures_total{source}
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_agent_cycles_total", Help: "Sync cycles by trigger and result.",
		}, []string{"source", "trigger", "result"}),
		CycleSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gitward_agent_cycle_duration_seconds", Help: "Duration of sync cycles.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60},
		}, []string{"source"}),
		Objects: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitward_agent_objects", Help: "Objects of the last cycle by state (managed, applied, pruned, failed, drifted).",
		}, []string{"source", "state"}),
		ApplyWrites: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_agent_applied_objects_total", Help: "Objects written by server-side apply.",
		}, []string{"source"}),
		PruneDeletes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_agent_pruned_objects_total", Help: "Objects deleted by pruning.",
		}, []string{"source"}),
		LastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitward_agent_last_success_timestamp_seconds", Help: "Time of the last cycle without failures.",
		}, []string{"source"}),
		FetchFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitward_agent_fetch_failures_total", Help: "Failed fetches.",
		}, []string{"source"}),
	}
	for _, c := range []prometheus.Collector{m.Cycles, m.CycleSeconds, m.Objects, m.ApplyWrites, m.PruneDeletes, m.LastSuccess, m.FetchFailures} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
