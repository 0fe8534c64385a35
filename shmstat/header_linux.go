package shmstat

import (
	"os"
	"path/filepath"
	"strings"
)

// ReadHeader reads what `porthole ls` shows of the segment file at path:
// the header (with pread, checked like Open checks it), the state word of
// every slot, and the owner's and slots' liveness from their locks. It
// maps nothing and decodes no descriptor, so listing costs the same for a
// segment of ten values as for one of ten thousand.
func ReadHeader(path string) (SegmentInfo, error) {
	info := SegmentInfo{Path: path, Dir: filepath.Dir(path), Name: strings.TrimSuffix(filepath.Base(path), fileSuffix)}
	f, err := openSegmentFile(path, os.O_RDONLY, 0, "read header of")
	if err != nil {
		return info, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil {
		err = checkFile(path, fi, -1)
	}
	if err != nil {
		return info, err
	}
	l, err := readLayout(f, fi)
	if err != nil {
		return info, wrapRead(path, err)
	}
	info.Generation = l.generation
	info.OwnerPID, info.OwnerStart = l.ownerPID, l.ownerStart
	info.Created = l.created
	info.Slots = int(l.slotCount)
	info.Failed = l.failed
	fd := int(f.Fd())
	info.Alive = liveByLock(fd, 0, l.ownerPID, l.ownerStart)
	slots := mem(bytesOfWords(make([]uint64, l.slotCount*slotSize/8)))
	if _, err := f.ReadAt(slots, int64(l.slotsOff)); err != nil {
		return info, wrapRead(path, err)
	}
	for i := uint64(0); i < l.slotCount; i++ {
		off := i * slotSize
		if SlotState(slots.load32(off+sOffState)) != SlotActive {
			continue
		}
		if liveByLock(fd, i, int(slots.load32(off+sOffPID)), slots.load64(off+sOffStart)) {
			info.SlotsInUse++
		}
	}
	return info, nil
}

// liveByLock reports whether the process of slot i lives: its lock byte
// is write-locked, or, when locks cannot be tested, pid and start time.
func liveByLock(fd int, i uint64, pid int, start uint64) bool {
	held, err := ofdWriteHeld(fd, lockSlotBase+int64(i))
	if err != nil {
		return processAlive(pid, start)
	}
	return held
}
