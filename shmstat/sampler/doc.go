// Package sampler reads the probe words of running processes thousands of
// times a second into histograms: a profiler that never stops its target.
// Because a probe update is a single store, reading it costs the target
// nothing.
//
// # Basics
//
//	s, err := sampler.New(sampler.Config{Segments: []string{"queued"}, Hz: 1000})
//	go s.Run(ctx)           // on a locked OS thread, by absolute deadline
//	...
//	for _, p := range s.Profiles() { ... } // per process and probe: locations and shares
//	s.WritePprof(w)                        // for go tool pprof
//
// # Caveats
//
//   - time.Ticker cannot sample above ~1 kHz (the runtime rounds sub-ms
//     waits up to 1 ms); the sampler sleeps with clock_nanosleep
//     (TIMER_ABSTIME) on a locked thread and reports the rate it really
//     achieved and its jitter.
//   - The default rate is 997 Hz, not 1000, so sampling does not lock step
//     with work that runs every millisecond.
//   - A sample records where each worker *is*; a worker parked at a site
//     (Mark) is counted there, not as idle, until it moves.
package sampler
