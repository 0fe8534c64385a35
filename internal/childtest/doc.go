// Package childtest runs the test binary again as a child process in a
// named role: a daemon that owns a segment, a collector to kill, the
// porthole command itself. Tests then act on a real, separate process.
//
// # Basics
//
// A package's TestMain hands its roles to Main:
//
//	func TestMain(m *testing.M) {
//		childtest.Main(m, childtest.Roles{
//			"owner": func() error { ...; childtest.Ready(); select {} },
//		})
//	}
//
// and a test starts one:
//
//	c := childtest.Start(t, "owner", "PORTHOLE_DIR="+dir)
//	c.WaitReady(t)
//
// Start kills and reaps the child when the test ends. The role reads its
// arguments from os.Args[1:] (Command passes them) and its settings from
// the environment; a nil error exits 0, an error prints it and exits 1; a
// role may also call os.Exit itself.
//
// Code under test that starts os.Executable() (the demo's supervisor,
// muxd's producers) starts the test binary: SetRole makes such children,
// and theirs, run a role.
//
// # Caveats
//
// The role travels in the environment (EnvRole), so every process a role
// starts inherits it. Call SetRole after netns.Run, never before: the
// namespace's child must run the test, not the role.
package childtest
