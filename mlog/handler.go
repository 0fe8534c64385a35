package mlog

import (
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"strings"

	"github.com/porthole-dev/porthole/shmstat"
)

// CategoryKey is the attribute key that names a record's debug category.
const CategoryKey = "cat"

// Handler returns an slog.Handler that sends records to the bus. It
// honours Config.AddSource and Config.ReplaceAttr as slog's handlers
// honour slog.HandlerOptions. Records at Config.Level or above are always
// sent; records below it (debug) are
// sent only while the flag named by their "cat" attribute (default
// "debug") is on in this process's slot of Config.Segment — switched at
// run time by `porthole debug NAME +flag`.
func (b *Bus) Handler() slog.Handler {
	return &handler{b: b, plain: b.cfg.ReplaceAttr == nil && !b.cfg.AddSource}
}

type handler struct {
	b      *Bus
	attrs  []slog.Attr // from WithAttrs, keys already prefixed (and replaced)
	prefix string      // group prefix for later keys, "g1.g2."
	groups []string    // the same groups, for ReplaceAttr
	cat    string      // category from WithAttrs
	plain  bool        // no ReplaceAttr or AddSource, and attrs holds only plain values (pending.go)
}

// Enabled costs one comparison, and for debug records one atomic load of
// the flags word.
func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	if l >= h.b.level() {
		return true
	}
	return h.b.seg != nil && h.b.seg.Flags() != 0
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	if r.Level < h.b.level() {
		cat := h.cat
		if cat == "" {
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == CategoryKey {
					cat = a.Value.String()
					return false
				}
				return true
			})
		}
		if cat == "" {
			cat = "debug"
		}
		if !h.b.category(cat).On() {
			return nil
		}
	}
	if h.plain {
		h.b.enqueueRecord(h, &r)
	} else {
		h.b.encodeRecord(h, &r)
	}
	return nil
}

// encodeRecord claims a slot and encodes r into it.
func (b *Bus) encodeRecord(h *handler, r *slog.Record) {
	s, pos, ok := b.claimSlot()
	if ok {
		b.encodeClaimed(s, pos, h, r)
	}
}

// encodeClaimed encodes r into the claimed slot s and publishes it, with
// defer: a panic while encoding (a LogValuer's, say) then publishes an
// empty datagram, which the writer skips, instead of holding up the queue.
func (b *Bus) encodeClaimed(s *slot, pos uint32, h *handler, r *slog.Record) {
	defer b.publish(s, pos)
	buf := b.slotBuf(s)
	if b.cfg.ReplaceAttr != nil || b.cfg.AddSource {
		m := Message{Time: r.Time, Level: r.Level, Msg: r.Message}
		attrs := h.replaced(&m, r)
		buf = appendRecord(buf, b.head, m.Time, m.Level, m.Msg, attrs, nil, "", b.cfg.MaxSize-trailerLen)
	} else {
		buf = appendRecord(buf, b.head, r.Time, r.Level, r.Message, h.attrs, r, h.prefix, b.cfg.MaxSize-trailerLen)
	}
	b.commit(s, buf)
}

// replaced applies Config.AddSource and Config.ReplaceAttr, as slog's own
// handlers do: it passes the built-in fields through ReplaceAttr (a
// returned value of the field's type replaces it in m) and returns every
// attribute to send, flattened.
func (h *handler) replaced(m *Message, r *slog.Record) []slog.Attr {
	rep := h.b.cfg.ReplaceAttr
	if rep != nil {
		if a := rep(nil, slog.Time(slog.TimeKey, m.Time)); a.Value.Kind() == slog.KindTime {
			m.Time = a.Value.Time()
		}
		if l, ok := rep(nil, slog.Any(slog.LevelKey, m.Level)).Value.Any().(slog.Level); ok {
			m.Level = l
		}
		if a := rep(nil, slog.String(slog.MessageKey, m.Msg)); a.Value.Kind() == slog.KindString {
			m.Msg = a.Value.String()
		}
	}
	out := append([]slog.Attr(nil), h.attrs...)
	add := func(a slog.Attr) bool { out = append(out, a); return true }
	if h.b.cfg.AddSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		src := slog.Any(slog.SourceKey, &slog.Source{Function: f.Function, File: f.File, Line: f.Line})
		if rep != nil {
			src = rep(nil, src)
		}
		if s, ok := src.Value.Any().(*slog.Source); ok {
			src.Value = slog.StringValue(s.File + ":" + strconv.Itoa(s.Line))
		}
		replaceFlat(nil, nil, src, nil, add) // at the top level, as in slog
	}
	r.Attrs(func(a slog.Attr) bool {
		return replaceFlat(h.groups, h.groups, a, rep, add)
	})
	return out
}

// replaceFlat flattens a as flatten does, resolving values and passing
// every non-group attribute through rep (when set) with the groups it is
// in; keyGroups prefix the keys. It reports whether to go on.
func replaceFlat(groups, keyGroups []string, a slog.Attr, rep func([]string, slog.Attr) slog.Attr, yield func(slog.Attr) bool) bool {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return true // slog handlers ignore empty attributes
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key == "" {
			for _, g := range a.Value.Group() {
				if !replaceFlat(groups, keyGroups, g, rep, yield) {
					return false
				}
			}
			return true
		}
		inner := append(append([]string(nil), groups...), a.Key)
		for _, g := range a.Value.Group() {
			if !replaceFlat(inner, inner, g, rep, yield) {
				return false
			}
		}
		return true
	}
	if rep != nil {
		if a = rep(groups, a); a.Equal(slog.Attr{}) {
			return true
		}
		a.Value = a.Value.Resolve()
	}
	prefix := ""
	if len(keyGroups) > 0 {
		prefix = strings.Join(keyGroups, ".") + "."
	}
	return flatten(prefix, a, yield)
}

// flatten yields a with prefix, expanding groups; it reports whether to go on.
func flatten(prefix string, a slog.Attr, yield func(slog.Attr) bool) bool {
	if a.Equal(slog.Attr{}) {
		return true
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p = prefix + a.Key + "."
		}
		for _, g := range a.Value.Group() {
			if !flatten(p, g, yield) {
				return false
			}
		}
		return true
	}
	if prefix != "" {
		a.Key = prefix + a.Key
	}
	return yield(a)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]slog.Attr(nil), h.attrs...)
	add := func(x slog.Attr) bool {
		x.Value = x.Value.Resolve()
		n.attrs = append(n.attrs, x)
		return true
	}
	for _, a := range as {
		if a.Key == CategoryKey && h.prefix == "" {
			n.cat = a.Value.String()
		}
		if rep := h.b.cfg.ReplaceAttr; rep != nil {
			replaceFlat(h.groups, h.groups, a, rep, add)
		} else {
			flatten(h.prefix, a, add)
		}
	}
	n.plain = h.plain && plainAttrs(n.attrs)
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = h.prefix + name + "."
	n.groups = append(append([]string(nil), h.groups...), name)
	return &n
}

// level returns the least level sent without a debug category: a
// constant Config.Level is read without an interface call.
func (b *Bus) level() slog.Level {
	if b.levelVar == nil {
		return b.minLevel
	}
	return b.levelVar.Level()
}

// Category is a debug category: a named flag in this process's slot.
type Category struct {
	name string
	flag shmstat.Flag
}

// Category registers the debug category name (a flag in the segment, so
// `porthole debug` lists it before it is ever used) and returns it.
func (b *Bus) Category(name string) Category {
	return Category{name: name, flag: b.category(name)}
}

// On reports whether the category is switched on: one atomic load. Use it
// to skip building expensive debug output.
func (c Category) On() bool { return c.flag.On() }

// Attr returns the attribute that puts a record in the category.
func (c Category) Attr() slog.Attr { return slog.String(CategoryKey, c.name) }

// Name returns the category's name.
func (c Category) Name() string { return c.name }

// category returns the flag of a category, registering it once.
func (b *Bus) category(name string) shmstat.Flag {
	if f, ok := b.cats.Load(name); ok {
		return f.(shmstat.Flag)
	}
	var f shmstat.Flag
	if b.seg != nil {
		f = b.seg.Flag(name)
	}
	b.cats.Store(name, f)
	return f
}
