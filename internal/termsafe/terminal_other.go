//go:build !linux

package termsafe

import "io"

// IsTerminal reports whether w is a terminal. Off Linux it answers
// false, so output stays plain.
func IsTerminal(w io.Writer) bool { return false }
