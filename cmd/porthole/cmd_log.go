package main

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

func init() {
	register(&command{name: "log", summary: "send one message to the log bus, like logger(1)", run: runLog})
}

// attrList collects repeated --attr k=v flags.
type attrList []slog.Attr

func (a *attrList) String() string { return fmt.Sprint(*a) }

// Set parses k=v; the value becomes an int, float, bool or duration when
// it reads as one, else a string.
func (a *attrList) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	*a = append(*a, typedAttr(k, v))
	return nil
}

func typedAttr(k, v string) slog.Attr {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return slog.Int64(k, i)
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return slog.Float64(k, f)
	}
	if b, err := strconv.ParseBool(v); err == nil {
		return slog.Bool(k, b)
	}
	if d, err := time.ParseDuration(v); err == nil {
		return slog.Duration(k, d)
	}
	return slog.String(k, v)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("%w: level %q: want debug, info, warn or error", errUsage, s)
	}
	return l, nil
}

// busFlags are the flags every bus command shares.
type busFlags struct {
	group, iface, keyFile string
}

func (b *busFlags) add(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&b.group, "group", "", "multicast group host:port (default $PORTHOLE_GROUP or "+mlog.DefaultGroup+")")
	fs.StringVar(&b.iface, "iface", "", "interface (default $PORTHOLE_IFACE or lo)")
	fs.StringVar(&b.keyFile, "key-file", "", "HMAC key file (default $PORTHOLE_KEY_FILE)")
}

func (b *busFlags) config() (mlog.Config, error) {
	cfg := mlog.Config{Group: b.group, Interface: b.iface}
	if b.keyFile != "" {
		key, err := mlog.LoadKeyFile(b.keyFile)
		if err != nil {
			return cfg, err
		}
		cfg.Key = key
	}
	return cfg.WithEnv()
}

func runLog(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("log", "[--level L] [--attr k=v ...] [--program P] MESSAGE", stderr)
	level := fs.String("level", "info", "level: debug, info, warn, error")
	program := fs.String("program", "porthole-log", "program name to send as")
	var attrs attrList
	fs.Var(&attrs, "attr", "attribute key=value (repeatable)")
	var bf busFlags
	bf.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: missing MESSAGE", errUsage)
	}
	l, err := parseLevel(*level)
	if err != nil {
		return err
	}
	cfg, err := bf.config()
	if err != nil {
		return err
	}
	cfg.Program = *program
	cfg.OneOff = true           // a command, not a server
	cfg.Level = slog.LevelDebug // what the user asks to send, goes
	bus, err := mlog.New(cfg)
	if err != nil {
		return err
	}
	slog.New(bus.Handler()).LogAttrs(nil, l, strings.Join(pos, " "), attrs...)
	if err := bus.Close(); err != nil {
		return err
	}
	if s := bus.Stats(); s.SendErrors > 0 {
		return fmt.Errorf("not sent: %v", s.LastError)
	}
	return nil
}
