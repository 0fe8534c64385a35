package numfmt

import "fmt"

// Plural says n of something: "1 task", "2 tasks", "0 tasks".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
