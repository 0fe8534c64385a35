package mlog

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// The datagram signature (docs/WIRE.md): flag bit 1, then key id (u32)
// and the first 16 bytes of HMAC-SHA256 over everything before the MAC.
// This file is the only place that computes or checks it.

// mac returns the truncated HMAC-SHA256 of b under key.
func mac(key, b []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(b)
	return h.Sum(nil)[:macLen]
}

// sign sets the signed flag and appends key id and the MAC of everything
// before it.
func sign(b []byte, key []byte, keyID uint32) []byte {
	be.PutUint16(b[offFlags:], be.Uint16(b[offFlags:])|flagSigned)
	b = be.AppendUint32(b, keyID)
	return append(b, mac(key, b)...)
}

// authenticate checks a datagram's signature (flag bit 1) against keys
// and returns the part the fields are read from: all of b, less the
// trailer when signed. minLen is the shortest valid unsigned frame. This
// is the only place a signature is checked, for plain and batch
// datagrams alike.
func authenticate(b []byte, minLen int, keys map[uint32][]byte) ([]byte, error) {
	flags := be.Uint16(b[offFlags:])
	if flags&flagSigned == 0 {
		if len(keys) > 0 {
			return nil, ErrUnsigned
		}
		return b, nil
	}
	if len(b) < minLen+trailerLen {
		return nil, fmt.Errorf("%w: signed, with no room for a MAC", ErrShort)
	}
	body := b[:len(b)-macLen]
	if len(keys) > 0 {
		keyID := be.Uint32(body[len(body)-4:])
		key, ok := keys[keyID]
		if !ok {
			return nil, fmt.Errorf("%w: %d", ErrUnknownKey, keyID)
		}
		if !hmac.Equal(mac(key, body), b[len(body):]) {
			return nil, ErrMAC
		}
	}
	return body[:len(body)-4], nil
}
