// Package fuzzcorpus reads and writes the files of Go's fuzz seed corpus
// (testdata/fuzz/FuzzXxx/NAME) for fuzz targets that take one []byte, so
// tests can keep a committed corpus and decode each seed.
//
// # Basics
//
//	b, err := fuzzcorpus.Read("testdata/fuzz/FuzzDecode/seed-0")
//	err = fuzzcorpus.Write("testdata/fuzz/FuzzDecode/seed-0", b)
//
// Only the one-value []byte form is handled ("go test fuzz v1" then
// []byte("...")); anything else is an error.
package fuzzcorpus
