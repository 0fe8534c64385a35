package collector

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// gzStream compresses the current spool file while it is written, on its
// own goroutine, into NAME.jsonl.gz.stream.tmp, so a rotated file is never read
// back from disk. The plain file stays the durable copy until the
// compressed one is complete: at rotation the stream is closed, synced
// and renamed to NAME.jsonl.gz, and only then is NAME.jsonl removed. A
// crash leaves the plain file (repaired and compressed again at start)
// and a partial .tmp (removed at start).
//
// The writer never waits for it: when the compressor falls behind by
// more than gzStreamBacklog bytes, the stream is abandoned and the file
// is compressed from disk after rotation, as before.
type gzStream struct {
	ch     chan *[]byte
	done   chan struct{}
	tmp    string
	out    *os.File
	zw     *gzip.Writer
	err    error // set by the goroutine before done closes
	failed bool  // the writer abandoned it
	bg     *sync.WaitGroup
	queued atomic.Int64 // bytes waiting for the compressor
}

// gzStreamBacklog bounds the bytes waiting for the compressor; the
// channel holds that many writes of any size.
const (
	gzStreamBacklog = 16 << 20
	gzStreamWrites  = 4096
)

var (
	gzWriters = sync.Pool{New: func() any { zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return zw }}
	gzChunks  = sync.Pool{New: func() any { return new([]byte) }}
)

// startGzStream starts compressing into gzPath+".tmp"; nil if it cannot
// (the file is then compressed after rotation).
func startGzStream(gzPath string, bg *sync.WaitGroup) *gzStream {
	tmp := gzPath + ".stream.tmp" // not compressFile's name: both may run for one file
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return nil
	}
	// BestSpeed: the collector compresses while it keeps receiving on the
	// same cores; level 1 is ~4x faster than the default for JSON lines,
	// for a somewhat larger file.
	zw := gzWriters.Get().(*gzip.Writer)
	zw.Reset(out)
	g := &gzStream{ch: make(chan *[]byte, gzStreamWrites), done: make(chan struct{}), tmp: tmp, out: out, zw: zw, bg: bg}
	go g.run()
	return g
}

func (g *gzStream) run() {
	defer close(g.done)
	for b := range g.ch {
		if g.err == nil {
			_, g.err = g.zw.Write(*b)
		}
		g.queued.Add(-int64(len(*b)))
		*b = (*b)[:0]
		gzChunks.Put(b)
	}
}

// add queues a copy of lines just written to the plain file; false when
// the stream is (now) abandoned.
func (g *gzStream) add(lines []byte) bool {
	if g.failed {
		return false
	}
	if g.queued.Add(int64(len(lines))) > gzStreamBacklog {
		g.abandon(false)
		return false
	}
	b := gzChunks.Get().(*[]byte)
	*b = append(*b, lines...)
	select {
	case g.ch <- b:
		return true
	default:
		gzChunks.Put(b)
		g.abandon(false)
		return false
	}
}

// abandon stops the stream and removes its file, in the background
// unless wait.
func (g *gzStream) abandon(wait bool) {
	if g.failed {
		return
	}
	g.failed = true
	close(g.ch)
	end := func() {
		<-g.done
		g.release()
		g.out.Close()
		os.Remove(g.tmp)
	}
	if wait {
		end()
		return
	}
	g.bg.Add(1)
	go func() {
		defer g.bg.Done()
		end()
	}()
}

func (g *gzStream) release() {
	g.zw.Reset(io.Discard)
	gzWriters.Put(g.zw)
}

// finish completes the compressed copy of plain: waits for the
// compressor, syncs, renames to gzPath and removes plain. It returns the
// compressed size; on an error plain is kept and the .tmp removed.
func (g *gzStream) finish(plain, gzPath string) (int64, error) {
	if g.failed {
		return 0, errors.New("collector: compression stream abandoned")
	}
	close(g.ch)
	<-g.done
	err := g.err
	if err == nil {
		err = g.zw.Close()
	}
	g.release()
	var size int64
	if err == nil {
		size, err = g.out.Seek(0, io.SeekCurrent)
	}
	if err == nil {
		err = g.out.Sync()
	}
	if cerr := g.out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(g.tmp, gzPath)
	}
	if err != nil {
		os.Remove(g.tmp)
		return 0, err
	}
	return size, os.Remove(plain)
}
