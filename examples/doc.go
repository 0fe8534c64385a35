// Package examples holds small real daemons that embed shmstat and mlog
// and reproduce real incidents:
//
//   - queued, queued-client: a database-like daemon whose single worker
//     drains an indexed update queue (replaced, merged and dropped updates).
//   - muxd: a relay of producer streams; its modes reproduce a single event
//     loop bottleneck and the multiplexer incident (streams interleaved on
//     one TCP connection), each with its fix.
//   - replicate: a nightly-style job that silently stops succeeding, as a
//     daemon with a task or (--once) as a cron job run by porthole run.
//   - cron: the demo's stand-in for cron, starting porthole run every interval.
//
// Each is a main package (go run ./examples/queued) and an importable
// package with Main, so `porthole example NAME` runs it from the one
// binary. They use only public APIs, as any daemon would.
package examples
