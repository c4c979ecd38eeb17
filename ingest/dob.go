package ingest

import (
	"strings"
	"time"
)

// DateOfBirth normalises a date of birth given as ISO 8601 (YYYY-MM-DD). Other forms are
// kept trimmed and flagged invalid; issue "Normalisation in depth" reads more formats and
// flags partial dates.
func DateOfBirth(raw string) (Identifier, bool) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Identifier{}, false
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return Identifier{Kind: KindDOB, Value: t.Format(time.DateOnly), Raw: raw, Valid: true}, true
	}
	return Identifier{Kind: KindDOB, Value: s, Raw: raw, Flags: []string{FlagInvalid}}, true
}

func (x *extraction) dob() {
	x.add(DateOfBirth(x.rec.DateOfBirth))
}
