// Package netns isolates tests that send multicast: it re-executes the
// running test binary in a fresh network namespace with only a loopback
// interface, up and multicast-capable, so no datagram can leave the
// machine.
//
// # Basics
//
// Start a test with
//
//	func TestBus(t *testing.T) {
//		if !netns.Run(t) {
//			return // the parent: the child process ran the test body
//		}
//		... // here, inside the new namespace
//	}
//
// Run returns false in the calling process after it re-ran the test in a
// child (whose output and result it reports), and true inside the child.
// Processes the child starts (helper daemons, the porthole binary) inherit
// the namespace.
//
// As root the child gets CLONE_NEWNET; otherwise CLONE_NEWUSER|CLONE_NEWNET
// with the caller mapped to root inside. Where neither works the test is
// skipped with the reason, unless PORTHOLE_REQUIRE_NETNS=1, when it fails.
//
// # Caveats
//
// Only the named test runs in the child, so tests that use Run must not
// depend on state set up by other tests. Subtests may call Run too.
package netns
