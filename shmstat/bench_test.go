package shmstat

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The compared loop bodies live in //go:noinline functions of the same
// shape, so each benchmark measures one loop and nothing else; see
// docs/PERFORMANCE.md for the results and how to read them.

//go:noinline
func loopAtomicAdd(p *uint64, n int) {
	for i := 0; i < n; i++ {
		atomic.AddUint64(p, 1)
	}
}

//go:noinline
func loopCounterAdd(c *Counter, n int) {
	for i := 0; i < n; i++ {
		c.Add(1)
	}
}

//go:noinline
func loopPromInc(c prometheus.Counter, n int) {
	for i := 0; i < n; i++ {
		c.Inc()
	}
}

//go:noinline
func loopPlainStore(p *uint64, n int) {
	for i := 0; i < n; i++ {
		*p = uint64(i)
	}
}

//go:noinline
func loopAtomicStore(p *uint64, n int) {
	for i := 0; i < n; i++ {
		atomic.StoreUint64(p, uint64(i))
	}
}

//go:noinline
func loopProbeHere(p *Probe, n int) {
	for i := 0; i < n; i++ {
		p.Here()
	}
}

//go:noinline
func loopEmpty(n int) {
	for i := 0; i < n; i++ {
	}
}

func benchSegment(b *testing.B, opts *Options) *Segment {
	b.Helper()
	if opts == nil {
		opts = &Options{}
	}
	opts.Dir = filepath.Join(b.TempDir(), "seg")
	opts.NoHeartbeat = true
	seg, err := Create("bench", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { seg.Close() })
	return seg
}

func BenchmarkCounterAdd(b *testing.B) {
	b.Run("baseline=atomic.AddUint64-heap", func(b *testing.B) {
		p := new(uint64)
		loopAtomicAdd(p, b.N)
	})
	b.Run("shmstat.Counter.Add", func(b *testing.B) {
		c := benchSegment(b, nil).Counter("c", "")
		loopCounterAdd(c, b.N)
	})
	b.Run("prometheus.Counter.Inc", func(b *testing.B) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c"})
		loopPromInc(c, b.N)
	})
}

// BenchmarkCounterTwoGoroutines: two goroutines, each adding to a counter
// it registered itself. Packed counters share a cache line (false
// sharing); CacheLine() gives each its own.
func BenchmarkCounterTwoGoroutines(b *testing.B) {
	run := func(b *testing.B, opts ...Opt) {
		seg := benchSegment(b, nil)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := seg.Counter(fmt.Sprint("g", g), "", opts...)
				<-start
				loopCounterAdd(c, b.N)
			}()
		}
		b.ResetTimer()
		close(start)
		wg.Wait()
	}
	b.Run("packed", func(b *testing.B) { run(b) })
	b.Run("cacheline", func(b *testing.B) { run(b, CacheLine()) })
}

func BenchmarkProbe(b *testing.B) {
	b.Run("baseline=plain-store", func(b *testing.B) {
		p := new(uint64)
		loopPlainStore(p, b.N)
	})
	b.Run("baseline=atomic.StoreUint64", func(b *testing.B) {
		p := new(uint64)
		loopAtomicStore(p, b.N)
	})
	b.Run("baseline=empty-loop", func(b *testing.B) {
		loopEmpty(b.N)
	})
	b.Run("Probe.Here", func(b *testing.B) {
		p := benchSegment(b, nil).Probe("p")
		loopProbeHere(p, b.N)
	})
}

// BenchmarkSnapshot1000 reads the values of 1,000 counters whose
// descriptors were already read, against 1,000 bare atomic loads and a
// full Snapshot (descriptors included) and a Prometheus Gather.
func BenchmarkSnapshot1000(b *testing.B) {
	const n = 1000
	seg := benchSegment(b, &Options{MaxValues: 2 * n})
	for i := 0; i < n; i++ {
		seg.Counter(fmt.Sprint("counter_", i), "help").Add(uint64(i))
	}
	r, err := Open(seg.Path(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	refs := r.ValueRefs(snap)
	dst := make([]uint64, 0, n)
	b.Run("baseline=1000-atomic-loads", func(b *testing.B) {
		words := make([]uint64, n)
		var sink uint64
		for i := 0; i < b.N; i++ {
			for j := range words {
				sink += atomic.LoadUint64(&words[j])
			}
		}
		_ = sink
	})
	b.Run("ReadValues", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			dst = r.ReadValues(refs, dst)
		}
		if dst[999] != 999 {
			b.Fatalf("value = %d", dst[999])
		}
	})
	b.Run("Snapshot-full", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := r.Snapshot(); err != nil {
				b.Fatal(err)
			}
		}
	})
	reg := prometheus.NewRegistry()
	for i := 0; i < n; i++ {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: fmt.Sprint("counter_", i), Help: "help"})
		c.Add(float64(i))
		reg.MustRegister(c)
	}
	b.Run("prometheus.Gather", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := reg.Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prometheus-scrape+parse", func(b *testing.B) {
		srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		defer srv.Close()
		for i := 0; i < b.N; i++ {
			resp, err := http.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			p := expfmt.NewTextParser(model.UTF8Validation)
			fams, err := p.TextToMetricFamilies(resp.Body)
			resp.Body.Close()
			if err != nil || len(fams) != n {
				b.Fatalf("%d families, %v", len(fams), err)
			}
		}
	})
}
