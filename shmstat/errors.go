package shmstat

import "errors"

// ErrNoSegment is wrapped, beside fs.ErrNotExist, by the error of Open,
// Attach and the other operations on an existing segment when no segment
// file is at its path.
var ErrNoSegment = errors.New("no such segment")

// ErrOwnerDead is wrapped by the error Attach returns when the segment's
// owner is no longer running.
var ErrOwnerDead = errors.New("owner not running")

// ErrNoSlot is wrapped by the error Attach returns when every process
// slot is held by a live process.
var ErrNoSlot = errors.New("no free process slot")

// ErrRunning is wrapped by the error Create returns when a live process
// already owns the segment.
var ErrRunning = errors.New("already running")

// ErrUnknownFlag is wrapped when a flag name is not registered.
var ErrUnknownFlag = errors.New("unknown flag")

// ErrNotSlotProcess is wrapped when the process a slot names is not the
// one running under its pid: dead, a reused pid, or another user's.
var ErrNotSlotProcess = errors.New("process does not match its slot")

// ErrUnsupported is wrapped by every operation that needs Linux (mapping,
// locks, /proc) when the program runs on another system: shmstat compiles
// everywhere so that daemons do, and says so at run time.
var ErrUnsupported = errors.New("not supported on this operating system (shmstat needs Linux)")
