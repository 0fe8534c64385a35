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

// Load reads a scoreboard from source: an http:// or https:// URL (a
// URL ending in /scoreboard.json, or the server's base URL) or a file
// path.
func Load(ctx context.Context, source string) (*Board, error) {
	b, from, err := Bytes(ctx, source)
	if err != nil {
		return nil, err
	}
	return Parse(b, from)
}

// Read reads a scoreboard file.
func Read(path string) (*Board, error) { return Load(context.Background(), path) }

// Fetch gets a scoreboard from a collector's HTTP server: a URL ending in
// /scoreboard.json, or the server's base URL.
func Fetch(ctx context.Context, url string) (*Board, error) {
	if !isURL(url) {
		return nil, fmt.Errorf("scoreboard: fetch %q: not an http:// or https:// URL", url)
	}
	return Load(ctx, url)
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

// Bytes returns the raw scoreboard document at source (a file, or a
// collector's URL), at most 64 MiB, and the name to give it in errors.
// It is the one place a scoreboard is fetched; Parse (or the collector's
// own types) decode what it returns.
func Bytes(ctx context.Context, source string) ([]byte, string, error) {
	if !isURL(source) {
		f, err := os.Open(source)
		if err != nil {
			return nil, source, fmt.Errorf("scoreboard: read: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxSize+1))
		if err != nil {
			return nil, source, fmt.Errorf("scoreboard: read %s: %w", source, err)
		}
		return b, source, nil
	}
	url := source
	if !strings.HasSuffix(url, "/scoreboard.json") {
		url = strings.TrimRight(url, "/") + "/scoreboard.json"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, url, fmt.Errorf("scoreboard: fetch: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, url, fmt.Errorf("scoreboard: fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, url, fmt.Errorf("scoreboard: fetch %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, url, fmt.Errorf("scoreboard: fetch %s: %w", url, err)
	}
	return b, url, nil
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
