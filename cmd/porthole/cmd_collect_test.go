package main

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
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

// TestSecondCollectorSaysWhyHTTPFails: a second 'porthole collect' (its
// own spool, the default HTTP address) failed with a bare 'bind: address
// already in use'; it now says what to do.
func TestSecondCollectorSaysWhyHTTPFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closeHTTP, err := serveHTTP(ln.Addr().String(), http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		closeHTTP()
		t.Fatal("serving HTTP on an address in use: no error")
	}
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), `another collector? --http ADDR serves on another address, --http "" on none`) {
		t.Errorf("serving HTTP on an address in use: %v; want EADDRINUSE and what to do", err)
	}
}
