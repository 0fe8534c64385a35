// Package mlog is porthole's log bus: log records and statistics sent as
// UDP multicast datagrams, so a daemon never waits on a disk and every
// monitoring node can listen.
//
// # Basics
//
// A daemon sends:
//
//	bus, err := mlog.New(mlog.Config{Program: "queued", Segment: seg})
//	defer bus.Close()
//	log := slog.New(bus.Handler())
//	log.Info("checkpoint done", "blocks", 12)
//	merge := bus.Category("merge")
//	log.Debug("merged updates", merge.Attr(), "n", 3) // sent only while +merge
//	bus.Announce(time.Second)                         // the segment's values, once a second
//
// A tool listens:
//
//	r, err := mlog.Listen(mlog.Config{})
//	for {
//		m, err := r.Read(ctx)
//		...
//	}
//
// The defaults (group 239.255.77.77:7777, interface lo, TTL 1) keep every
// datagram on this machine; PORTHOLE_GROUP, PORTHOLE_IFACE and
// PORTHOLE_KEY_FILE (Config.WithEnv) let every command and daemon agree on
// other settings. docs/WIRE.md gives every byte of a datagram.
//
// # Caveats
//
//   - Logging never blocks and never returns network errors: a full queue
//     drops the record (counted, and reported on the next datagram), a
//     refused send is counted (SenderStats, and mlog_* counters in the
//     segment).
//   - A record whose attributes are all plain values (strings, numbers,
//     booleans, durations, times; at most five) is encoded by the writer
//     goroutine after Handle returns, from a copy taken during the call.
//     Anything else (slog.Any, a LogValuer, a group) is read and encoded
//     during the call, so what is sent is what was logged, whatever the
//     caller changes afterwards. To copy a record cheaply, the bus reads
//     slog.Record's inline attributes in place, at field offsets found
//     by reflection at start; on a Go release with another layout every
//     record is encoded during the call instead (slower, the same bytes).
//   - The queue holds at most MaxQueueLen records (Config.QueueLen).
//   - A record waits at most 2 ms in the queue while its process keeps
//     logging: after sending, the writer waits that long for more
//     before it sleeps, so steady logging never pays for waking it; the
//     first record after a quiet spell wakes it at once.
//   - Records below Config.Level (debug) are sent only while their
//     category flag is on; Enabled costs one atomic load of the flags word.
//   - A datagram is at most Config.MaxSize bytes (1400): longer text and
//     attributes are cut and the datagram is flagged truncated.
//   - With a key, every datagram carries a truncated HMAC-SHA256 and
//     receivers reject unsigned, forged and replayed ones.
//   - Receiver.Read is for one goroutine.
package mlog
