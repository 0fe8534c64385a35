package mlog

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// writerless returns a Bus whose queue nobody drains but the test (no
// socket, no writer goroutine).
func writerless(t testing.TB, queueLen int) *Bus { return writerlessAt(t, queueLen, 0) }

// writerlessAt is writerless with the queue's first position at start.
func writerlessAt(t testing.TB, queueLen int, start uint32) *Bus {
	cfg, err := Config{QueueLen: queueLen}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return &Bus{cfg: cfg, queue: newQueueAt(cfg.QueueLen, start), wake: make(chan struct{}, 1)}
}

// TestQueueManyCallers: callers on several goroutines claim, fill and
// publish through a small queue (it wraps thousands of times and is
// often full) while one consumer drains it as the writer does. Every
// datagram arrives intact (no buffer handed to two callers at once),
// each caller's in its order, exactly once; the rest are counted drops.
// Once from position 0, once from just before the 32-bit positions wrap
// around.
func TestQueueManyCallers(t *testing.T) {
	for _, start := range []uint32{0, 1<<32 - 5000} {
		t.Run(fmt.Sprint("from ", start), func(t *testing.T) { manyCallers(t, start) })
	}
}

func manyCallers(t *testing.T, start uint32) {
	const callers, each = 8, 100000
	// More Ps than cores: the kernel then preempts callers anywhere,
	// between any two instructions of a claim, not only where Go would
	// switch goroutines.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(callers + 1))
	b := writerlessAt(t, 1024, start)
	var wg sync.WaitGroup
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				buf, s, pos, ok := b.claim()
				if !ok {
					continue
				}
				// A datagram of header size: caller, number, and its
				// checksum repeated, so a torn or shared buffer shows.
				for k := 0; k <= headerLen/8; k++ { // just over a header: the writer skips shorter ones
					buf = binary.LittleEndian.AppendUint32(buf, uint32(c))
					buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
				}
				b.commit(s, buf)
				b.publish(s, pos)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	next := make([]int64, callers) // lowest number each caller may still send
	var got uint64
	bufs := make([][]byte, 0, batchMax)
	check := func() int {
		n := b.take(&bufs)
		for _, d := range bufs {
			c, i := binary.LittleEndian.Uint32(d), int64(binary.LittleEndian.Uint32(d[4:]))
			for k := 8; k+8 <= len(d); k += 8 {
				if binary.LittleEndian.Uint32(d[k:]) != c || int64(binary.LittleEndian.Uint32(d[k+4:])) != i {
					t.Fatalf("torn datagram %x", d)
				}
			}
			if int(c) >= callers || i < next[c] {
				t.Fatalf("caller %d's record %d after %d: out of order or twice", c, i, next[c]-1)
			}
			next[c] = i + 1
			got++
		}
		b.release(n)
		return n
	}
	for {
		select {
		case <-done:
			for check() > 0 {
			}
			if got+b.Stats().Dropped != callers*each {
				t.Fatalf("%d received + %d dropped, want %d", got, b.Stats().Dropped, callers*each)
			}
			if got == 0 || b.Stats().Dropped == 0 {
				t.Fatalf("%d received, %d dropped: the test wants both", got, b.Stats().Dropped)
			}
			return
		default:
			check()
		}
	}
}

// TestQueueAcrossTheWrap: one caller fills a queue that starts just
// before its 32-bit positions wrap, until it is full, across the wrap;
// the reader gets every datagram in order, the full queue refuses the
// next claim, and after a release the claims go on past the wrap.
func TestQueueAcrossTheWrap(t *testing.T) {
	const size = 8
	b := writerlessAt(t, size, 1<<32-3)
	bufs := make([][]byte, 0, batchMax)
	n := 0
	for round := 0; round < 4; round++ {
		for i := 0; i < size; i++ {
			buf, s, pos, ok := b.claim()
			if !ok {
				t.Fatalf("round %d: claim %d refused with %d of %d slots in use", round, i, i, size)
			}
			buf = append(buf, make([]byte, headerLen)...)
			binary.LittleEndian.PutUint32(buf, uint32(n))
			n++
			b.commit(s, buf)
			b.publish(s, pos)
		}
		if _, _, _, ok := b.claim(); ok {
			t.Fatalf("round %d: a full queue handed out a slot", round)
		}
		got := b.take(&bufs)
		if got != size {
			t.Fatalf("round %d: took %d datagrams, want %d", round, got, size)
		}
		for i, d := range bufs {
			if want := uint32(n - size + i); binary.LittleEndian.Uint32(d) != want {
				t.Fatalf("round %d: datagram %d is number %d, want %d", round, i, binary.LittleEndian.Uint32(d), want)
			}
		}
		b.release(got)
	}
	if b.queue.head != 1<<32-3+4*size-1<<32 {
		t.Errorf("read position %d after %d datagrams from 2^32-3", b.queue.head, 4*size)
	}
}
