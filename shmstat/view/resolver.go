package view

import "github.com/porthole-dev/porthole/shmstat"

// Resolver turns a program counter stored by Probe.Here in process pid
// (start is its start time, so a reused pid is not mistaken for it) into
// a source location. *shmstat.Resolver and *Self implement it.
type Resolver = shmstat.PCResolver
