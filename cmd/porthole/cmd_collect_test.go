package main

import (
	"io"
	"testing"
)

// TestCollectReceiveBuffer: the collector asks for a receive buffer that
// absorbs about a second of a busy bus by default, and --recv-buffer
// changes it.
func TestCollectReceiveBuffer(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--spool", "d"}, 32 << 20},
		{[]string{"--spool", "d", "--recv-buffer", "1048576"}, 1 << 20},
	} {
		o, err := parseCollect(tc.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if o.bus.RecvBuffer != tc.want {
			t.Errorf("%v: receive buffer %d, want %d", tc.args, o.bus.RecvBuffer, tc.want)
		}
	}
}
