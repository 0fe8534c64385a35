// Command perfdoc runs every benchmark that docs/PERFORMANCE.md quotes, in
// one run, and prints the doc's tables: each figure as a ratio against a
// baseline measured in the same run, with the machine's description (CPU
// model, cores, kernel, Go version) and the command that produced them.
//
//	go run ./internal/perfdoc            # about 6 minutes on 2 cores: print the tables
//	go run ./internal/perfdoc -w         # and rewrite the generated blocks of docs/PERFORMANCE.md
//	go run ./internal/perfdoc -quick     # one short round (about 1.5 minutes), for a look
//	go run ./internal/perfdoc -only mlog # only the tables whose name matches
//
// # How it runs
//
// Each package's test binary is built once (go test -c), then every
// benchmark runs -rounds times, one round after the other, so a baseline
// and what is compared with it run close in time in every round. A ratio
// is the median over the rounds of value/baseline from the same round;
// the spread column gives the smallest and largest of those ratios.
// Benchmarks that send multicast run in a network namespace this command
// creates (internal/netns: CLONE_NEWNET, with lo up and nothing else), so
// nothing leaves the machine.
//
// # Adding a benchmark to the doc
//
// Add one Row to rows (entries.go): the table it belongs to, its label,
// its run (package, benchtime), its benchmark name, the metric quoted and
// its baseline. A new table also needs its markers in the doc:
//
//	<!-- perfdoc:begin NAME -->
//	<!-- perfdoc:end -->
//
// With -w everything between a pair of markers is replaced and every
// other line of the doc (the explanatory prose) is kept as it is. A table
// without markers in the doc is appended at its end, to be moved.
package main
