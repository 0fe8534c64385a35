// Package supervise starts and stops a group of child processes, each in
// a process group of its own, as porthole demo does with the example
// daemons and its collector.
//
// # Basics
//
//	g := supervise.New(exe, logFile)
//	defer g.Stop(3 * time.Second)
//	p, err := g.Start("example", "queued")
//	if err := p.Settle(ctx, 300*time.Millisecond); err != nil { ... } // exited at once
//	...
//	for _, p := range g.Unexpected() { ... } // ended by themselves
//
// Every child gets the parent-death signal SIGTERM, and Stop signals the
// whole process group, so grandchildren (muxd's producers) go too.
//
// # Caveats
//
// Linux delivers the parent-death signal when the thread that started the
// child exits, not the process: a caller that may run on a thread which
// ends (a goroutine that locked its thread and returns) should lock the
// goroutine that calls Start to its thread for the group's life
// (runtime.LockOSThread). Start and Stop are for one goroutine; a Proc's
// Done, Err and Exited may be used from any.
package supervise
