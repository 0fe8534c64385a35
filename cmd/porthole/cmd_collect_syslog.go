package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/porthole-dev/porthole/collector"
)

// startSyslog starts the collector's syslog input on addr (a port on
// 127.0.0.1, or HOST:PORT); "" leaves it off. The returned stop ends it
// and waits until no record can come from it any more, so the caller
// closes the collector after it.
func startSyslog(ctx context.Context, c *collector.Collector, addr string, logger *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	conn, err := collector.ListenSyslog(addr)
	if err != nil {
		return nil, err
	}
	logger.Info("syslog input", "addr", conn.LocalAddr().String())
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := c.ServeSyslog(ctx, conn); err != nil {
			logger.Error("syslog input stopped", "err", err)
		}
	}()
	return func() { cancel(); wg.Wait() }, nil
}
