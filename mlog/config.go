package mlog

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"crypto/sha256"
	"encoding/binary"
	"github.com/porthole-dev/porthole/shmstat"
	"io"
)

// Defaults of Config. The group is administratively scoped (239/8), the
// interface is loopback and the TTL 1, so by default nothing leaves the
// machine.
const (
	DefaultGroup     = "239.255.77.77:7777"
	DefaultInterface = "lo"
	DefaultTTL       = 1
	DefaultQueueLen  = 4096
	MaxQueueLen      = 1 << 24 // the queue's positions are 32 bits and wrap (queue.go)
	DefaultRecvBuf   = 8 << 20
)

// Config configures a sender (New) or a receiver (Listen). Zero values
// mean the defaults; WithEnv fills unset fields from the environment.
type Config struct {
	Group     string // "host:port", default DefaultGroup ($PORTHOLE_GROUP)
	Interface string // default "lo" ($PORTHOLE_IFACE)
	TTL       int    // default 1
	Key       []byte // HMAC-SHA256 key; none = unsigned ($PORTHOLE_KEY_FILE)
	KeyID     uint32 // id of Key, sent with every signed datagram; 0: KeyIDOf(Key)
	Program   string // default the executable's base name
	Host      string // default os.Hostname()
	// Segment, when set, gives the sender debug flags (records with a
	// "cat" attribute naming a flag are sent only while it is on), a
	// counter of dropped messages, and the values Announce sends.
	Segment *shmstat.Segment
	// Level is the least level sent without a debug category; records
	// below it go out only while their category's flag is on. nil means
	// slog.LevelInfo. A *slog.LevelVar changes it while the bus runs.
	Level slog.Leveler
	// AddSource adds the caller's "source" attribute (file:line) to every
	// record, as slog.HandlerOptions.AddSource does.
	AddSource bool
	// ReplaceAttr, as in slog.HandlerOptions, rewrites or drops (by
	// returning the zero Attr) each attribute before it is sent; groups
	// are the groups it is in. It also sees the built-in slog.TimeKey,
	// slog.LevelKey, slog.MessageKey and slog.SourceKey (groups nil): the
	// datagram's time, level and message take a returned value of their
	// type (time.Time, slog.Level, string) and stay as they are otherwise,
	// as every datagram carries them.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr
	MaxSize     int // datagram size limit, default 1400
	QueueLen    int // sender queue, default 4096 messages (rounded up to a power of two), at most MaxQueueLen
	RecvBuffer  int // receiver socket buffer, default 8 MiB
	// Keys are the keys a receiver accepts, by key id; Key/KeyID are
	// added to them. With no key at all, a receiver accepts unsigned
	// datagrams and does not check signatures.
	Keys map[uint32][]byte
	// OneOff marks every datagram as coming from a one-off sender (a
	// command such as `porthole log`, or a job's command: EnvJob), so
	// that collectors do not take it for a server.
	OneOff bool
	// ReplayWindow (receivers, signed buses only): a datagram whose signed
	// send time is farther than this from the receiver's clock is a
	// replay (default 5 minutes). Senders' and receivers' clocks must
	// agree within it (NTP). Within it, the sequence tracker rejects what
	// it has seen; a collector also knows, from its spool, each sender's
	// last number across its own restarts.
	ReplayWindow time.Duration
	// Tracker bounds a receiver's per-sender sequence accounting (reorder
	// window, forget time, sender cap).
	Tracker TrackerConfig
}

// EnvJob is the environment variable that names the job a process runs
// for: porthole run sets it for the command it starts. WithEnv makes
// such a process a one-off sender (OneOff): a job's command is not a
// server, and each run is the job's, not a restart of a server (the
// collector keeps jobs in their own table).
const EnvJob = "PORTHOLE_JOB"

// WithEnv returns c with unset fields taken from PORTHOLE_GROUP,
// PORTHOLE_IFACE and PORTHOLE_KEY_FILE (a file holding the key), and
// OneOff set when EnvJob is.
func (c Config) WithEnv() (Config, error) {
	if c.Group == "" {
		c.Group = os.Getenv("PORTHOLE_GROUP")
	}
	if c.Interface == "" {
		c.Interface = os.Getenv("PORTHOLE_IFACE")
	}
	if os.Getenv(EnvJob) != "" {
		c.OneOff = true
	}
	if len(c.Key) == 0 {
		if f := os.Getenv("PORTHOLE_KEY_FILE"); f != "" {
			key, err := LoadKeyFile(f)
			if err != nil {
				return c, err
			}
			c.Key = key
		}
	}
	return c, nil
}

// KeyIDOf is the key id that goes with key unless one is set: the first
// four bytes of SHA-256(key), big-endian. Senders and receivers that
// load the same key file agree on it without configuration, and a
// receiver can hold the old and the new key while keys are rotated.
func KeyIDOf(key []byte) uint32 {
	h := sha256.Sum256(key)
	return binary.BigEndian.Uint32(h[:4])
}

// LoadKeyFile reads a key file: the key is its first line with
// surrounding white space removed, at least 16 bytes. A file that group
// or others may read or write is refused, as ssh refuses such a private
// key: the key is what makes the bus trustworthy.
func LoadKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mlog: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mlog: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("mlog: key file %s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("mlog: key file %s: mode %04o lets others read or change the key; chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("mlog: key file: %w", err)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimSpace(b)
	if len(b) < 16 {
		return nil, fmt.Errorf("mlog: key file %s: key of %d bytes, want at least 16", path, len(b))
	}
	return b, nil
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() (Config, error) {
	if c.Group == "" {
		c.Group = DefaultGroup
	}
	if c.Level == nil {
		c.Level = slog.LevelInfo
	}
	if c.Interface == "" {
		c.Interface = DefaultInterface
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.MaxSize == 0 {
		c.MaxSize = DefaultMaxSize
	}
	if c.MaxSize < MinMaxSize {
		return c, fmt.Errorf("mlog: size limit %d below the minimum %d", c.MaxSize, MinMaxSize)
	}
	if c.QueueLen <= 0 {
		c.QueueLen = DefaultQueueLen
	}
	if c.QueueLen > MaxQueueLen {
		return c, fmt.Errorf("mlog: queue length %d above the maximum %d", c.QueueLen, MaxQueueLen)
	}
	if len(c.Key) > 0 && c.KeyID == 0 {
		c.KeyID = KeyIDOf(c.Key)
	}
	if c.ReplayWindow <= 0 {
		c.ReplayWindow = 5 * time.Minute
	}
	if c.RecvBuffer <= 0 {
		c.RecvBuffer = DefaultRecvBuf
	}
	if c.Program == "" {
		if exe, err := os.Executable(); err == nil {
			c.Program = baseName(exe)
		}
	}
	if c.Host == "" {
		c.Host, _ = os.Hostname()
	}
	return c, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// resolve returns the group address and the interface.
func (c Config) resolve() (*net.UDPAddr, *net.Interface, error) {
	addr, err := net.ResolveUDPAddr("udp4", c.Group)
	if err != nil {
		return nil, nil, fmt.Errorf("mlog: group %q: %w", c.Group, err)
	}
	if !addr.IP.IsMulticast() {
		return nil, nil, fmt.Errorf("mlog: group %q is not a multicast address", c.Group)
	}
	ifi, err := net.InterfaceByName(c.Interface)
	if err != nil {
		return nil, nil, fmt.Errorf("mlog: interface %q: %w", c.Interface, err)
	}
	return addr, ifi, nil
}

// keyring returns the keys a receiver accepts.
func (c Config) keyring() map[uint32][]byte {
	if len(c.Keys) == 0 && len(c.Key) == 0 {
		return nil
	}
	k := make(map[uint32][]byte, len(c.Keys)+1)
	for id, key := range c.Keys {
		k[id] = key
	}
	if len(c.Key) > 0 {
		k[c.KeyID] = c.Key
	}
	return k
}
