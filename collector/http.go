package collector

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics (Prometheus text format), /scoreboard.json and
// /healthz.
func (c *Collector) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&metrics{c: c})
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/scoreboard.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(c.Scoreboard())
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		sb := c.Scoreboard()
		if sb.Collector.LastWriteErr != "" && sb.Collector.Queued > 0 {
			http.Error(w, "spool not writable: "+sb.Collector.LastWriteErr, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	return mux
}

// metrics exports the scoreboard at scrape time.
type metrics struct{ c *Collector }

var (
	descReceived     = prometheus.NewDesc("porthole_collector_received_total", "Valid bus messages received: a batch datagram counts once per message it carries (senders' mlog_sent counts datagrams).", nil, nil)
	descRejected     = prometheus.NewDesc("porthole_collector_rejected_total", "Datagrams rejected, by reason.", []string{"reason"}, nil)
	descLost         = prometheus.NewDesc("porthole_collector_lost_total", "Sequence numbers never received, all senders.", nil, nil)
	descKernel       = prometheus.NewDesc("porthole_collector_kernel_drops_total", "Datagrams the kernel dropped: receive buffer full.", nil, nil)
	descWritten      = prometheus.NewDesc("porthole_collector_spool_records_total", "Records written to the spool.", nil, nil)
	descSpoolBytes   = prometheus.NewDesc("porthole_collector_spool_bytes_total", "Bytes written to the spool.", nil, nil)
	descWriteErrors  = prometheus.NewDesc("porthole_collector_spool_write_errors_total", "Failed spool writes.", nil, nil)
	descSpoolDropped = prometheus.NewDesc("porthole_collector_spool_dropped_total", "Records received but not written: memory queue full while the spool failed.", nil, nil)
	descMetricErrors = prometheus.NewDesc("porthole_collector_metric_errors_total", "Series left out of a scrape because a value could not be exported.", nil, nil)
	descSeqEvents    = prometheus.NewDesc("porthole_collector_sequence_total", "Sequence numbers set aside, by what they were: duplicate, late (after their gap was written), old (too far behind to tell), epoch (a jump beyond the sane window: a new start).", []string{"kind"}, nil)
	descEvicted      = prometheus.NewDesc("porthole_collector_evicted_total", "State dropped to respect a cap (the longest-silent first), by what: sender, server.", []string{"what"}, nil)
	descTracked      = prometheus.NewDesc("porthole_collector_senders", "Sender ids tracked now.", nil, nil)
	descOneOff       = prometheus.NewDesc("porthole_collector_one_off_total", "Messages of one-off senders (porthole log): spooled, not servers.", nil, nil)
	descHandoff      = prometheus.NewDesc("porthole_collector_ingest_handoff_total", "Messages that arrived while maintenance held the ingest lock: handed to it (handed_off), or the handoff was full and receiving waited (full).", []string{"outcome"}, nil)
	descIDConflicts  = prometheus.NewDesc("porthole_collector_id_conflicts_total", "Datagrams whose sender id another process (pid or host) uses.", nil, nil)
	descServers      = prometheus.NewDesc("porthole_servers", "Known servers, by state.", []string{"state"}, nil)
	descServerUp     = prometheus.NewDesc("porthole_server_up", "1 when the server announced within 3 intervals.", []string{"host", "program", "pid"}, nil)
	descServerLost   = prometheus.NewDesc("porthole_server_lost_total", "Datagrams of the server never received.", []string{"host", "program", "pid"}, nil)
	descCounter      = prometheus.NewDesc("porthole_server_announced_total", "A counter announced by a server.", []string{"host", "program", "pid", "name"}, nil)
	descGauge        = prometheus.NewDesc("porthole_server_announced_value", "A gauge announced by a server.", []string{"host", "program", "pid", "name"}, nil)
	descLoad         = prometheus.NewDesc("porthole_server_load_ratio", "Share of time a server's worker was busy (0-1).", []string{"host", "program", "pid", "name"}, nil)
	descTaskOverdue  = prometheus.NewDesc("porthole_server_task_overdue", "1 when a server's periodic task is overdue.", []string{"host", "program", "pid", "name"}, nil)
	descTaskFailed   = prometheus.NewDesc("porthole_server_task_failed", "1 when a server's periodic task last failed.", []string{"host", "program", "pid", "name"}, nil)
)

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReceived, descRejected, descLost, descKernel, descWritten, descSpoolBytes,
		descWriteErrors, descSpoolDropped, descMetricErrors, descSeqEvents, descEvicted, descTracked, descOneOff, descIDConflicts, descHandoff, descServers, descServerUp, descServerLost, descCounter, descGauge, descLoad,
		descTaskOverdue, descTaskFailed} {
		ch <- d
	}
	describeSyslog(ch)
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	sb := m.c.Scoreboard()
	s := sb.Collector
	// One bad value costs its own series, never the whole scrape.
	emit := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		if mt, err := prometheus.NewConstMetric(d, t, v, labels...); err == nil {
			ch <- mt
		} else {
			m.c.metricErrors.Add(1)
		}
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) { emit(d, prometheus.CounterValue, v, labels...) }
	gauge := func(d *prometheus.Desc, v float64, labels ...string) { emit(d, prometheus.GaugeValue, v, labels...) }
	counter(descReceived, float64(s.Received))
	for reason, n := range s.Rejected {
		counter(descRejected, float64(n), reason)
	}
	counter(descLost, float64(s.Lost))
	counter(descKernel, float64(s.KernelDrops))
	counter(descWritten, float64(s.Written))
	counter(descSpoolBytes, float64(s.SpoolBytes))
	counter(descWriteErrors, float64(s.WriteErrors))
	counter(descSpoolDropped, float64(s.SpoolDropped))
	counter(descMetricErrors, float64(m.c.metricErrors.Load()))
	counter(descSeqEvents, float64(s.Duplicates), "duplicate")
	counter(descSeqEvents, float64(s.Late), "late")
	counter(descSeqEvents, float64(s.Old), "old")
	counter(descSeqEvents, float64(s.Epochs), "epoch")
	counter(descEvicted, float64(s.SendersEvicted), "sender")
	counter(descEvicted, float64(s.ServersEvicted), "server")
	gauge(descTracked, float64(s.Senders))
	counter(descOneOff, float64(s.OneOff))
	counter(descIDConflicts, float64(s.IDConflicts))
	counter(descHandoff, float64(m.c.handoff.total.Load()), "handed_off")
	counter(descHandoff, float64(m.c.handoff.full.Load()), "full")
	collectSyslog(s.Syslog, counter)
	states := map[string]int{StateUp: 0, StateStale: 0, StateGone: 0}
	seen := map[[4]string]bool{}
	for _, sv := range sb.Servers {
		states[sv.State]++
		up := 0.0
		if sv.State == StateUp {
			up = 1
		}
		pid := strconv.Itoa(sv.PID)
		gauge(descServerUp, up, sv.Host, sv.Program, pid)
		counter(descServerLost, float64(sv.Lost), sv.Host, sv.Program, pid)
		for name, v := range sv.Counters {
			counter(descCounter, float64(v), sv.Host, sv.Program, pid, name)
		}
		for name, v := range sv.Gauges {
			gauge(descGauge, float64(v), sv.Host, sv.Program, pid, name)
		}
		for name, v := range sv.Load {
			gauge(descLoad, v/100, sv.Host, sv.Program, pid, name)
		}
		for _, t := range sv.Tasks {
			k := [4]string{sv.Host, sv.Program, pid, t.Name}
			if seen[k] {
				continue
			}
			seen[k] = true
			gauge(descTaskOverdue, b2f(t.Overdue), sv.Host, sv.Program, pid, t.Name)
			gauge(descTaskFailed, b2f(t.Result == "failed"), sv.Host, sv.Program, pid, t.Name)
		}
	}
	for st, n := range states {
		gauge(descServers, float64(n), st)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
