package fuzzcorpus_test

import (
	"fmt"

	"github.com/porthole-dev/porthole/internal/fuzzcorpus"
)

// A seed's file content, and the value read back from it.
func Example() {
	content := fuzzcorpus.Format([]byte("PH\x00\x01"))
	fmt.Print(string(content))
	b, err := fuzzcorpus.Parse(content)
	fmt.Printf("%q %v\n", b, err)
	// Output:
	// go test fuzz v1
	// []byte("PH\x00\x01")
	// "PH\x00\x01" <nil>
}
