package engine

import (
	"time"

	"github.com/rs/zerolog"
)

// stepLog logs at debug level how long each step of a long run took: a full re-cluster
// takes most of a minute at a million records, and which step grows with the data moves.
type stepLog struct {
	log    zerolog.Logger
	prefix string
	last   time.Time
}

func newStepLog(log zerolog.Logger, prefix string) *stepLog {
	return &stepLog{log: log, prefix: prefix, last: time.Now()}
}

// done logs that step ended now, with the time since the previous step ended.
func (s *stepLog) done(step string) {
	now := time.Now()
	s.log.Debug().Str("step", s.prefix+step).Dur("took", now.Sub(s.last)).Msg("re-cluster step")
	s.last = now
}
