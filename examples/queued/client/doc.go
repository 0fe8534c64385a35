// Package client is queued's client: it attaches to the "queued" segment
// (its own process slot), takes record ids from the shared sequence and
// sends updates over queued's unix socket at a set rate.
package client
