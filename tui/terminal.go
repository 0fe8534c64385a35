package tui

import (
	"errors"
	"fmt"
	"os"
)

// ErrNoTerminal is returned (wrapped) by Terminal and Run when the
// process has no terminal to draw on.
var ErrNoTerminal = errors.New("no terminal")

// Terminal reports whether the dashboard can open the process's terminal
// (/dev/tty, where tcell draws): it returns an error wrapping
// ErrNoTerminal when it cannot, as under cron, systemd, or a shell's
// background job without a controlling terminal.
func Terminal() error {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("tui: %w: %w", ErrNoTerminal, err)
	}
	return f.Close()
}
