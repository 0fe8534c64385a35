// Package tui is porthole's terminal dashboard, `porthole top`: local
// segments (processes, values, tasks, probes with live histograms) and the
// cluster (the collector's scoreboard and a live log tail).
//
// # Basics
//
// A Model (model.go, no tview) reads the sources off the UI goroutine
// and builds immutable Snapshots; the App's panes only render a Snapshot,
// on the UI goroutine, through QueueUpdateDraw from one refresh loop.
// One key table (keys.go) drives both the handlers and the help overlay.
//
// # Caveats
//
//   - A source that fails (a corrupt segment, an unreachable collector) is
//     shown with its error and retried at the next refresh.
//   - Processes paused with z are resumed when the dashboard quits.
package tui
