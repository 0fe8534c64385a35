package termsafe

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "queue depth", "queue depth"},
		{"utf8 kept", "größe 5 µs ✓ 日本", "größe 5 µs ✓ 日本"},
		{"backslash kept", `C:\tmp`, `C:\tmp`},
		{"OSC 52 clipboard", "x\x1b]52;c;ZXZpbA==\a", `x\x1b]52;c;ZXZpbA==\a`},
		{"title ST", "\x1b]0;owned\x1b\\", `\x1b]0;owned\x1b\`},
		{"clear screen", "\x1b[H\x1b[2J", `\x1b[H\x1b[2J`},
		{"cursor move", "ok\x1b[1A\x1b[2K", `ok\x1b[1A\x1b[2K`},
		{"newline tab cr", "a\nb\tc\rd", `a\nb\tc\rd`},
		{"other C0", "\x00\x01\x08\x0b\x0c\x1f", `\x00\x01\b\v\f\x1f`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI as UTF-8", "a\u009b2Jb", `a\u009b2Jb`},
		{"C1 raw byte", "a\x9b2J", `a\x9b2J`},
		{"invalid UTF-8", "\xff\xfe ok \xc3", `\xff\xfe ok \xc3`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriterKeepsLinesAndTabs(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	in := "NAME\tVALUE\nevil\x1b]52;c;eA==\x07\t5\r\n"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(in))
	}
	want := "NAME\tVALUE\nevil\\x1b]52;c;eA==\\a\t5\\r\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if NewWriter(w) != w {
		t.Error("wrapping a Writer again made a second layer")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsErrors(t *testing.T) {
	w := NewWriter(failWriter{})
	for _, in := range []string{"plain", "\x1b[2J"} {
		if _, err := w.Write([]byte(in)); err == nil {
			t.Errorf("Write(%q): no error from a failing writer", in)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer pw.Close()
	if IsTerminal(pw) {
		t.Error("a pipe is a terminal")
	}
}

// checkSafe fails t if out could still drive a terminal.
func checkSafe(t *testing.T, in, out string, keepLines bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("escape(%q) = %q: not valid UTF-8", in, out)
	}
	for _, r := range out {
		ctl := r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e
		if keepLines && (r == '\n' || r == '\t') {
			ctl = false
		}
		if ctl {
			t.Fatalf("escape(%q) = %q: still holds %U", in, out, r)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "ok", "\x1b]52;c;eA==\a", "\u009b2J", "\xff\n\t", "日本\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := String(in)
		checkSafe(t, in, out, false)
		var b bytes.Buffer
		NewWriter(&b).Write([]byte(in))
		checkSafe(t, in, b.String(), true)
		if strings.Count(b.String(), "\n") != strings.Count(in, "\n") {
			t.Fatalf("Writer changed the number of lines of %q: %q", in, b.String())
		}
		// Text that needs no escaping comes out unchanged.
		plain := utf8.ValidString(in) && !strings.ContainsFunc(in, func(r rune) bool {
			return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || escapeRune(r, utf8.RuneLen(r))
		})
		if plain != (out == in) {
			t.Fatalf("String(%q) = %q: plain text %v but unchanged %v", in, out, plain, out == in)
		}
	})
}
