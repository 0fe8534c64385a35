package termsafe_test

import (
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/internal/termsafe"
)

func ExampleString() {
	name := "requests\x1b]52;c;cm0gLXJmIH4=\a" // tries to write the clipboard
	fmt.Println(termsafe.String(name))
	// Output: requests\x1b]52;c;cm0gLXJmIH4=\a
}

func ExampleWriter() {
	w := termsafe.NewWriter(os.Stdout)
	fmt.Fprintf(w, "%s\t%d\n", "queue\x1b[2J", 5)
	// Output: queue\x1b[2J	5
}
