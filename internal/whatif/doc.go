// Package whatif runs the pause experiment on the processes of a segment:
// measure a counter's rate, stop a process (SIGSTOP), measure, resume it
// (SIGCONT), measure again; then stop all the others of each and measure.
// The table of rates says which process holds the others back, or whether
// they interfere.
//
// Run never leaves a process stopped: it resumes on every return path
// (errors, a cancelled context, panics), and records the processes it has
// stopped in a state file, so that a later run finds and resumes those an
// earlier run killed with SIGKILL left stopped (Recover).
//
// porthole whatif wires it to the command line; the dashboard can run the
// same experiment.
package whatif
