package muxd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/examples/internal/daemon"
	"github.com/porthole-dev/porthole/shmstat"
)

// The relay's modes (--mode).
const (
	// ModeSingleLoop polls every stream from one loop with short read
	// deadlines and small reads: a silent stream slows all the others.
	ModeSingleLoop = "single-loop"
	// ModePerStream reads each stream in its own goroutine.
	ModePerStream = "per-stream"
	// ModeInterleaved multiplexes every stream onto one TCP connection to
	// the storage, switching streams per chunk: the incident.
	ModeInterleaved = "interleaved"
	// ModeConnPerStream gives each stream its own TCP connection to the
	// storage: the fix.
	ModeConnPerStream = "conn-per-stream"
)

// Modes lists every mode, for --mode.
var Modes = []string{ModeSingleLoop, ModePerStream, ModeInterleaved, ModeConnPerStream}

// EnvProducer, set to a stream number, makes Main run as that producer.
const EnvProducer = "PORTHOLE_MUXD_PRODUCER"

// Main runs the relay (or, with EnvProducer set, one producer).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("muxd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	streams := fs.Int("streams", 3, "producer processes to start")
	mode := fs.String("mode", ModeSingleLoop, "how streams are relayed: "+strings.Join(Modes, ", "))
	single := fs.Bool("single-loop", false, "same as --mode single-loop")
	perStream := fs.Bool("per-stream", false, "same as --mode per-stream")
	sinkPath := fs.String("sink", os.DevNull, "where the streams go")
	readSize := fs.Int("read-size", 256, "read size of the single loop")
	frame := fs.Int("frame", 16<<10, "largest chunk the TCP modes send per record")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *streams < 1 || *streams > 255 {
		return fmt.Errorf("muxd: --streams %d: want 1 to 255", *streams)
	}
	if *frame < 1 || *frame > maxDataLen {
		return fmt.Errorf("muxd: --frame %d: want 1 to %d", *frame, maxDataLen)
	}
	switch {
	case *perStream:
		*mode = ModePerStream
	case *single:
		*mode = ModeSingleLoop
	}
	if !slices.Contains(Modes, *mode) {
		return fmt.Errorf("muxd: --mode %q: want one of %s", *mode, strings.Join(Modes, ", "))
	}
	sock := filepath.Join(shmstat.DefaultDir(), "muxd.sock")
	if id := os.Getenv(EnvProducer); id != "" {
		// In the TCP modes a producer's socket buffers about one frame, as
		// a backup client reading files holds little: pausing it stops its
		// stream at once instead of leaving a backlog to drain.
		sndbuf := 0
		if *mode == ModeInterleaved || *mode == ModeConnPerStream {
			sndbuf = *frame
		}
		return produce(ctx, id, sock, sndbuf, stderr)
	}
	d, err := daemon.Start("muxd", "", stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx, cancel := daemon.Context(ctx)
	defer cancel()
	d.Seg.Info("mode", *mode)
	sink, err := os.OpenFile(*sinkPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("muxd: sink: %w", err)
	}
	defer sink.Close()
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("muxd: %w", err)
	}
	defer ln.Close()

	// Start the producers: this same program, as producer processes.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var procs []*exec.Cmd
	for i := 0; i < *streams; i++ {
		cmd := exec.Command(exe, os.Args[1:]...)
		cmd.Env = append(os.Environ(), EnvProducer+"="+strconv.Itoa(i))
		// A producer does not outlive the relay, however it ends.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("muxd: start producer %d: %w", i, err)
		}
		procs = append(procs, cmd)
	}
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	// Stream i is producer i: each producer's first byte is its number.
	conns := make([]net.Conn, *streams)
	for n := 0; n < *streams; {
		ln.(*net.UnixListener).SetDeadline(time.Now().Add(10 * time.Second))
		c, err := ln.Accept()
		if err != nil {
			for _, c := range conns {
				if c != nil {
					c.Close()
				}
			}
			return fmt.Errorf("muxd: waiting for producers: %w", err)
		}
		var id [1]byte
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, id[:]); err != nil || int(id[0]) >= len(conns) || conns[id[0]] != nil {
			d.Log.Warn("producer connection without a valid stream number", "err", err, "id", id[0])
			c.Close()
			continue
		}
		c.SetReadDeadline(time.Time{})
		conns[id[0]] = c
		n++
	}
	d.Log.Info("muxd relaying", "streams", *streams, "mode", *mode)
	fmt.Fprintf(stdout, "muxd: relaying %d streams, %s\n", *streams, *mode)
	r := &relay{d: d, sink: sink, total: d.Seg.Counter("bytes_total", "bytes relayed, all streams", shmstat.Unit("bytes"))}
	for i := range conns {
		r.perStream = append(r.perStream, d.Seg.Counter("stream_"+strconv.Itoa(i)+"_bytes", "bytes relayed from producer "+strconv.Itoa(i), shmstat.Unit("bytes")))
	}
	go func() {
		<-ctx.Done()
		for _, c := range conns {
			c.Close()
		}
	}()
	switch *mode {
	case ModeSingleLoop:
		r.singleLoop(ctx, conns, *readSize)
	case ModePerStream:
		r.goroutines(ctx, conns)
	default:
		st, err := startStorage(*streams, r.writeSink)
		if err != nil {
			return err
		}
		defer st.Close()
		if *mode == ModeInterleaved {
			return r.interleaved(ctx, conns, st.Addr(), *frame)
		}
		return r.connPerStream(ctx, conns, st.Addr(), *frame)
	}
	return nil
}

// writeSink appends b to the sink; safe for concurrent use.
func (r *relay) writeSink(b []byte) {
	r.mu.Lock()
	r.sink.Write(b)
	r.mu.Unlock()
}

type relay struct {
	d         *daemon.Daemon
	sink      *os.File
	mu        sync.Mutex
	total     *shmstat.Counter
	perStream []*shmstat.Counter
}

// singleLoop serves every stream from one loop: poll each connection in
// turn with a short deadline and a small read, write what came to the sink.
func (r *relay) singleLoop(ctx context.Context, conns []net.Conn, size int) {
	load := r.d.Seg.Load("loop")
	defer load.Idle()
	p := r.d.Seg.Probe("loop")
	buf := make([]byte, size)
	for ctx.Err() == nil {
		for i, c := range conns {
			p.Mark("polling")
			load.Busy()
			p.Here()
			n, err := tryRead(c, buf)
			if n == 0 && err == nil {
				// Nothing there: wait for it, up to a short deadline. The
				// meter counts the loop's work (reading, writing) as busy
				// and this waiting as idle.
				c.SetReadDeadline(time.Now().Add(50 * time.Microsecond))
				load.Idle()
				p.Mark("waiting for data")
				n, err = c.Read(buf)
				load.Busy()
			}
			if n > 0 {
				p.Mark("writing sink")
				r.sink.Write(buf[:n])
				r.perStream[i].Add(uint64(n))
				r.total.Add(uint64(n))
			}
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
				r.d.Log.Warn("stream ended", "stream", i, "err", err)
				return
			}
		}
	}
}

// goroutines serves each stream from its own goroutine with large reads.
func (r *relay) goroutines(ctx context.Context, conns []net.Conn) {
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			load := r.d.Seg.Load("stream_" + strconv.Itoa(i))
			p := r.d.Seg.Probe("stream_" + strconv.Itoa(i))
			buf := make([]byte, 64<<10)
			for {
				p.Mark("reading")
				n, err := c.Read(buf)
				load.Busy()
				if n > 0 {
					p.Here()
					r.mu.Lock()
					r.sink.Write(buf[:n])
					r.mu.Unlock()
					r.perStream[i].Add(uint64(n))
					r.total.Add(uint64(n))
				}
				load.Idle()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// produce is one producer process: it attaches to muxd's segment (so it
// has its own slot, pid and probe) and writes as fast as the relay reads.
func produce(ctx context.Context, id, sock string, sndbuf int, stderr io.Writer) error {
	d, err := daemon.Start("muxd", "producer-"+id, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx, cancel := daemon.Context(ctx)
	defer cancel()
	c, err := daemon.Dial(ctx, sock)
	if err != nil {
		return fmt.Errorf("muxd producer %s: %w", id, err)
	}
	defer c.Close()
	if sndbuf > 0 {
		if err := c.(*net.UnixConn).SetWriteBuffer(sndbuf); err != nil {
			return fmt.Errorf("muxd producer %s: %w", id, err)
		}
	}
	n, err := strconv.Atoi(id)
	if err != nil || n < 0 || n > 255 {
		return fmt.Errorf("muxd producer: bad stream number %q", id)
	}
	if _, err := c.Write([]byte{byte(n)}); err != nil {
		return fmt.Errorf("muxd producer %s: %w", id, err)
	}
	sent := d.Seg.Counter("producer_"+id+"_bytes", "bytes producer "+id+" wrote", shmstat.Unit("bytes"))
	p := d.Seg.Probe("producer")
	chunk := make([]byte, 4096)
	go func() { <-ctx.Done(); c.Close() }()
	for ctx.Err() == nil {
		p.Mark("writing")
		n, err := c.Write(chunk)
		sent.Add(uint64(n))
		if err != nil {
			return nil
		}
	}
	return nil
}
