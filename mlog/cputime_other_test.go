//go:build !linux

package mlog

import "time"

// threadCPU is not measured on this platform: 0.
func threadCPU() time.Duration { return 0 }

// processCPU is not measured on this platform: 0.
func processCPU() time.Duration { return 0 }
