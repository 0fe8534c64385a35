// Package collector runs on monitoring nodes: it joins the log bus,
// spools every message to disk in sender order, records exactly what was
// lost, and keeps a scoreboard of every server and its last statistics.
//
// # Basics
//
//	c, err := collector.New(collector.Config{SpoolDir: "/var/spool/porthole"})
//	r, err := mlog.Listen(mlog.Config{})
//	go c.Run(ctx, r)                      // or c.Ingest(msg) from any source
//	http.ListenAndServe("127.0.0.1:9477", c.Handler()) // /metrics, /scoreboard.json, /healthz
//
// Syslog, for daemons that cannot embed mlog, is a second source beside
// the bus: its records (type "syslog") carry no sequence numbers, bypass
// the ordering by sender and are never counted as loss.
//
//	conn, err := collector.ListenSyslog("5514") // 127.0.0.1:5514
//	go c.ServeSyslog(ctx, conn)                // RFC 5424 and RFC 3164; rejects counted by reason
//
// Readers: ReadSpool and Follow read the spool (docs/SPOOL.md), Filter
// selects records as `porthole query` does, ReadResume tells a starting
// collector where each sender stood, and ReadScoreboard and
// FetchScoreboard read the scoreboard, so tools never depend on the
// collector's internals.
//
// # Caveats
//
//   - Order is restored per sender within Config.ReorderWindow; what has
//     not arrived by then becomes a gap record (reason "network").
//   - Writing runs on its own goroutine: a full or failing disk is
//     reported and retried while receiving goes on into a bounded queue;
//     records that overflow it are counted and written as gap records
//     (reason "spool") once the disk works again.
//   - Several collectors may run on one host or many; each writes every
//     record. Receiver-side fields (recv) differ between them by design.
//     Each needs its own spool directory: a second collector on the same
//     directory fails at New (a lock file).
package collector
