package web

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"aesop/lti"
)

// Metrics are the Prometheus metrics served at /metrics. Each Metrics has its
// own registry, so tests can make several without clashing.
type Metrics struct {
	reg      *prometheus.Registry
	launches *prometheus.CounterVec
	requests *prometheus.HistogramVec
}

// NewMetrics registers the tool's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		launches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aesop_launches_total",
			Help: "LTI logins, launches and registrations by step, outcome and refusal reason.",
		}, []string{"step", "outcome", "reason"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aesop_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route", "status"}),
	}
	m.reg.MustRegister(m.launches, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchDB adds the database connection pool's figures (go_sql_*): its
// connections in use and idle, and how often and how long queries waited
// for a connection, the first sign of a pool too small for the load.
func (m *Metrics) WatchDB(db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, "aesop"))
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Launch counts one outcome of a step ("login", "launch", "registration").
func (m *Metrics) Launch(step string, reason lti.Reason) {
	outcome := "ok"
	if reason != "" {
		outcome = "refused"
	}
	m.launches.WithLabelValues(step, outcome, string(reason)).Inc()
}

func (m *Metrics) observeRequest(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}
