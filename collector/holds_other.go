//go:build !linux

package collector

import "time"

// threadCPU is 0 where no thread clock is read: holds are measured in
// wall time only.
func threadCPU() time.Duration { return 0 }
