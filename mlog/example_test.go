package mlog_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Encode and Decode are the wire format, usable without a network.
func ExampleEncode() {
	m := &mlog.Message{
		Kind: mlog.KindLog, Sender: 1, Seq: 7, Time: time.Unix(1700000000, 0),
		Level: slog.LevelWarn, Host: "db1", Program: "queued", PID: 42,
		Msg:   "queue above high water",
		Attrs: []slog.Attr{slog.Int("depth", 1200), slog.Duration("oldest", 3*time.Second)},
	}
	b, _ := mlog.Encode(m, []byte("a-key-of-16-bytes"), 1, 0)
	got, err := mlog.Decode(b, map[uint32][]byte{1: []byte("a-key-of-16-bytes")})
	fmt.Println(err, got.Kind, got.Seq, got.Level, got.Program, got.Msg, got.Attrs, got.Signed)
	_, err = mlog.Decode(b, map[uint32][]byte{1: []byte("another-key-16-b")})
	fmt.Println(mlog.Reason(err))
	// Output:
	// <nil> log 7 WARN queued queue above high water [depth=1200 oldest=3s] true
	// bad_mac
}
