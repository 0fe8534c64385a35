package collector

import "strconv"

// resumeFromSpool tells the tracker where every recently heard sender
// stood when this spool was last written, so that what a sender sent
// while no collector was writing becomes a gap record with reason
// "restart" when it is heard again, and a replay of anything already
// written is a duplicate. The senders of the last scoreboard are looked
// for first: reading stops once each is found.
func (c *Collector) resumeFromSpool() (senders int, err error) {
	opt := ResumeOptions{MaxAge: c.cfg.ForgetAfter}
	if c.cfg.Scoreboard != "-" {
		if sb, err := ReadScoreboard(c.cfg.Scoreboard); err == nil {
			for _, s := range sb.Servers {
				if id, err := strconv.ParseUint(s.Sender, 16, 64); err == nil {
					opt.Expect = append(opt.Expect, id)
				}
			}
		}
	}
	res, err := ReadResume(c.cfg.SpoolDir, opt)
	if err != nil {
		return 0, err
	}
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.unlock()
	for id, lw := range res.Senders {
		seen := lw.Time
		if seen.IsZero() || seen.After(now) || now.Sub(seen) > c.cfg.ForgetAfter {
			seen = now // the sender's clock is not ours: never older than the forget time allows
		}
		c.seq.resume(id, lw.Seq, lw.Host, lw.Program, seen)
	}
	return len(res.Senders), nil
}
