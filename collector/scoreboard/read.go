package scoreboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// maxSize bounds what is read of a scoreboard.
const maxSize = 64 << 20

// Load reads a scoreboard from source: an http:// or https:// URL (see
// Fetch) or a file path (see Read).
func Load(ctx context.Context, source string) (*Board, error) {
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		return Fetch(ctx, source)
	}
	return Read(source)
}

// Read reads a scoreboard file.
func Read(path string) (*Board, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: read: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("scoreboard: read %s: %w", path, err)
	}
	return Parse(b, path)
}

// Fetch gets a scoreboard from a collector's HTTP server: a URL ending in
// /scoreboard.json, or the server's base URL.
func Fetch(ctx context.Context, url string) (*Board, error) {
	if !strings.HasSuffix(url, "/scoreboard.json") {
		url = strings.TrimRight(url, "/") + "/scoreboard.json"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: fetch: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scoreboard: fetch %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("scoreboard: fetch %s: %w", url, err)
	}
	return Parse(b, url)
}

// Parse decodes a scoreboard document; from names it in errors.
func Parse(b []byte, from string) (*Board, error) {
	if len(b) > maxSize {
		return nil, fmt.Errorf("scoreboard: %s: larger than %d bytes", from, maxSize)
	}
	var sb Board
	if err := json.Unmarshal(b, &sb); err != nil {
		return nil, fmt.Errorf("scoreboard: %s: %w", from, err)
	}
	if sb.Version != Version {
		return nil, fmt.Errorf("scoreboard: %s: version %d, this reader knows %d", from, sb.Version, Version)
	}
	return &sb, nil
}
