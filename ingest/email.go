package ingest

import "strings"

// Email normalises an e-mail address: lower case, and for Gmail the dots and "+tag" of
// the local part dropped and googlemail.com folded into gmail.com, since all of those
// deliver to one inbox. A value without exactly one "@" and both parts is kept lower-cased
// and flagged invalid.
func Email(raw string) (Identifier, bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindEmail, Raw: raw, Value: s}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		id.Flags = []string{FlagInvalid}
		return id, true
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local, _, _ = strings.Cut(local, "+")
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" {
		id.Flags = []string{FlagInvalid}
		return id, true
	}
	id.Value = local + "@" + domain
	id.Valid = true
	return id, true
}

func (x *extraction) emails() {
	for _, e := range x.rec.Emails {
		x.add(Email(e))
	}
}
