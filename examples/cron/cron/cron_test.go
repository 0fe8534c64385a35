package cron

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartsPortholeRunEveryInterval runs cron with a stand-in for
// porthole that records its arguments.
func TestStartsPortholeRunEveryInterval(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	fake := filepath.Join(dir, "porthole")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" >> "+log+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--job", "nightly", "--every", "50ms", "--timeout", "1s", "--porthole", fake,
			"--", "example", "replicate", "--once"}, io.Discard, io.Discard)
	}()
	var lines []string
	for deadline := time.Now().Add(time.Minute); len(lines) < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs in a minute, want 3 at 50 ms", len(lines))
		}
		b, _ := os.ReadFile(log)
		lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		if lines[0] == "" {
			lines = nil
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "run nightly --every 50ms --timeout 1s -- " + fake + " example replicate --once"
	if lines[0] != want {
		t.Errorf("started %q, want %q", lines[0], want)
	}
}

func TestUsage(t *testing.T) {
	if err := Main(context.Background(), []string{"--every", "1s"}, io.Discard, io.Discard); err == nil {
		t.Error("no --job and no command: no error")
	}
}
