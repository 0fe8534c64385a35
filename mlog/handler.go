package mlog

import (
	"context"
	"log/slog"

	"github.com/porthole-dev/porthole/shmstat"
)

// CategoryKey is the attribute key that names a record's debug category.
const CategoryKey = "cat"

// Handler returns an slog.Handler that sends records to the bus. Records
// at Config.Level or above are always sent; records below it (debug) are
// sent only while the flag named by their "cat" attribute (default
// "debug") is on in this process's slot of Config.Segment — switched at
// run time by `porthole debug NAME +flag`.
func (b *Bus) Handler() slog.Handler { return &handler{b: b} }

type handler struct {
	b      *Bus
	attrs  []slog.Attr // from WithAttrs, keys already prefixed
	prefix string      // group prefix for later keys, "g1.g2."
	cat    string      // category from WithAttrs
}

// Enabled costs one comparison, and for debug records one atomic load of
// the flags word.
func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	if l >= h.b.cfg.Level {
		return true
	}
	return h.b.seg != nil && h.b.seg.Flags() != 0
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	if r.Level < h.b.cfg.Level {
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
	b := h.b
	m := Message{Kind: KindLog, Sender: b.sender, Time: r.Time, Level: r.Level,
		Host: b.cfg.Host, Program: b.cfg.Program, PID: b.pid, Msg: r.Message}
	bp := b.getBuf()
	*bp = appendMessage((*bp)[:0], &m, h.attrs, &r, h.prefix, b.cfg.MaxSize-trailerLen)
	b.enqueue(bp)
	return nil
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
	for _, a := range as {
		if a.Key == CategoryKey && h.prefix == "" {
			n.cat = a.Value.String()
		}
		flatten(h.prefix, a, func(x slog.Attr) bool {
			x.Value = x.Value.Resolve()
			n.attrs = append(n.attrs, x)
			return true
		})
	}
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = h.prefix + name + "."
	return &n
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
