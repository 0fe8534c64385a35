package mlog

import "errors"

// Errors of Decode and of the receiver, by reject reason. Reason maps any
// of them (wrapped or not) to the short name used in counters.
var (
	ErrShort       = errors.New("mlog: datagram too short")
	ErrMagic       = errors.New("mlog: bad magic")
	ErrVersion     = errors.New("mlog: unsupported version")
	ErrMalformed   = errors.New("mlog: malformed datagram")
	ErrUnsigned    = errors.New("mlog: unsigned datagram where a key is required")
	ErrUnknownKey  = errors.New("mlog: unknown key id")
	ErrMAC         = errors.New("mlog: bad MAC")
	ErrReplay      = errors.New("mlog: replayed datagram")
	ErrOversize    = errors.New("mlog: datagram over the size limit")
	ErrNotGroup    = errors.New("mlog: datagram not addressed to the group")
	ErrUnknownKind = errors.New("mlog: unknown kind")
	ErrBadValue    = errors.New("mlog: value out of range")
)

var reasons = []struct {
	err  error
	name string
}{
	{ErrShort, "short"},
	{ErrMagic, "bad_magic"},
	{ErrVersion, "bad_version"},
	{ErrMalformed, "malformed"},
	{ErrUnsigned, "unsigned"},
	{ErrUnknownKey, "unknown_key"},
	{ErrMAC, "bad_mac"},
	{ErrReplay, "replay"},
	{ErrOversize, "oversize"},
	{ErrNotGroup, "not_group"},
	{ErrUnknownKind, "unknown_kind"},
	{ErrBadValue, "bad_value"},
}

// Reason returns the reject reason of err ("short", "bad_magic",
// "bad_version", "malformed", "unsigned", "unknown_key", "bad_mac",
// "replay", "oversize", "not_group", "unknown_kind", "bad_value"), or
// "other".
func Reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}
