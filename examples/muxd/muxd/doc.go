// Package muxd is a relay that forwards several concurrent byte streams,
// from producer processes it starts, to one sink. With --single-loop all
// streams go through one event loop doing small reads: the loop is busy
// all the time and becomes the bottleneck. With --per-stream each stream
// has its own goroutine and large reads. Pausing a producer (porthole
// top's z) shows how the others' throughput changes.
package muxd
