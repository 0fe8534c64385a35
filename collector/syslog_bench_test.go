package collector

import (
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// BenchmarkParseSyslog parses typical datagrams of both formats; the
// baseline, in the same run, is mlog.Decode of a bus datagram carrying
// the same text and attributes.
func BenchmarkParseSyslog(b *testing.B) {
	rfc5424 := []byte(`<28>1 2026-11-30T07:32:42.786865+00:00 db1 queued 4242 ID47 [timeQuality tzKnown="1" isSynced="0"][req@1 table="orders"] checkpoint took longer than expected, retrying`)
	rfc3164 := []byte(`<155>Nov 30 07:32:42 db1 queued[4242]: checkpoint took longer than expected, retrying`)
	bus, err := mlog.Encode(&mlog.Message{Kind: mlog.KindLog, Sender: 1, Seq: 1, Time: time.Now(), Host: "db1", Program: "queued", PID: 4242,
		Msg: "checkpoint took longer than expected, retrying"}, nil, 0, 1400)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.Run("baseline-mlog-decode", func(b *testing.B) {
		b.SetBytes(int64(len(bus)))
		for i := 0; i < b.N; i++ {
			if _, err := mlog.Decode(bus, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		in   []byte
	}{{"rfc5424", rfc5424}, {"rfc3164", rfc3164}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ParseSyslog(c.in, now, time.UTC); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
