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
// # Trading rate for cost
//
// Almost all of the sampler's CPU is the kernel's cost of waking a thread
// (on a 2-vCPU KVM guest, 40-50 µs of CPU per wake-up: at 997 Hz, 4-5 %
// of a core whatever the timer slack); its own work per tick is a pass
// over the probe words in use (about 0.6 µs for 64 slots x 4 probes).
// So the cost is proportional to Config.Hz, and Hz is the knob:
//
//   - Config.Hz: CPU ≈ Hz x (wake-up cost + tick work). 997 Hz (the
//     default) for a short profile; 47-199 Hz for one left running
//     (porthole top: 47 Hz, with Config.Parked); up to 10,000 Hz for a
//     few seconds on a spare core.
//   - Config.Parked: a locked thread sleeping in a system call never
//     passes through the Go scheduler, so every 10 ms the runtime's
//     sysmon preempts it (a signal), takes its P and polls at 20 µs for a
//     while: at 97 Hz, more wake-ups of other threads than of the sampler.
//     Parked, the goroutine waits on a periodic timerfd in the netpoller
//     and one thread wakes per tick: about half the CPU at dashboard
//     rates, with the scheduler's latency on each tick.
//   - Config.ManualRefresh: no system call of the sampler's own between
//     the caller's Refresh calls (a system call made while sysmon sleeps
//     wakes it and restarts its 20 µs polling).
//   - The precision of a share bought by that CPU: a site holding share p
//     of N = Hz x seconds samples is known to about sqrt(p(1-p)/N), e.g.
//     ±1 point for a 10 % site after 10 s at 97 Hz, the same as 1 s at
//     970 Hz. For a fixed precision, sample longer at a lower rate.
//   - Config.PID: only one process's slots are counted (the wake-up, the
//     bulk of the cost, is the same).
//   - Fewer probe words cost less per tick: the sampler reads only up to
//     the highest probe index registered, in one guarded pass per segment.
//
// go run ./internal/perfdoc -only sampler measures all this on the machine
// at hand, as ratios against the bare wake-up loop (docs/PERFORMANCE.md).
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
