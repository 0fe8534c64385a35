package shmstat

// The byte layout of a segment. docs/FORMAT.md describes the same numbers
// for writers in other languages; keep the two in step.

const (
	magic         = "PORTHOLE" // 8 bytes at offset 0
	formatVersion = 1

	headerSize = 4096 // the header occupies the first page
	descSize   = 256  // one descriptor
	slotSize   = 512  // one process slot
	cacheLine  = 64
	pageSize   = 4096

	// maxProbes is the number of probe words in every process slot.
	maxProbes = 32
	// maxFlags is the number of debug flags: the bits of one word.
	maxFlags = 64

	nameLen    = 64  // descriptor name, NUL padded
	unitLen    = 16  // descriptor unit
	helpLen    = 152 // descriptor help
	roleLen    = 32  // slot role
	segNameLen = 64

	// Size of the value records.
	wordSize   = 8
	loadSize   = 32  // seq, busy ns, busy-since mono ns, reserved
	taskSize   = 192 // see taskOff*
	textSize   = 128 // seq, length, 112 bytes of text
	textCap    = textSize - 16
	taskMsgCap = taskSize - taskOffMsg
	// Limits on what a header may claim (and Create may make), so a
	// hostile header cannot make a reader allocate or scan without bound.
	maxDescs      = 1 << 16
	maxValueBytes = 64 << 20
	maxSlots      = 4096
	maxTotal      = 128 << 20

	defaultDescs      = 1024
	defaultSlots      = 64
	defaultValueBytes = 256 << 10
)

// Header field offsets.
const (
	hOffMagic      = 0
	hOffVersion    = 8   // u32
	hOffHeaderSize = 12  // u32
	hOffGeneration = 16  // u64
	hOffOwnerPID   = 24  // u32
	hOffOwnerStart = 32  // u64, clock ticks since boot (/proc/PID/stat field 22)
	hOffCreated    = 40  // i64, unix ns
	hOffReady      = 48  // u32, set to 1 last (release)
	hOffTotalSize  = 56  // u64
	hOffDescOff    = 64  // u64
	hOffDescSize   = 72  // u32
	hOffDescCap    = 76  // u32
	hOffDescCount  = 80  // u32, atomic, published after the entry is complete
	hOffValuesOff  = 88  // u64
	hOffValuesSize = 96  // u64
	hOffValuesUsed = 104 // u64
	hOffSlotsOff   = 112 // u64
	hOffSlotSize   = 120 // u32
	hOffSlotCount  = 124 // u32
	hOffProbes     = 128 // u32, probe words per slot
	hOffName       = 136 // [64]byte service name
	hOffRegFailed  = 200 // u64, atomic: registrations that did not fit or were refused
)

// Descriptor field offsets.
const (
	dOffKind  = 0   // u16
	dOffFlags = 2   // u16
	dOffSlot  = 4   // u32: 0 for a shared value; slot index + 1 for a per-process record
	dOffValue = 8   // u64, absolute offset of the value record (0 for none)
	dOffAux   = 16  // u64, kind specific
	dOffName  = 24  // [64]byte
	dOffUnit  = 88  // [16]byte
	dOffHelp  = 104 // [152]byte
)

// Descriptor flags.
const (
	descFlagCacheLine = 1 << 0
)

// Slot field offsets.
const (
	sOffState     = 0  // u32, atomic: slotFree, slotClaiming, slotActive
	sOffPID       = 4  // u32
	sOffStart     = 8  // u64
	sOffClaim     = 16 // u64, incremented on every claim
	sOffHeartbeat = 24 // i64 unix ns
	sOffFlags     = 32 // u64, debug flags, atomic
	sOffRole      = 40 // [32]byte
	sOffProbes    = 128
)

// Load record offsets.
const (
	lOffSeq       = 0
	lOffBusyNanos = 8
	lOffBusySince = 16
)

// Task record offsets.
const (
	taskOffSeq     = 0
	taskOffRunning = 8  // u64, 1 while running
	taskOffStart   = 16 // i64 unix ns of the last start
	taskOffEnd     = 24 // i64 unix ns of the last end
	taskOffSuccess = 32 // i64 unix ns of the last successful end
	taskOffResult  = 40 // u64 TaskResult
	taskOffRuns    = 48 // u64
	taskOffFails   = 56 // u64
	taskOffMsgLen  = 64 // u64
	taskOffMsg     = 72 // message bytes
)

// Text record offsets.
const (
	tOffSeq  = 0
	tOffLen  = 8
	tOffText = 16
)

// Lock bytes for fcntl open-file-description locks. They lie far beyond the
// end of the file, which POSIX locks allow, so they never interfere with data.
const (
	lockSlotBase = 1<<40 + 4096 // + slot index: write-locked by the slot's process (slot 0: the owner)
)

// siteBit marks a probe word that holds a named site index, not a PC.
const siteBit = 1 << 63
