package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogThenTail(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	var out, errs syncBuffer
	done := make(chan int)
	go func() { done <- run([]string{"tail", "--count", "1", "--level", "warn", "--json"}, &out, &errs) }()
	// Until the tail is listening, messages go nowhere: repeat.
	deadline := time.After(10 * time.Second)
	for {
		var lo, le bytes.Buffer
		if code := run([]string{"log", "--level", "warn", "--attr", "depth=12", "--program", "qd", "queue", "high"}, &lo, &le); code != 0 {
			t.Fatalf("log: exit %d: %s", code, le.String())
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("tail: exit %d: %s", code, errs.String())
			}
			got := out.String()
			for _, want := range []string{`"msg":"queue high"`, `"program":"qd"`, `"depth":12`, `"level":"WARN"`} {
				if !strings.Contains(got, want) {
					t.Errorf("tail output lacks %s:\n%s", want, got)
				}
			}
			return
		case <-deadline:
			t.Fatalf("tail printed nothing: %s %s", out.String(), errs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
