package numfmt_test

import (
	"fmt"

	"github.com/porthole-dev/porthole/internal/numfmt"
)

func Example() {
	fmt.Println(numfmt.Count(1234567))
	fmt.Println(numfmt.Value(3<<20, "bytes"))
	fmt.Println(numfmt.Rate(412, "lines"))
	// Output:
	// 1,234,567
	// 3.0 MiB
	// 412/s
}
