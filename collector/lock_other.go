//go:build !unix

package collector

import "os"

// lockSpool does nothing where flock does not exist.
func lockSpool(dir string) (*os.File, error) { return nil, nil }
