package api

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
)

// slowGaugeTTL is how long an expensive gauge (cluster counts, store size) is cached:
// a scrape every few seconds must not walk the store every time.
const slowGaugeTTL = 30 * time.Second

// metrics are the server's Prometheus series, registered on a registry the server owns
// (no global registry, so two servers in one test process do not collide).
type metrics struct {
	reg       *prometheus.Registry
	ingested  *prometheus.CounterVec
	rejected  prometheus.Counter
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	auditErrs prometheus.Counter
}

func newMetrics(eng Engine, dataDir string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "personagraph_records_ingested_total",
			Help: "Records accepted by ingest, by result: new, updated or unchanged (a redelivered or repeated record).",
		}, []string{"result"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "personagraph_records_rejected_total",
			Help: "Input records rejected as malformed.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "personagraph_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "personagraph_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		auditErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "personagraph_audit_write_errors_total",
			Help: "Audit log lines that could not be written.",
		}),
	}
	for _, r := range []string{"new", "updated", "unchanged"} {
		m.ingested.WithLabelValues(r) // export zeros, so rate() works from the first scrape
	}
	m.reg.MustRegister(m.ingested, m.rejected, m.requests, m.latency, m.auditErrs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	for _, l := range graph.Levels() {
		c := &cached{fn: func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cs, err := eng.Clusters(ctx, l, engine.ClusterFilter{MinSize: 2})
			if err != nil {
				return -1
			}
			return float64(len(cs))
		}}
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "personagraph_clusters",
			Help:        "Clusters of two or more records, by level (cached for 30 s; -1 when counting failed).",
			ConstLabels: prometheus.Labels{"level": l.String()},
		}, c.get))
	}
	if dataDir != "" {
		c := &cached{fn: func() float64 { return float64(graph.DiskUsage(dataDir)) }}
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "personagraph_store_bytes",
			Help: "Bytes on disk under the data directory (cached for 30 s).",
		}, c.get))
	}
	return m
}

// countIngest adds an ingest summary to the counters.
func (m *metrics) countIngest(s engine.Summary) {
	m.ingested.WithLabelValues("new").Add(float64(s.New))
	m.ingested.WithLabelValues("updated").Add(float64(s.Updated))
	m.ingested.WithLabelValues("unchanged").Add(float64(s.Unchanged))
	m.rejected.Add(float64(s.Rejected))
}

func (m *metrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// cached memoises an expensive gauge value for slowGaugeTTL.
type cached struct {
	fn func() float64

	mu  sync.Mutex // held while computing, so concurrent scrapes compute once
	at  time.Time
	val float64
}

func (c *cached) get() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= slowGaugeTTL {
		c.val, c.at = c.fn(), time.Now()
	}
	return c.val
}
