package collector

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// LastWritten is what the spool holds last of one sender: the highest
// sequence number accounted for (a record's seq, or a gap record's last)
// and, when that record carries them, who the sender said it was.
type LastWritten struct {
	Seq     uint64
	Time    time.Time // the record's time (the sender's clock; the collector's for a gap)
	Host    string    // empty when the record has none
	Program string
	PID     int
}

// ResumeOptions bound how much of the spool ReadResume reads.
type ResumeOptions struct {
	// MaxAge: files that began more than MaxAge before the newest file
	// began (on the spool's own clock, the file names) are not read, so
	// senders silent that long may not be found (default 1 h, the
	// collector's default ForgetAfter).
	MaxAge time.Duration
	// Expect lists the senders known to be alive when the collector
	// stopped (for example the senders of the last scoreboard); reading
	// stops as soon as each of them is found. Nil: read up to MaxAge.
	Expect []uint64
}

// Resume is what ReadResume found.
type Resume struct {
	Senders   map[uint64]LastWritten
	FilesRead int // spool files read (wholly or in part)
	Lines     int // lines decoded
	Bad       int // lines that did not decode (a torn last line is not counted)
}

// ReadResume reads the end of the spool in dir and returns, per sender
// id, the last sequence number written, so a restarted collector can
// account for what was lost while it was down.
//
// It reads newest first: the current file from its end backwards (a
// torn last line is ignored), then older files only while they can hold
// records of the last MaxAge, and it stops as soon as every expected
// sender was found. A sender's newest line settles it; older lines of a
// settled sender are skipped without decoding. Compressed files are
// decompressed whole (gzip cannot be read backwards).
func ReadResume(dir string, opt ResumeOptions) (*Resume, error) {
	if opt.MaxAge <= 0 {
		opt.MaxAge = time.Hour
	}
	// By name without extension: a plain file being compressed (as the
	// collector does with the previous run's files at start) is read in
	// whichever form exists when it is opened.
	bases, err := spoolBases(dir)
	if err != nil {
		return nil, fmt.Errorf("collector: resume from %s: %w", dir, err)
	}
	res := &Resume{Senders: map[uint64]LastWritten{}}
	if len(bases) == 0 {
		return res, nil
	}
	// The cutoff is on the spool's own clock (file names come from the
	// collector's Config.Now), so it agrees with nameTime below.
	var cutoff time.Time
	if t, ok := nameTime(bases[len(bases)-1]); ok {
		cutoff = t.Add(-opt.MaxAge)
	} else {
		for _, p := range []string{bases[len(bases)-1] + spoolExt, bases[len(bases)-1] + gzExt} {
			if fi, err := os.Stat(p); err == nil {
				cutoff = fi.ModTime().Add(-opt.MaxAge)
				break
			}
		}
	}
	rs := &resumeScan{res: res, want: map[uint64]bool{}, expect: len(opt.Expect) > 0}
	for _, id := range opt.Expect {
		rs.want[id] = true
	}
	for i := len(bases) - 1; i >= 0 && !rs.done(); i-- {
		b := bases[i]
		res.FilesRead++
		err := rs.readBackwards(b + spoolExt)
		if errors.Is(err, os.ErrNotExist) {
			err = rs.readGzip(b + gzExt)
			if errors.Is(err, os.ErrNotExist) {
				err = nil // removed by retention meanwhile
			}
		}
		if err != nil {
			return nil, fmt.Errorf("collector: resume from %s: %w", b, err)
		}
		// Older files hold only records from before this one started.
		if t, ok := nameTime(b); ok && !cutoff.IsZero() && !t.After(cutoff) {
			break
		}
	}
	return res, nil
}

// resumeChunk is how much of a file readBackwards reads at a time (a
// variable so the fuzz test can make lines straddle chunks).
var resumeChunk = 256 << 10

// maxResumeLine is the longest line readBackwards gathers (the spool's
// lines are a few KB: one datagram each).
const maxResumeLine = 1 << 20

type resumeScan struct {
	res    *Resume
	want   map[uint64]bool // expected senders not found yet
	expect bool            // finding every expected sender ends the scan
}

func (rs *resumeScan) done() bool { return rs.expect && len(rs.want) == 0 }

// resumeLine is the part of a spool line ReadResume needs.
type resumeLine struct {
	Type    string    `json:"type"`
	Sender  string    `json:"sender"`
	Seq     uint64    `json:"seq"`
	Last    uint64    `json:"last"`
	Time    time.Time `json:"time"`
	Host    string    `json:"host"`
	Program string    `json:"program"`
	PID     int       `json:"pid"`
}

// syslogLinePrefix starts every syslog record the writer writes.
var syslogLinePrefix = []byte(`{"type":"syslog",`)

// senderOfLine reads the sender id of a spool line without decoding all
// of it (the writer puts it second: {"type":"...","sender":"16 hex"}).
func senderOfLine(line []byte) (uint64, bool) {
	const key = `"sender":"`
	i := bytes.Index(line, []byte(key))
	if i < 0 || len(line) < i+len(key)+17 || line[i+len(key)+16] != '"' {
		return 0, false
	}
	id, err := strconv.ParseUint(string(line[i+len(key):i+len(key)+16]), 16, 64)
	return id, err == nil
}

// decode reads what ReadResume needs from one line, unless its sender
// is already settled by a newer file. ok is false for a line that says
// nothing (a settled sender, no sequence number, or bad).
func (rs *resumeScan) decode(line []byte) (id uint64, lw LastWritten, ok bool) {
	if bytes.HasPrefix(line, syslogLinePrefix) {
		return 0, lw, false // no sender, no sequence number: nothing to resume
	}
	id, ok = senderOfLine(line)
	if !ok {
		rs.res.Bad++
		return 0, lw, false
	}
	if _, settled := rs.res.Senders[id]; settled {
		return 0, lw, false
	}
	rs.res.Lines++
	var l resumeLine
	if err := json.Unmarshal(line, &l); err != nil {
		rs.res.Bad++
		return 0, lw, false
	}
	seq := max(l.Seq, l.Last)
	if seq == 0 {
		return 0, lw, false // a record without sequence numbers says nothing here
	}
	return id, LastWritten{Seq: seq, Time: l.Time, Host: l.Host, Program: l.Program, PID: l.PID}, true
}

// readBackwards reads a plain file from its end, newest line first; a
// sender's first line found settles it.
func (rs *resumeScan) readBackwards(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	chunk := resumeChunk
	end := fi.Size()
	var carry []byte // the start of a line whose beginning is in an earlier chunk
	torn := true     // until the last newline is found
	for end > 0 && !rs.done() {
		n := min(int64(chunk), end)
		buf := make([]byte, n, n+int64(len(carry)))
		if _, err := f.ReadAt(buf, end-n); err != nil {
			return err
		}
		end -= n
		buf = append(buf, carry...)
		if torn {
			// A torn last line (a crash in mid-write) ends without a
			// newline: not a record. Skip to the last newline.
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 {
				carry = nil
				continue
			}
			buf, torn = buf[:i+1], false
		}
		// Lines wholly inside buf, newest first; the first (partial
		// unless at the file's start) is carried to the next chunk.
		lines := bytes.Split(bytes.TrimSuffix(buf, []byte{'\n'}), []byte{'\n'})
		stop := 1
		if end == 0 {
			stop = 0
		}
		for i := len(lines) - 1; i >= stop && !rs.done(); i-- {
			rs.settle(lines[i])
		}
		if end > 0 && len(lines) > 0 {
			carry = append([]byte(nil), lines[0]...)
			if len(carry) > maxResumeLine {
				// No spool line is this long: a damaged file. Skip
				// to the line before it rather than gather it.
				rs.res.Bad++
				carry, torn = nil, true
			}
		}
	}
	return nil
}

// settle uses one line read newest first: the first found of a sender
// settles it.
func (rs *resumeScan) settle(line []byte) {
	if len(line) == 0 {
		return
	}
	if id, lw, ok := rs.decode(line); ok {
		rs.res.Senders[id] = lw
		delete(rs.want, id)
	}
}

// readGzip reads a compressed file whole; its last line per sender
// counts, unless a newer file settled that sender.
func (rs *resumeScan) readGzip(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		rs.res.Bad++
		return nil // a damaged file says nothing; older ones may
	}
	found := map[uint64]LastWritten{}
	br := bufio.NewReaderSize(zr, 256<<10)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			rs.res.Bad++ // a line this long is no spool record of ours
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				rs.res.Bad++
			}
			break // a last line without newline is torn: not a record
		}
		if id, lw, ok := rs.decode(line[:len(line)-1]); ok {
			found[id] = lw
		}
	}
	for id, lw := range found {
		rs.res.Senders[id] = lw
		delete(rs.want, id)
	}
	return nil
}
