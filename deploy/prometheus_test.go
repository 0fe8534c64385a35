package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

// startCollector runs a collector fed by the bus, with its HTTP handler on
// a free loopback port, and returns that address.
func startCollector(t *testing.T, ctx context.Context) string {
	t.Helper()
	c, err := collector.New(collector.Config{SpoolDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r, err := mlog.Listen(mlog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c.WatchReceiver(r)
	go c.Run(ctx, r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); r.Close(); c.Close() })
	return ln.Addr().String()
}

// startPrometheus runs the real Prometheus server on 127.0.0.1, scraping
// targets every second with the alerting rules loaded, and waits until it
// is ready. It returns its base URL.
func startPrometheus(t *testing.T, bin string, targets ...string) string {
	t.Helper()
	dir := t.TempDir()
	rules, _ := filepath.Abs("prometheus/porthole-rules.yml")
	quoted, _ := json.Marshal(targets)
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - %q\n"+
		"scrape_configs:\n  - job_name: porthole\n    static_configs:\n      - targets: %s\n", rules, quoted)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port in this test's own network namespace
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	logf, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	base := "http://" + addr
	waitFor(t, "prometheus ready", func() (bool, error) {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == 200, nil
	})
	return base
}

// waitFor polls cond until it holds, for at most a minute (Prometheus
// scrapes and evaluates once a second; a loaded machine may lag).
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within a minute (last: %v)", what, last)
}

// sample is one series of an instant query's result.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant PromQL query through the HTTP API.
func query(base, q string) ([]sample, error) {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	var out []sample
	for _, x := range r.Data.Result {
		s, _ := x.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v", q, x.Value[1])
		}
		out = append(out, sample{Metric: x.Metric, Value: v})
	}
	return out, nil
}

// expectSeries waits until q returns one series per collector, each with
// the labels want and value v.
func expectSeries(t *testing.T, base, q string, collectors []string, want map[string]string, v float64) {
	t.Helper()
	waitFor(t, q, func() (bool, error) {
		got, err := query(base, q)
		if err != nil {
			return false, err
		}
		seen := map[string]bool{}
		for _, s := range got {
			for k, lv := range want {
				if s.Metric[k] != lv {
					return false, fmt.Errorf("%v: label %s=%q, want %q", s.Metric, k, s.Metric[k], lv)
				}
			}
			if s.Value != v {
				return false, fmt.Errorf("%v = %v, want %v", s.Metric, s.Value, v)
			}
			seen[s.Metric["instance"]] = true
		}
		for _, c := range collectors {
			if !seen[c] {
				return false, fmt.Errorf("no series from collector %s: %v", c, got)
			}
		}
		return true, nil
	})
}

// rawBus sends hand-made datagrams to the bus group on lo.
type rawBus struct {
	c   *ipv4.PacketConn
	dst *net.UDPAddr
}

func newRawBus(t *testing.T) *rawBus {
	t.Helper()
	c, err := net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := ipv4.NewPacketConn(c)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(p.SetMulticastInterface(lo), p.SetMulticastTTL(1), p.SetMulticastLoopback(true)); err != nil {
		t.Fatal(err)
	}
	dst, _ := net.ResolveUDPAddr("udp4", mlog.DefaultGroup)
	return &rawBus{c: p, dst: dst}
}

// send sends log datagrams of one sender with the given sequence numbers.
func (b *rawBus) send(t *testing.T, sender uint64, seqs ...uint64) {
	t.Helper()
	for _, seq := range seqs {
		m := &mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq, Time: time.Now(), Host: "h2", Program: "lossy", PID: 42, Msg: "m"}
		d, err := mlog.Encode(m, nil, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.c.WriteTo(d, nil, b.dst); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPrometheusScrapesCollectors runs the real Prometheus against two
// collectors fed by real bus traffic: a daemon announcing a counter, a
// failed task and an overdue one, and a sender whose datagrams have gaps.
func TestPrometheusScrapesCollectors(t *testing.T) {
	bin := tool(t, "prometheus", "prometheus")
	if !netns.Run(t) {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cols := []string{startCollector(t, ctx), startCollector(t, ctx)}

	seg, err := shmstat.Create("app", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg")})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Counter("requests", "requests served").Add(1234)
	seg.Gauge("queue", "queue length").Set(5)
	backup := seg.Task("backup", time.Hour)
	backup.Start()
	backup.Done(errors.New("disk full"))
	seg.Task("sync", 50*time.Millisecond).Start() // never ends: overdue
	bus, err := mlog.New(mlog.Config{Program: "app", Host: "h1", Segment: seg})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	bus.Announce(200 * time.Millisecond)

	raw := newRawBus(t)
	const lossy = 0x10551
	raw.send(t, lossy, 1, 2, 3)
	prom := startPrometheus(t, bin, cols...)

	app := map[string]string{"job": "porthole", "host": "h1", "program": "app"}
	expectSeries(t, prom, `porthole_server_announced_total{name="requests"}`, cols, with(app, "name", "requests"), 1234)
	expectSeries(t, prom, `porthole_server_announced_value{name="queue"}`, cols, with(app, "name", "queue"), 5)
	expectSeries(t, prom, `porthole_server_task_failed{name="backup"}`, cols, with(app, "name", "backup"), 1)
	expectSeries(t, prom, `porthole_server_task_overdue{name="sync"}`, cols, with(app, "name", "sync"), 1)
	expectSeries(t, prom, `porthole_server_up{program="app"}`, cols, app, 1)

	// Loss after Prometheus has seen the sender whole, so the rule's
	// increase() sees it grow: 4, 5 and 6 never sent.
	lossyLabels := map[string]string{"job": "porthole", "host": "h2", "program": "lossy"}
	expectSeries(t, prom, `porthole_server_lost_total{program="lossy"}`, cols, lossyLabels, 0)
	raw.send(t, lossy, 7, 8, 9)
	expectSeries(t, prom, `porthole_server_lost_total{program="lossy"}`, cols, lossyLabels, 3)
	expectSeries(t, prom, `porthole_collector_lost_total`, cols, map[string]string{"job": "porthole"}, 3)

	// The shipped rules, evaluated by the real server on real data.
	expectSeries(t, prom, `ALERTS{alertname="PortholeTaskFailed",alertstate="firing"}`, cols, with(app, "name", "backup"), 1)
	expectSeries(t, prom, `ALERTS{alertname="PortholeMessagesLost",alertstate="firing"}`, cols, lossyLabels, 1)
	expectSeries(t, prom, `ALERTS{alertname="PortholeTaskOverdue"}`, cols, with(app, "name", "sync"), 1) // pending: it needs 1m
}

// with returns a copy of m with k=v added.
func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}
