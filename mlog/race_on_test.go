//go:build race

package mlog

// raceEnabled: the race detector is on (its instrumentation allocates).
const raceEnabled = true
