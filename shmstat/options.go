package shmstat

import (
	"fmt"
	"os"
)

// Options tune a segment. The zero value (or a nil *Options) means the
// defaults.
type Options struct {
	// Dir is the directory of segment files; default DefaultDir().
	Dir string
	// Mode is the file mode of a created segment: 0600 (default) or 0640
	// to let a group read it (the directory is then 0750).
	Mode os.FileMode
	// MaxValues is the number of descriptors (registered names); default 1024.
	MaxValues int
	// ValueBytes is the space for value records; default 256 KiB.
	ValueBytes int
	// Slots is the number of process slots; default 64.
	Slots int
	// Role names the owner's slot; default "owner". Attach takes the role
	// as an argument.
	Role string
	// Keep leaves the owner's file in place on Close (by default a clean
	// Close removes it; a crash always leaves it for readers to inspect).
	Keep bool
	// NoHeartbeat turns off the goroutine that stamps the slot's
	// heartbeat once a second.
	NoHeartbeat bool
}

func (o *Options) dir() string {
	if o == nil || o.Dir == "" {
		return DefaultDir()
	}
	return o.Dir
}

func (o *Options) mode() os.FileMode {
	if o == nil || o.Mode == 0 {
		return 0o600
	}
	return o.Mode.Perm() &^ 0o137 // never writable by group/others, never executable
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func (o *Options) sizes() (descs, valueBytes, slots int, err error) {
	if o == nil {
		o = &Options{}
	}
	descs = orDefault(o.MaxValues, defaultDescs)
	valueBytes = (orDefault(o.ValueBytes, defaultValueBytes) + cacheLine - 1) &^ (cacheLine - 1)
	slots = orDefault(o.Slots, defaultSlots)
	if descs > maxDescs || valueBytes > maxValueBytes || slots > maxSlots {
		err = fmt.Errorf("shmstat: options: %d values, %d value bytes, %d slots: at most %d, %d and %d",
			descs, valueBytes, slots, maxDescs, maxValueBytes, maxSlots)
	}
	return
}

// Opt is an option of a registration, such as its unit.
type Opt func(*regOpts)

type regOpts struct {
	unit       string
	cacheLine  bool
	perProcess bool
}

// Unit sets the unit shown with a value, such as "bytes" or "requests".
func Unit(u string) Opt { return func(r *regOpts) { r.unit = u } }

// CacheLine gives a hot value a cache line of its own, so that updates
// from different goroutines or processes to neighbouring values do not
// contend (false sharing).
func CacheLine() Opt { return func(r *regOpts) { r.cacheLine = true } }

// PerProcess gives a Counter or Gauge one value per process: each process
// that registers the name gets its own record, shown in its slot, instead
// of adding to one shared word. Load, Task and Info are always per
// process; Sequence, Flag and Probe never are (docs/FORMAT.md).
func PerProcess() Opt { return func(r *regOpts) { r.perProcess = true } }
