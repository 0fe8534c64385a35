// Package queued is a database-like daemon whose single worker drains an
// indexed update queue. It publishes, in its segment "queued", what the
// index saves (replaced, merged, dropped updates and the share of writes
// avoided), the queue length, the worker's load, a periodic checkpoint
// task, probes at its flow-control points and a debug category "merge".
package queued
