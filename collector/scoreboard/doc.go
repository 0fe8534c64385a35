// Package scoreboard reads a collector's scoreboard by its documented
// format (docs/SPOOL.md: the file scoreboard.json or the HTTP endpoint
// /scoreboard.json) and presents it: one line about the collector and one
// row per server. `porthole scoreboard`, `porthole demo` and the
// dashboard's cluster view all show it through this package, which does
// not import the collector.
//
// # Basics
//
//	b, err := scoreboard.Load(ctx, "http://127.0.0.1:9477") // or a file path
//	fmt.Println(b.Summary())
//	for _, r := range b.Rows() {
//		fmt.Println(r.Host, r.Program, r.State, r.LastSeen, r.Tasks)
//	}
//
// Only the fields the presentation needs are decoded; unknown fields are
// ignored, so the collector may add fields within a version. A document
// of another version is an error.
package scoreboard
