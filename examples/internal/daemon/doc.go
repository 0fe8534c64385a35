// Package daemon is the start-up every example shares: a segment, a log
// bus announcing it, and a logger.
package daemon
