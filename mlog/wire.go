package mlog

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"
)

// The datagram layout; docs/WIRE.md describes the same bytes.
const (
	wireMagic   = "PHLG"
	wireVersion = 1

	offVersion  = 4
	offKind     = 5
	offFlags    = 6  // u16
	offSender   = 8  // u64
	offSeq      = 16 // u64
	offTime     = 24 // i64 unix ns
	offDropped  = 32 // u32
	offPID      = 36 // u32
	offLevel    = 40 // i8
	offReserved = 41 // 3 bytes, zero
	headerLen   = 44

	flagTruncated = 1 << 0
	flagSigned    = 1 << 1
	flagOneOff    = 1 << 2

	macLen     = 16
	trailerLen = 4 + macLen // key id + truncated HMAC-SHA256

	// DefaultMaxSize is the largest datagram sent by default: it fits an
	// Ethernet MTU with room for IP and UDP headers, so it never fragments.
	DefaultMaxSize = 1400
	// MinMaxSize is the smallest size limit accepted.
	MinMaxSize = 256
)

// Attribute value types on the wire.
const (
	attrString   = 1
	attrInt      = 2
	attrUint     = 3
	attrFloat    = 4
	attrBool     = 5
	attrDuration = 6
	attrTime     = 7
)

// Stats record types on the wire.
const (
	statCounter = 1
	statGauge   = 2
	statLoad    = 3
	statTask    = 4
	statProbe   = 5
)

var be = binary.BigEndian

// enc appends wire values to a buffer.
type enc struct{ b []byte }

func (e *enc) u8(v uint8)    { e.b = append(e.b, v) }
func (e *enc) u16(v uint16)  { e.b = be.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32)  { e.b = be.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64)  { e.b = be.AppendUint64(e.b, v) }
func (e *enc) i64(v int64)   { e.u64(uint64(v)) }
func (e *enc) f64(v float64) { e.u64(math.Float64bits(v)) }

// str8 appends a string of at most 255 bytes (cut to fit).
func (e *enc) str8(s string) {
	if len(s) > 255 {
		s = cutUTF8(s, 255)
	}
	e.u8(uint8(len(s)))
	e.b = append(e.b, s...)
}

// str16 appends a string of at most 65535 bytes (cut to fit).
func (e *enc) str16(s string) {
	if len(s) > 65535 {
		s = cutUTF8(s, 65535)
	}
	e.u16(uint16(len(s)))
	e.b = append(e.b, s...)
}

// cutUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// dec reads wire values; the first error sticks and later reads return
// zero values, so a decoder checks once at the end.
type dec struct {
	b   []byte
	off int
	bad bool
}

func (d *dec) need(n int) bool {
	if d.bad || n < 0 || len(d.b)-d.off < n {
		d.bad = true
		return false
	}
	return true
}

func (d *dec) u8() uint8 {
	if !d.need(1) {
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *dec) u16() uint16 {
	if !d.need(2) {
		return 0
	}
	v := be.Uint16(d.b[d.off:])
	d.off += 2
	return v
}

func (d *dec) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := be.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *dec) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := be.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

func (d *dec) i64() int64   { return int64(d.u64()) }
func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *dec) bytes(n int) []byte {
	if !d.need(n) {
		return nil
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

// text8 and text16 read a length-prefixed string. Invalid UTF-8 from the
// wire is replaced (U+FFFD), so no consumer (JSON, Prometheus labels, a
// terminal) meets it.
func (d *dec) text8() string  { return validText(d.bytes(int(d.u8()))) }
func (d *dec) text16() string { return validText(d.bytes(int(d.u16()))) }

func validText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
