// Package termsafe makes untrusted text safe to print on a terminal.
//
// Names, help texts, info values, log messages and attributes come from
// segments and datagrams that anyone may write. Printed raw, an escape
// sequence in them can write the clipboard (OSC 52), set the window
// title, clear the screen or move the cursor to forge output. Like
// `ls -b` and journalctl, porthole prints such characters escaped:
//
//	ESC            \x1b          (so "\x1b]52;c;..." shows as text)
//	other C0, DEL  \a \b \t \n \v \f \r, else \xNN
//	C1 U+0080-9F   \u0080 ... \u009f
//	bidi controls  \u202e etc. (text that reads differently than it is)
//	invalid UTF-8  \xNN per byte
//
// Backslashes are kept as they are, so the escaped form is for reading,
// not for parsing back. JSON output needs none of this: encoding/json
// escapes control characters itself and stays exact.
//
// String escapes one field (newlines and tabs too, so a name cannot fake
// a line or a column); Writer escapes everything passing through it but
// keeps newlines and tabs, for wrapping a command's whole text output.
// IsTerminal tells whether a writer is a terminal, for output such as
// progress lines that only makes sense there.
package termsafe
