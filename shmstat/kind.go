package shmstat

import "fmt"

// Kind is the kind of a registered value.
type Kind uint16

// Kinds of value. The numbers are part of the segment format.
const (
	KindCounter  Kind = 1 // monotonic uint64
	KindGauge    Kind = 2 // int64, set or added
	KindSequence Kind = 3 // uint64 shared by all processes, Next()
	KindLoad     Kind = 4 // busy/idle accounting of one worker
	KindTask     Kind = 5 // a periodic job and its last result
	KindInfo     Kind = 6 // a short string
	KindFlag     Kind = 7 // a named debug flag: a bit of every slot's flags word
	KindProbe    Kind = 8 // a named probe: a word index in every slot
	KindSite     Kind = 9 // a named probe site, stored in probe words by index
)

var kindNames = [...]string{
	KindCounter:  "counter",
	KindGauge:    "gauge",
	KindSequence: "sequence",
	KindLoad:     "load",
	KindTask:     "task",
	KindInfo:     "info",
	KindFlag:     "flag",
	KindProbe:    "probe",
	KindSite:     "site",
}

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint16(k))
}

// valueSize is the size of the value record of a kind (0: none).
func (k Kind) valueSize() int {
	switch k {
	case KindCounter, KindGauge, KindSequence:
		return wordSize
	case KindLoad:
		return loadSize
	case KindTask:
		return taskSize
	case KindInfo:
		return textSize
	}
	return 0
}

// TaskResult is the outcome of a task's last finished run.
type TaskResult uint64

// Task results. The numbers are part of the segment format.
const (
	ResultNone   TaskResult = 0 // never finished
	ResultOK     TaskResult = 1
	ResultFailed TaskResult = 2
)

// String returns "none", "ok" or "failed".
func (r TaskResult) String() string {
	switch r {
	case ResultNone:
		return "none"
	case ResultOK:
		return "ok"
	case ResultFailed:
		return "failed"
	}
	return fmt.Sprintf("result(%d)", uint64(r))
}

// SlotState is the state word of a process slot.
type SlotState uint32

// Slot states. The numbers are part of the segment format.
const (
	SlotFree     SlotState = 0
	SlotClaiming SlotState = 1
	SlotActive   SlotState = 2
)

// String returns "free", "claiming" or "active".
func (s SlotState) String() string {
	switch s {
	case SlotFree:
		return "free"
	case SlotClaiming:
		return "claiming"
	case SlotActive:
		return "active"
	}
	return fmt.Sprintf("state(%d)", uint32(s))
}
