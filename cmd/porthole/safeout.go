package main

import (
	"io"

	"github.com/porthole-dev/porthole/internal/termsafe"
)

// safeOut wraps a command's text output: names, help texts, info values,
// log messages and attributes come from segments and datagrams anyone can
// write, so control characters in them are printed escaped (ls -b style)
// rather than reaching the terminal. JSON output is not wrapped: it stays
// exact.
func safeOut(w io.Writer) io.Writer { return termsafe.NewWriter(w) }

// safeText escapes one field, newlines and tabs included, so it cannot
// fake a row or a column of a table.
func safeText(s string) string { return termsafe.String(s) }

// isTerminal reports whether w is a terminal: progress lines and screen
// clearing are for terminals only, never for a pipe or a file.
func isTerminal(w io.Writer) bool { return termsafe.IsTerminal(w) }
