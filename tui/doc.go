// Package tui is porthole's terminal dashboard, `porthole top`: local
// segments (processes, values, tasks, probes with live histograms) and the
// cluster (the collector's scoreboard and a live log tail).
//
// # Basics
//
// A Model (model.go, no tview) reads the sources off the UI goroutine
// and builds immutable Snapshots; the App's panes only render a Snapshot,
// on the UI goroutine, through QueueUpdateDraw from one refresh loop.
// Tables are filled when drawn, for the size they have then: only the
// rows that fit are set, and a resize lays them out again. One key table
// (keys.go) drives the handlers, the key bar at the bottom and the ?
// help. Numbers are formatted by internal/numfmt, as in the CLI.
//
// # Caveats
//
//   - A source that fails (a corrupt segment, an unreachable collector) is
//     shown with its error and retried at the next refresh. The first
//     frame is drawn before the collector answers and before rates exist
//     (marked "warming up").
//   - Only the selected segment is read in full and only its probes are
//     sampled (and only in the local view); the others show their
//     processes and load.
//   - Processes paused with z (after z or y to confirm) are checked
//     against their segment slot before every signal, and resumed by Z
//     and when the dashboard quits.
package tui
