// Package muxd is a relay that forwards several concurrent byte streams,
// from producer processes it starts, to one sink. Its modes (--mode)
// reproduce two different incidents and their fixes:
//
//   - single-loop (the default; also --single-loop): one event loop polls
//     every stream with a short read deadline and small reads. The loop is
//     the bottleneck, and pausing one producer collapses the others, since
//     every pass waits out the silent stream's deadline. Not the
//     multiplexer incident: a different, self-inflicted one.
//   - per-stream (also --per-stream): a goroutine with large reads per
//     stream, the fix of single-loop.
//   - interleaved: the multiplexer incident. The streams go to a storage
//     server over one TCP connection (Nagle's algorithm on, as in C code),
//     and a chunk of another stream than the last needs a stream switch
//     the storage answers. With one active stream there are no switches and
//     it runs at full speed; with several, every chunk costs a switch whose
//     small record waits for the storage's delayed ACK (40 ms on Linux): the
//     total tanks, and pausing all producers but one makes it jump at once.
//   - conn-per-stream: the fix, one storage connection per stream, as one
//     process per stream would have.
//
// The load meters count time blocked waiting for data (or for the
// storage's answer) as idle, so a waiting loop no longer shows as busy.
// Pausing producers with porthole whatif (or porthole top's z) shows how
// the others' throughput changes.
package muxd
