package ingest

import (
	"strconv"
	"strings"
)

// PhotoHash normalises a 64-bit perceptual hash (pHash, dHash, ...) to 16 lower-case hex
// digits: case, a "0x" prefix, full-width digits and spaces, colons or hyphens between
// digit groups are ignored, and a hash written without its leading zeros is padded back,
// since tools print the same 64 bits all those ways. Anything else (a longer hash, a
// non-hex character) is kept cleaned and lower-cased and flagged invalid.
func PhotoHash(raw string) (Identifier, bool) {
	s := contactFold(raw)
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindPhoto, Value: s, Raw: raw}
	hex := strings.Map(func(r rune) rune {
		switch r {
		case ' ', ':', '-':
			return -1
		}
		return r
	}, s)
	hex = strings.TrimPrefix(hex, "0x")
	if len(hex) <= 16 && photoHexDigits(hex) {
		v, err := strconv.ParseUint(hex, 16, 64)
		if err == nil {
			id.Value = strconv.FormatUint(v, 16)
			id.Value = strings.Repeat("0", 16-len(id.Value)) + id.Value
			id.Valid = true
			return id, true
		}
	}
	id.Flags = []string{FlagInvalid}
	return id, true
}

// photoHexDigits reports whether s is one or more lower-case hex digits and nothing else.
func photoHexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

func (x *extraction) photo() {
	x.add(PhotoHash(x.rec.PhotoHash))
}
