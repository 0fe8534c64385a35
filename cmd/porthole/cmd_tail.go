package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/internal/termsafe"
	"github.com/porthole-dev/porthole/mlog"
)

func init() {
	register(&command{name: "tail", summary: "print the live log bus, with loss and rejects as they happen", run: runTail})
}

// tailFilter selects messages to print.
type tailFilter struct {
	level   slog.Level
	host    string
	program string
	grep    *regexp.Regexp
	stats   bool
}

func (f *tailFilter) match(m *mlog.Received) bool {
	switch m.Kind {
	case mlog.KindLog:
	case mlog.KindStats:
		if !f.stats {
			return false
		}
	default:
		return false
	}
	if m.Level < f.level || (f.host != "" && m.Host != f.host) || (f.program != "" && m.Program != f.program) {
		return false
	}
	return f.grep == nil || f.grep.MatchString(m.Msg) || f.grep.MatchString(attrText(m.Attrs))
}

// tailOptions are porthole tail's flags.
type tailOptions struct {
	filter tailFilter
	json   bool
	count  int
	bus    mlog.Config
}

func parseTailFlags(args []string, stderr io.Writer) (*tailOptions, error) {
	fs := newFlagSet("tail", "[--level L] [--host H] [--program P] [--grep RE] [--json] [--stats]", stderr)
	level := fs.String("level", "debug", "least level shown")
	host := fs.String("host", "", "only this host")
	program := fs.String("program", "", "only this program")
	grep := fs.String("grep", "", "only messages (or attributes) matching this regular expression")
	o := &tailOptions{}
	fs.BoolVar(&o.json, "json", false, "one JSON object per message")
	stats := fs.Bool("stats", false, "show stats announcements too")
	fs.IntVar(&o.count, "count", 0, "exit after N messages (0: until interrupted)")
	var bf busFlags
	bf.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	o.filter = tailFilter{host: *host, program: *program, stats: *stats}
	if o.filter.level, err = parseLevel(*level); err != nil {
		return nil, err
	}
	if *grep != "" {
		if o.filter.grep, err = regexp.Compile(*grep); err != nil {
			return nil, fmt.Errorf("%w: --grep: %v", errUsage, err)
		}
	}
	if o.bus, err = bf.config(); err != nil {
		return nil, err
	}
	return o, nil
}

func runTail(args []string, stdout, stderr io.Writer) error {
	o, err := parseTailFlags(args, stderr)
	if err != nil {
		return err
	}
	r, err := mlog.Listen(o.bus)
	if err != nil {
		return err
	}
	defer r.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !o.json {
		fmt.Fprintf(stderr, "listening on %s (receive buffer %d bytes)\n", orDefault(o.bus.Group, mlog.DefaultGroup), r.RecvBuffer())
	}
	t := &tailer{r: r, out: stdout, errw: termsafe.NewWriter(stderr), json: o.json, names: map[uint64]string{}}
	return t.run(ctx, &o.filter, o.count)
}

// run prints what the bus carries until ctx ends or count messages
// (0: no limit) were shown.
func (t *tailer) run(ctx context.Context, f *tailFilter, count int) error {
	shown := 0
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		m, err := t.r.Read(rctx)
		cancel()
		t.reportLoss()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			return err
		}
		if len(t.names) >= 65536 {
			clear(t.names) // bounded: names are only a convenience for loss lines
		}
		t.names[m.Sender] = fmt.Sprintf("%s %s[%d]", m.Host, m.Program, m.PID)
		if m.Dropped > 0 {
			fmt.Fprintf(t.errw, "-- %s dropped %d records (its queue was full)\n", t.names[m.Sender], m.Dropped)
		}
		if !f.match(&m) {
			continue
		}
		t.print(&m)
		shown++
		if count > 0 && shown >= count {
			return nil
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// tailer prints messages and what changed in the receiver's accounting.
type tailer struct {
	r     *mlog.Receiver
	out   io.Writer
	errw  io.Writer
	json  bool
	names map[uint64]string
	prev  mlog.ReceiverStats
}

// reportLoss prints new losses, rejects and kernel drops since last time.
func (t *tailer) reportLoss() {
	s := t.r.Stats()
	for id, cur := range s.Senders {
		old := t.prev.Senders[id]
		if cur.Lost > old.Lost {
			fmt.Fprintf(t.errw, "-- lost %d messages from %s (sender %016x)\n", cur.Lost-old.Lost, t.nameOf(id), id)
		}
	}
	var reasons []string
	for k := range s.Rejected {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		if d := s.Rejected[k] - t.prev.Rejected[k]; d > 0 {
			fmt.Fprintf(t.errw, "-- rejected %d datagrams: %s (last: %s)\n", d, k, s.LastReject[k])
		}
	}
	if s.KernelDrops > t.prev.KernelDrops {
		fmt.Fprintf(t.errw, "-- the kernel dropped %d datagrams: receive buffer full\n", s.KernelDrops-t.prev.KernelDrops)
	}
	t.prev = s
}

func (t *tailer) nameOf(id uint64) string {
	if n, ok := t.names[id]; ok {
		return n
	}
	return "unknown sender"
}

func (t *tailer) print(m *mlog.Received) {
	if t.json {
		json.NewEncoder(t.out).Encode(jsonMessage(m))
		return
	}
	line := fmt.Sprintf("%s %-5s %s %s[%d] %s", m.Time.Format("15:04:05.000"), m.Level, m.Host, m.Program, m.PID, m.Msg)
	if a := attrText(m.Attrs); a != "" {
		line += " " + a
	}
	if m.Truncated {
		line += " [truncated]"
	}
	if m.Stats != nil {
		line += fmt.Sprintf(" [%d counters, %d gauges, %d tasks, part %d/%d]", len(m.Stats.Counters), len(m.Stats.Gauges), len(m.Stats.Tasks), m.Stats.Part+1, m.Stats.Parts)
	}
	fmt.Fprintln(t.out, termsafe.String(line)) // every part of it came off the wire
}

func attrText(as []slog.Attr) string {
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// jsonMessage is the --json form of a message.
func jsonMessage(m *mlog.Received) map[string]any {
	attrs := map[string]any{}
	for _, a := range m.Attrs {
		attrs[a.Key] = a.Value.Any()
		if a.Value.Kind() == slog.KindDuration {
			attrs[a.Key] = a.Value.Duration().String()
		}
	}
	o := map[string]any{
		"time": m.Time, "level": m.Level.String(), "kind": m.Kind.String(),
		"host": m.Host, "program": m.Program, "pid": m.PID,
		"sender": fmt.Sprintf("%016x", m.Sender), "seq": m.Seq, "msg": m.Msg, "attrs": attrs,
		"recv_time": m.RecvTime, "source": m.Source.String(), "interface": m.Interface,
	}
	if m.Truncated {
		o["truncated"] = true
	}
	if m.Stats != nil {
		o["stats"] = m.Stats
	}
	return o
}
