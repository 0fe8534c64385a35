package mlog

import (
	"log/slog"
	"reflect"
	"time"
	"unsafe"
)

// slog.Record's methods take the record by value, so every call of
// Record.Attrs copies its 288 bytes to the stack before the first
// attribute is read, and the attribute handed to the callback is copied
// again. For the queued path (pending.go), which only needs to look at
// at most inlineAttrs attributes, that was a third of the caller's cost.
// inlineAttrsOf reads them in place instead, at offsets found by
// reflection when the package starts: if a Go release renames, retypes or
// drops the fields, the layout is unknown and every record is encoded by
// its caller, as any non-plain record is (TestRecordLayoutKnown fails, to
// say so). Nothing here writes to slog's structures.

// recordLayout is where slog.Record keeps its inline attributes.
type recordLayout struct {
	front, nFront, back uintptr // field offsets
	known               bool
}

// slogRecord is this Go release's layout of slog.Record.
var slogRecord = findRecordLayout()

func findRecordLayout() recordLayout {
	t := reflect.TypeFor[slog.Record]()
	front, ok1 := t.FieldByName("front")
	nFront, ok2 := t.FieldByName("nFront")
	back, ok3 := t.FieldByName("back")
	if !ok1 || !ok2 || !ok3 || len(front.Index) != 1 || len(nFront.Index) != 1 || len(back.Index) != 1 ||
		front.Type != reflect.TypeFor[[inlineAttrs]slog.Attr]() || nFront.Type != reflect.TypeFor[int]() ||
		back.Type != reflect.TypeFor[[]slog.Attr]() {
		return recordLayout{}
	}
	return recordLayout{front: front.Offset, nFront: nFront.Offset, back: back.Offset, known: true}
}

// inlineAttrsOf returns r's attributes, read in place, when they are all
// held inline (no more than inlineAttrs); ok is false otherwise, or when
// the layout is unknown.
func inlineAttrsOf(r *slog.Record) (attrs []slog.Attr, ok bool) {
	if !slogRecord.known {
		return nil, false
	}
	// Not r.NumAttrs(): a value receiver, it copies the record too.
	n := *(*int)(unsafe.Add(unsafe.Pointer(r), slogRecord.nFront))
	back := *(*[]slog.Attr)(unsafe.Add(unsafe.Pointer(r), slogRecord.back))
	if n < 0 || n > inlineAttrs || len(back) != 0 {
		return nil, false
	}
	front := (*[inlineAttrs]slog.Attr)(unsafe.Add(unsafe.Pointer(r), slogRecord.front))
	return front[:n], true
}

// A plain value's slog.Value holds, in its any field, a slog.Kind (the
// value itself in num), a string's pointer, or a time's location or
// time; the dynamic types of these are found once, from values slog
// makes, so plainValue compares a type word instead of running
// Value.Kind's type switch (an interface case in it, LogValuer, makes the
// switch a runtime call).
type valueLayout struct {
	any   uintptr        // offset of Value.any
	kind  unsafe.Pointer // type word of a number, bool or duration (a slog.Kind)
	str   unsafe.Pointer // of a string
	timeL unsafe.Pointer // of a time, by location
	timeT unsafe.Pointer // of a time outside UnixNano's range
	known bool
}

var slogValue = findValueLayout()

func findValueLayout() valueLayout {
	f, ok := reflect.TypeFor[slog.Value]().FieldByName("any")
	if !ok || len(f.Index) != 1 || f.Type != reflect.TypeFor[any]() {
		return valueLayout{}
	}
	l := valueLayout{any: f.Offset}
	typeOf := func(v slog.Value) unsafe.Pointer {
		return (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(&v), l.any))[0]
	}
	l.kind = typeOf(slog.IntValue(1))
	l.str = typeOf(slog.StringValue("x"))
	l.timeL = typeOf(slog.TimeValue(time.Unix(1, 0)))
	l.timeT = typeOf(slog.TimeValue(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)))
	for _, v := range []slog.Value{slog.BoolValue(true), slog.DurationValue(1), slog.Float64Value(1), slog.Uint64Value(1)} {
		if typeOf(v) != l.kind {
			return valueLayout{}
		}
	}
	if slog.IntValue(1).Kind() != slog.KindInt64 || slog.StringValue("x").Kind() != slog.KindString ||
		slog.TimeValue(time.Unix(1, 0)).Kind() != slog.KindTime || slog.TimeValue(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)).Kind() != slog.KindTime {
		return valueLayout{}
	}
	l.known = l.kind != nil && l.str != nil && l.timeL != nil && l.timeT != nil && l.str != l.kind
	return l
}

// plainValue reports whether v is a plain value (plainKind(v.Kind())).
func plainValue(v *slog.Value) bool {
	if !slogValue.known {
		return plainKind(v.Kind())
	}
	t := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(v), slogValue.any))
	switch t[0] {
	case slogValue.kind:
		return plainKind(*(*slog.Kind)(t[1]))
	case slogValue.str, slogValue.timeL, slogValue.timeT:
		return true
	}
	return false
}
