package graph

import (
	"fmt"
	"strings"

	"github.com/rs/zerolog"
)

// badgerLogger adapts zerolog to badger.Logger, whose messages are printf-style with a
// trailing newline.
type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) msg(ev *zerolog.Event, format string, args []any) {
	ev.Str("component", "badger").Msg(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (b badgerLogger) Errorf(f string, a ...any)   { b.msg(b.l.Error(), f, a) }
func (b badgerLogger) Warningf(f string, a ...any) { b.msg(b.l.Warn(), f, a) }
func (b badgerLogger) Infof(f string, a ...any)    { b.msg(b.l.Debug(), f, a) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.msg(b.l.Trace(), f, a) }
