package termsafe

import (
	"io"
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// String returns s with every control character, bidi control and
// invalid UTF-8 byte escaped, newlines and tabs included. It returns s
// itself when nothing needs escaping.
func String(s string) string {
	if safe(s, false) {
		return s
	}
	return string(appendEscaped(nil, s, false))
}

// Writer escapes what passes through it like String, but lets newlines
// and tabs through, so formatted tables and line-per-record output keep
// their shape. Each Write is escaped on its own: a multi-byte character
// split across two Writes is shown as escaped bytes (fmt and
// text/tabwriter never split one).
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer that escapes into w. Wrapping a *Writer
// again returns it unchanged.
func NewWriter(w io.Writer) *Writer {
	if tw, ok := w.(*Writer); ok {
		return tw
	}
	return &Writer{w: w}
}

// Write escapes p and writes the result. It reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return w.w.Write(p)
	}
	// A string view of p without a copy: s is used only during this call,
	// while p does not change.
	s := unsafe.String(unsafe.SliceData(p), len(p))
	if safe(s, true) {
		return w.w.Write(p)
	}
	w.buf = appendEscaped(w.buf[:0], s, true)
	if _, err := w.w.Write(w.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// safe reports whether s needs no escaping.
func safe(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return safeUTF8(s[i:], keepLines)
		}
		if c < 0x20 || c == 0x7f {
			if !keepLines || (c != '\n' && c != '\t') {
				return false
			}
		}
	}
	return true
}

// safeUTF8 is safe for the part of a string from its first non-ASCII byte.
func safeUTF8(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if escapeRune(r, n) || (r < 0x80 && (r < 0x20 || r == 0x7f) && (!keepLines || (r != '\n' && r != '\t'))) {
			return false
		}
		i += n
	}
	return true
}

// escapeRune reports whether a decoded non-ASCII rune (n bytes) must be
// escaped: invalid UTF-8, C1 controls and bidi controls.
func escapeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// appendEscaped appends the escaped form of s to dst.
func appendEscaped(dst []byte, s string, keepLines bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch {
			case c >= 0x20 && c != 0x7f, keepLines && (c == '\n' || c == '\t'):
				dst = append(dst, c)
			case c == '\a':
				dst = append(dst, `\a`...)
			case c == '\b':
				dst = append(dst, `\b`...)
			case c == '\t':
				dst = append(dst, `\t`...)
			case c == '\n':
				dst = append(dst, `\n`...)
			case c == '\v':
				dst = append(dst, `\v`...)
			case c == '\f':
				dst = append(dst, `\f`...)
			case c == '\r':
				dst = append(dst, `\r`...)
			default:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case escapeRune(r, n):
			dst = append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}
