package fuzzcorpus

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

const header = "go test fuzz v1"

// Format returns the corpus file content holding b.
func Format(b []byte) []byte {
	return []byte(fmt.Sprintf("%s\n[]byte(%q)\n", header, b))
}

// Parse returns the []byte value of a corpus file's content.
func Parse(content []byte) ([]byte, error) {
	lines := strings.SplitN(strings.TrimSpace(string(content)), "\n", 2)
	if len(lines) != 2 || lines[0] != header {
		return nil, fmt.Errorf("fuzzcorpus: not a fuzz corpus file")
	}
	v := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(v, "[]byte(") || !strings.HasSuffix(v, ")") {
		return nil, fmt.Errorf("fuzzcorpus: not a []byte value: %.40q", v)
	}
	s, err := strconv.Unquote(v[len("[]byte(") : len(v)-1])
	if err != nil {
		return nil, fmt.Errorf("fuzzcorpus: %.40q: %w", v, err)
	}
	return []byte(s), nil
}

// Read returns the []byte value of the corpus file path.
func Read(path string) ([]byte, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fuzzcorpus: %w", err)
	}
	b, err := Parse(content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Write writes b as the corpus file path.
func Write(path string, b []byte) error {
	if err := os.WriteFile(path, Format(b), 0o644); err != nil {
		return fmt.Errorf("fuzzcorpus: %w", err)
	}
	return nil
}
