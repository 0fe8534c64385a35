package termsafe

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"text/tabwriter"
)

// statTable writes a stat-like table of n rows to w.
func statTable(w io.Writer, n int) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i := 0; i < n; i++ {
		fmt.Fprintf(tw, "requests_%d\tcounter\t%d\t12.5\treq\trequests served by the queue's worker\n", i, i*1000)
	}
	tw.Flush()
}

// BenchmarkTable compares a 100-row table written directly (the
// baseline) and through a Writer: the cost of escaping on clean text.
func BenchmarkTable(b *testing.B) {
	for _, bc := range []struct {
		name string
		wrap func(io.Writer) io.Writer
	}{
		{"direct", func(w io.Writer) io.Writer { return w }},
		{"termsafe", func(w io.Writer) io.Writer { return NewWriter(w) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				statTable(bc.wrap(io.Discard), 100)
			}
		})
	}
}

func BenchmarkString(b *testing.B) {
	plain := strings.Repeat("queue depth of the worker ", 4)
	hostile := strings.Repeat("queue\x1b]52;c;eA==\a depth ", 4)
	b.Run("plain", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			String(plain)
		}
	})
	b.Run("hostile", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			String(hostile)
		}
	})
}
