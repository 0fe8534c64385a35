// Package topload is the load porthole top's cost is measured against
// (issue 16): N segments of M values, every value changing all the time,
// as a busy host's daemons would. The topload command (./topload) runs it
// as a process; measure.sh runs that under porthole top and prints top's
// CPU use; tui's BenchmarkRefresh uses it in-process.
package topload
