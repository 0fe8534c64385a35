package mlog

import (
	"testing"
	"time"
)

func TestBatchDecodeAll(t *testing.T) {
	key := []byte("0123456789abcdef")
	keys := map[uint32][]byte{1: key}
	inner := func(seq uint64, msg string) []byte {
		b, _ := Encode(&Message{Kind: KindLog, Sender: 5, Seq: seq, Time: time.Unix(1, 0), Msg: msg}, nil, 0, 0)
		return b
	}
	batch := appendBatchHeader(nil, 5, 10)
	for i := uint64(10); i < 13; i++ {
		batch = addToBatch(batch, inner(i, "m"))
	}
	signed := sign(append([]byte(nil), batch...), key, 1)
	msgs, err := DecodeAll(signed, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].Seq != 10 || msgs[2].Seq != 12 || !msgs[1].Signed || msgs[1].KeyID != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	forged := sign(append([]byte(nil), batch...), []byte("fedcba9876543210"), 1)
	other := appendBatchHeader(nil, 6, 1) // a datagram of sender 5 in sender 6's batch
	other = addToBatch(other, inner(1, "x"))
	nested := appendBatchHeader(nil, 5, 1)
	nested = addToBatch(nested, batch)
	tests := []struct {
		name   string
		b      []byte
		keys   map[uint32][]byte
		reason string
	}{
		{"forged", forged, keys, "bad_mac"},
		{"unsigned with key", batch, keys, "unsigned"},
		{"cut", signed[:len(signed)-30], keys, "unknown_key"}, // the key id is read from where the trailer should be
		{"cut unsigned", batch[:len(batch)-5], nil, "malformed"},
		{"foreign datagram", other, nil, "malformed"},
		{"nested", nested, nil, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeAll(tt.b, tt.keys); Reason(err) != tt.reason {
				t.Fatalf("Reason = %q (%v), want %q", Reason(err), err, tt.reason)
			}
		})
	}
	if _, err := Decode(batch, nil); Reason(err) != "malformed" {
		t.Errorf("Decode of a batch: %v", err)
	}
}
