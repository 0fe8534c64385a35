package fuzzcorpus

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("plain"), {0, 1, 0xff, '"', '\\', '\n'}} {
		path := filepath.Join(t.TempDir(), "seed")
		if err := Write(path, b); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%q: read back %q, %v", b, got, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := map[string]string{
		"no header":    "[]byte(\"x\")\n",
		"other header": "go test fuzz v2\n[]byte(\"x\")\n",
		"two values":   "go test fuzz v1\nint(1)\n",
		"bad quoting":  "go test fuzz v1\n[]byte(\"x)\n",
		"empty":        "",
	}
	for name, in := range tests {
		if b, err := Parse([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "fuzzcorpus: ") {
			t.Errorf("%s: %q, %v; want an error", name, b, err)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Read of a missing file: no error")
	}
}

// Go's own corpus writer quotes the same way: a file it wrote parses.
func TestParsesGoWrittenFile(t *testing.T) {
	b, err := Parse([]byte("go test fuzz v1\n[]byte(\"\\x00\\xffPH\")\n"))
	if err != nil || !bytes.Equal(b, []byte{0, 0xff, 'P', 'H'}) {
		t.Fatalf("%q, %v", b, err)
	}
}
