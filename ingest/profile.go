package ingest

import "strings"

// Profile normalises an online profile reference (URL or "platform:handle") to a lower-case
// string without scheme, "www." or trailing slash. A first cut: issue "Normalisation in
// depth" maps known platforms to "github:handle" forms.
func Profile(raw string) (Identifier, bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	s = strings.TrimRight(s, "/")
	if s == "" {
		return Identifier{}, false
	}
	return Identifier{Kind: KindProfile, Value: s, Raw: raw, Valid: true}, true
}

// Username normalises a bare handle: lower case, no leading "@".
func Username(raw string) (Identifier, bool) {
	s := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(raw)), "@")
	if s == "" {
		return Identifier{}, false
	}
	return Identifier{Kind: KindUsername, Value: s, Raw: raw, Valid: true}, true
}

func (x *extraction) profiles() {
	for _, p := range x.rec.Profiles {
		x.add(Profile(p))
	}
	for _, u := range x.rec.Usernames {
		x.add(Username(u))
	}
}
