package collector

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// realisticMessages returns n log messages like the example daemons'
// (queued, replicate, muxd and their clients): their message texts,
// varied attributes (tables, run numbers, errors, durations, paths, ids),
// levels mostly INFO, from 8 senders on 4 hosts. Unlike one repeated
// text, gzip and the JSON encoder see what they would in production.
func realisticMessages(n int) []mlog.Received {
	rnd := rand.New(rand.NewSource(42))
	tables := []string{"orders", "customers", "audit", "invoices", "sessions", "stock_levels", "payments"}
	errs := []error{errors.New("disk full"), errors.New("connection reset by peer"),
		errors.New("write /var/lib/queued/pages/0042.dat: no space left on device"), errors.New("context deadline exceeded"),
		errors.New("checksum mismatch in block 1183")}
	hosts := []string{"db1", "db2", "relay1", "backup1"}
	programs := []string{"queued", "replicate", "muxd", "queued-client"}
	word := func() string { return fmt.Sprintf("%x", rnd.Uint32()) }
	gen := []func() (string, slog.Level, []slog.Attr){
		func() (string, slog.Level, []slog.Attr) {
			return "replaced queued update", slog.LevelDebug, []slog.Attr{slog.String("cat", "merge"),
				slog.String("table", tables[rnd.Intn(len(tables))]), slog.Int("record", rnd.Intn(5_000_000))}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "replication done", slog.LevelInfo, []slog.Attr{slog.Int("run", rnd.Intn(100000)),
				slog.String("result", fmt.Sprintf("%d blocks copied, checksum %s%s", rnd.Intn(20000), word(), word()))}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "replication failed", slog.LevelError, []slog.Attr{slog.Int("run", rnd.Intn(100000)), slog.String("err", errs[rnd.Intn(len(errs))].Error())}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "checkpoint failed", slog.LevelWarn, []slog.Attr{slog.String("err", errs[rnd.Intn(len(errs))].Error())}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "table dropped", slog.LevelWarn, []slog.Attr{slog.String("table", tables[rnd.Intn(len(tables))]), slog.Int("discarded", rnd.Intn(900))}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "stream ended", slog.LevelWarn, []slog.Attr{slog.Int("stream", rnd.Intn(64)), slog.String("err", "EOF")}
		},
		func() (string, slog.Level, []slog.Attr) {
			return fmt.Sprintf("client %s committed %d updates", word(), rnd.Intn(400)), slog.LevelInfo,
				[]slog.Attr{slog.Duration("took", time.Duration(rnd.Intn(5e8))), slog.String("socket", "/run/queued/queued.sock")}
		},
		func() (string, slog.Level, []slog.Attr) {
			return "page written", slog.LevelInfo, []slog.Attr{slog.Int("page", rnd.Intn(1<<20)), slog.Int("bytes", 4096*(1+rnd.Intn(16))),
				slog.Float64("fill", rnd.Float64()), slog.String("path", fmt.Sprintf("/var/lib/queued/pages/%04d.dat", rnd.Intn(10000)))}
		},
	}
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	out := make([]mlog.Received, n)
	for i := range out {
		k := rnd.Intn(8)
		msg, lvl, attrs := gen[rnd.Intn(len(gen))]()
		at = at.Add(time.Duration(rnd.Intn(2000)) * time.Microsecond)
		out[i] = mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: 0x8a1f0c2d3e4b5a60 + uint64(k), Time: at, Level: lvl,
			Host: hosts[k%len(hosts)], Program: programs[k%len(programs)], PID: 4000 + k, Msg: msg, Attrs: attrs},
			RecvTime: at.Add(300 * time.Microsecond), Interface: "lo", Size: 120 + len(msg)}
	}
	return out
}
