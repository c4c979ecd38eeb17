package ingest

import (
	"strconv"
	"strings"
)

// PhotoHash normalises a 64-bit perceptual hash to 16 lower-case hex digits. Anything
// else is kept lower-cased and flagged invalid.
func PhotoHash(raw string) (Identifier, bool) {
	s := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(raw), "0x"))
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindPhoto, Value: s, Raw: raw}
	if v, err := strconv.ParseUint(s, 16, 64); err == nil && len(s) <= 16 {
		id.Value = strconv.FormatUint(v, 16)
		id.Value = strings.Repeat("0", 16-len(id.Value)) + id.Value
		id.Valid = true
		return id, true
	}
	id.Flags = []string{FlagInvalid}
	return id, true
}

func (x *extraction) photo() {
	x.add(PhotoHash(x.rec.PhotoHash))
}
