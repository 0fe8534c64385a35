package mlog

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
	"golang.org/x/net/ipv4"
)

// Bus sends log records and statistics to the multicast group. Logging
// never blocks: the caller claims a slot of a lock-free ring (queue.go)
// and either copies its record into it, for the writer to encode (a
// record of plain values, pending.go), or encodes it straight into it;
// one writer goroutine drains the ring and sends in batches (sendmmsg),
// numbering datagrams as they leave. When the ring is full a record is dropped and counted, and the
// count rides on the next datagram.
type Bus struct {
	cfg    Config
	conn   *ipv4.PacketConn
	dst    *net.UDPAddr
	sender uint64
	pid    int
	seg    *shmstat.Segment
	head   []byte // the first bytes of every log datagram (appendIdentity)

	minLevel slog.Level   // Config.Level when it is a constant slog.Level
	levelVar slog.Leveler // Config.Level otherwise (a *slog.LevelVar), nil if constant

	queue *queue
	cats  sync.Map // category name -> shmstat.Flag

	// closed is read by every log call: it sits with the fields callers
	// only read, not on a line the writer writes for every batch.
	closed atomic.Bool

	// idle is set while the writer waits for work; the caller that
	// clears it wakes the writer through wake.
	_    [cacheLine]byte
	idle atomic.Bool
	_    [cacheLine - 4]byte
	wake chan struct{}

	freeIdx  []uint32 // buffers freed by release (writer only)
	packs    [][]byte // datagrams of the current sendBatch (writer only)
	packBufs [][]byte // their reusable buffers

	pendingDrops atomic.Uint64 // dropped since the last datagram went out
	records      atomic.Uint64 // records handed to the kernel, batched or not
	dropped      atomic.Uint64
	sent         atomic.Uint64
	sendErrors   atomic.Uint64
	wakes        atomic.Uint64 // times a caller woke the writer
	lastErr      atomic.Pointer[error]
	dropCounter  *shmstat.Counter
	errCounter   *shmstat.Counter
	sentCounter  *shmstat.Counter

	stop     chan struct{}
	done     chan struct{}
	annStop  chan struct{}
	annOnce  sync.Once
	annWG    sync.WaitGroup
	closeErr error
}

// SenderStats counts what a Bus did.
type SenderStats struct {
	Sender     uint64 // this process's random sender id
	Sent       uint64 // datagrams handed to the kernel
	Records    uint64 // records in them (a batch datagram carries several)
	Dropped    uint64 // records dropped because the queue was full (or the Bus closed)
	SendErrors uint64 // datagrams the kernel refused (no route, interface down)
	Wakes      uint64 // times a log call woke the sleeping writer (a futex call: the first record after a quiet spell)
	LastError  error
}

// New opens a sender on cfg's group and interface. Zero fields of cfg
// take their defaults (after cfg.WithEnv, if the caller wants the
// environment).
func New(cfg Config) (*Bus, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dst, ifi, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	conn, err := openSender(ifi, cfg.TTL)
	if err != nil {
		return nil, err
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mlog: sender id: %w", err)
	}
	b := &Bus{
		cfg:     cfg,
		conn:    conn,
		dst:     dst,
		sender:  binary.LittleEndian.Uint64(id[:]) | 1, // never 0
		pid:     os.Getpid(),
		seg:     cfg.Segment,
		queue:   newQueue(cfg.QueueLen),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		annStop: make(chan struct{}),
	}
	b.head = appendIdentity(nil, b.sender, b.pid, cfg.Host, cfg.Program)
	b.setLevel(cfg.Level)
	if b.seg != nil {
		b.dropCounter = b.seg.Counter("mlog_dropped", "log records dropped: sender queue full", shmstat.Unit("records"))
		b.errCounter = b.seg.Counter("mlog_send_errors", "datagrams the kernel refused", shmstat.Unit("datagrams"))
		b.sentCounter = b.seg.Counter("mlog_sent", "datagrams sent to the log bus", shmstat.Unit("datagrams"))
		b.seg.Flag("debug")
	}
	go b.writer()
	b.enqueueMessage(&Message{Kind: KindHello, Level: 0, Msg: "hello"})
	return b, nil
}

// setLevel keeps Config.Level as a constant when it is one.
func (b *Bus) setLevel(l slog.Leveler) {
	if c, ok := l.(slog.Level); ok {
		b.minLevel, b.levelVar = c, nil
		return
	}
	b.levelVar = l
}

// Sender returns this process's random sender id.
func (b *Bus) Sender() uint64 { return b.sender }

// Stats returns what the bus has done so far.
func (b *Bus) Stats() SenderStats {
	s := SenderStats{Sender: b.sender, Sent: b.sent.Load(), Records: b.records.Load(), Dropped: b.dropped.Load(), SendErrors: b.sendErrors.Load(), Wakes: b.wakes.Load()}
	if e := b.lastErr.Load(); e != nil {
		s.LastError = *e
	}
	return s
}

// newMessage returns a message with this sender's identity filled in.
func (b *Bus) newMessage(kind Kind) Message {
	return Message{Kind: kind, Sender: b.sender, Time: time.Now(), Host: b.cfg.Host, Program: b.cfg.Program, PID: b.pid}
}

// enqueueMessage encodes m (identity fields added) and queues it.
func (b *Bus) enqueueMessage(m *Message) {
	full := b.newMessage(m.Kind)
	full.Level, full.Msg, full.Attrs, full.Stats = m.Level, m.Msg, m.Attrs, m.Stats
	buf, s, pos, ok := b.claim()
	if !ok {
		return
	}
	defer b.publish(s, pos)
	b.commit(s, appendMessage(buf, &full, full.Attrs, nil, "", b.cfg.MaxSize-trailerLen))
}

// claim reserves a slot of the queue and an empty buffer for one
// datagram, or drops the record (counted) when the Bus is closed or the
// queue is full. The caller appends the datagram to buf, commits it and
// publishes the slot, with defer: a panic while encoding then publishes
// an empty datagram, which the writer skips, instead of holding up the
// queue.
func (b *Bus) claim() ([]byte, *slot, uint32, bool) {
	s, pos, ok := b.claimSlot()
	if !ok {
		return nil, nil, 0, false
	}
	return b.slotBuf(s), s, pos, true
}

// slotBuf returns the claimed slot's buffer, emptied.
func (b *Bus) slotBuf(s *slot) []byte {
	s.n = 0
	buf := b.queue.bufs[s.bi]
	if buf == nil {
		// Sized for a typical record; append grows it for a larger one
		// and the queue keeps what it grew to (commit, release).
		buf = make([]byte, 0, min(b.cfg.MaxSize, slotCap))
		b.queue.bufs[s.bi] = buf
	}
	return buf[:0]
}

// claimSlot reserves a slot of the queue and a free buffer index for it,
// or drops the record (counted) when the Bus is closed or the queue is
// full.
func (b *Bus) claimSlot() (*slot, uint32, bool) {
	if b.closed.Load() {
		b.drop()
		return nil, 0, false
	}
	s, pos, bi, ok := b.queue.reserve()
	if !ok {
		b.drop()
		return nil, 0, false
	}
	s.bi = bi
	return s, pos, true
}

// commit records the datagram encoded into a claimed slot's buffer.
func (b *Bus) commit(s *slot, d []byte) {
	if cap(d) != cap(b.queue.bufs[s.bi]) { // append moved it to a larger array
		b.queue.bufs[s.bi] = d
	}
	s.n = uint32(len(d))
}

// publish hands a claimed slot to the writer, waking it if it waits.
func (b *Bus) publish(s *slot, pos uint32) {
	b.queue.publish(s, pos)
	if b.idle.Load() && b.idle.CompareAndSwap(true, false) {
		b.wakes.Add(1)
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

// drop counts a record that was not queued.
func (b *Bus) drop() {
	b.pendingDrops.Add(1)
	b.dropped.Add(1)
	if b.dropCounter != nil {
		b.dropCounter.Inc()
	}
}

// slotCap is the first capacity of a queue buffer: only as many are
// allocated as records ever wait at once.
const slotCap = 512

// lingerFor is how long the writer, having sent, waits for more before
// it sleeps until a caller wakes it: the most a record waits in the
// queue while its process keeps logging.
const lingerFor = 2 * time.Millisecond

// batchMax is the most datagrams the writer takes from the queue for one
// sendmmsg.
const batchMax = 64

// writer sends queued datagrams in batches until Close.
func (b *Bus) writer() {
	defer close(b.done)
	bufs := make([][]byte, 0, batchMax)
	msgs := make([]ipv4.Message, batchMax)
	var seq uint64
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	lingered := false
	for {
		n := b.take(&bufs)
		if n > 0 {
			b.sendBatch(bufs, msgs, &seq)
			b.release(n)
			lingered = false
			select {
			case <-b.stop: // Close: what is left goes out within its time limit
				b.flush(&seq, msgs)
				return
			default:
			}
			continue
		}
		// Nothing published. Right after sending, wait lingerFor without
		// asking to be woken: a process that logs steadily has its
		// records picked up by this timer, so its callers never pay for
		// waking the writer (a futex call each, and a thread wake-up).
		if !lingered {
			lingered = true
			linger.Reset(lingerFor)
			select {
			case <-linger.C:
			case <-b.stop:
				linger.Stop()
				b.flush(&seq, msgs)
				return
			}
			continue
		}
		// Still nothing: wait for a caller to wake us. Re-check after
		// saying so, or a record published in between would wait for the
		// next one.
		b.idle.Store(true)
		if b.queue.peek(0) != nil {
			b.idle.Store(false)
			continue
		}
		select {
		case <-b.wake:
		case <-b.stop:
			b.idle.Store(false)
			b.flush(&seq, msgs)
			return
		}
	}
}

// take collects up to batchMax published datagrams from the read
// position, in order, into bufs (emptied first), skipping empty ones; it
// returns how many slots it read (to release after sending).
func (b *Bus) take(bufs *[][]byte) int {
	*bufs = (*bufs)[:0]
	n := 0
	for ; n < batchMax; n++ {
		s := b.queue.peek(n)
		if s == nil {
			break
		}
		if s.n == pendingMark {
			b.encodePending(s)
		}
		if s.n >= headerLen {
			*bufs = append(*bufs, b.queue.bufs[s.bi][:s.n])
		}
	}
	return n
}

// release returns n sent slots and their buffers to the callers,
// buffers first. A buffer that grew far beyond the size limit (a huge
// attribute is cut only after it was appended) is let go, so the queue's
// memory stays bounded.
func (b *Bus) release(n int) {
	b.freeIdx = b.freeIdx[:0]
	for i := 0; i < n; i++ {
		s := b.queue.peek(i)
		if cap(b.queue.bufs[s.bi]) > 2*b.cfg.MaxSize {
			b.queue.bufs[s.bi] = nil
		}
		b.freeIdx = append(b.freeIdx, s.bi)
	}
	b.queue.push(b.freeIdx)
	b.queue.release(n)
}

// flush sends what is queued at Close, within a time limit.
func (b *Bus) flush(seq *uint64, msgs []ipv4.Message) {
	deadline := time.Now().Add(time.Second)
	b.conn.SetWriteDeadline(deadline)
	bufs := make([][]byte, 0, batchMax)
	for time.Now().Before(deadline) {
		n := b.take(&bufs)
		if n == 0 {
			return
		}
		b.sendBatch(bufs, msgs, seq)
		b.release(n)
	}
}

// sendBatch numbers the queued datagrams, packs consecutive ones into
// batch datagrams up to the size limit, signs each datagram it sends, and
// sends them with one sendmmsg.
func (b *Bus) sendBatch(bufs [][]byte, msgs []ipv4.Message, seq *uint64) {
	limit := b.cfg.MaxSize - trailerLen
	if cap(b.packs) < len(bufs) {
		b.packs = make([][]byte, len(bufs))
	}
	packs := b.packs[:0]
	var cur []byte    // the batch being filled
	var single []byte // its only datagram so far
	flush := func() {
		if cur == nil {
			return
		}
		d := cur
		if cur[headerLen] == 1 {
			d = append(d[:0], single...) // one datagram: send it plain
		}
		if len(b.cfg.Key) > 0 {
			d = sign(d, b.cfg.Key, b.cfg.KeyID)
		}
		packs = append(packs, d)
		cur = nil
	}
	for _, d := range bufs {
		*seq++
		be.PutUint64(d[offSeq:], *seq)
		if b.cfg.OneOff {
			be.PutUint16(d[offFlags:], be.Uint16(d[offFlags:])|flagOneOff)
		}
		if n := b.pendingDrops.Swap(0); n > 0 {
			be.PutUint32(d[offDropped:], uint32(min(n, 1<<32-1)))
		}
		if cur != nil && (len(cur)+2+len(d) > limit || cur[headerLen] == 255) {
			flush()
		}
		if cur == nil {
			i := len(packs)
			if i < len(b.packBufs) {
				cur = b.packBufs[i][:0]
			} else {
				cur = make([]byte, 0, b.cfg.MaxSize+trailerLen)
				b.packBufs = append(b.packBufs, cur)
			}
			cur = appendBatchHeader(cur, b.sender, *seq)
			single = d
		}
		cur = addToBatch(cur, d)
	}
	flush()
	b.packs = packs
	for i, d := range packs {
		if msgs[i].Buffers == nil {
			msgs[i].Buffers = make([][]byte, 1)
		}
		msgs[i].Buffers[0], msgs[i].Addr = d, b.dst
	}
	todo := msgs[:len(packs)]
	for len(todo) > 0 {
		n, err := b.conn.WriteBatch(todo, 0)
		if n > 0 {
			b.sent.Add(uint64(n))
			if b.sentCounter != nil {
				b.sentCounter.Add(uint64(n))
			}
			todo = todo[n:]
		}
		if err != nil {
			// The first datagram of the rest failed: count it, skip it.
			e := fmt.Errorf("mlog: send to %s: %w", b.dst, err)
			b.lastErr.Store(&e)
			b.sendErrors.Add(1)
			if b.errCounter != nil {
				b.errCounter.Inc()
			}
			if len(todo) > 0 {
				todo = todo[1:]
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
		}
	}
	b.records.Add(uint64(len(bufs)))
}

// Close stops announcements, sends what is queued (for at most a second)
// and closes the socket. Records logged after Close are dropped.
func (b *Bus) Close() error {
	if !b.closed.CompareAndSwap(false, true) {
		return b.closeErr
	}
	b.annOnce.Do(func() { close(b.annStop) })
	b.annWG.Wait()
	close(b.stop)
	<-b.done
	b.closeErr = b.conn.Close()
	return b.closeErr
}
