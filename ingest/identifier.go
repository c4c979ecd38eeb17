package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is the kind of a normalised identifier. Its string form is part of the store's key
// layout and of the CLI output: never rename one.
type Kind string

// Identifier kinds (DESIGN.md section 2).
const (
	KindEmail    Kind = "email"
	KindPhone    Kind = "phone"
	KindAddress  Kind = "address"
	KindPostcode Kind = "postcode"
	KindPayment  Kind = "payment"
	KindDevice   Kind = "device"
	KindIP       Kind = "ip"
	KindIPPrefix Kind = "ip_prefix"
	KindProfile  Kind = "profile"
	KindUsername Kind = "username"
	KindDocument Kind = "document"
	KindPhoto    Kind = "photo"
	KindNameKey  Kind = "name_key"
	KindDOB      Kind = "dob"
	// KindAccount is a source's own account id (persona_id), scoped by the source: it
	// groups that account's records (DESIGN.md section 2).
	KindAccount Kind = "account"
)

// Identifier is one normalised value of a record. Value is the canonical form; two
// records share an identifier when Kind and Value are equal. Invalid values are kept
// (Valid false, flag "invalid") because a malformed phone reused by ten personas is still
// evidence.
type Identifier struct {
	Kind  Kind     `json:"kind"`
	Value string   `json:"value"`
	Raw   string   `json:"raw,omitempty"`
	Valid bool     `json:"valid"`
	Flags []string `json:"flags,omitempty"`
}

// Key is the identifier's store key form, "kind:value".
func (id Identifier) Key() string { return string(id.Kind) + ":" + id.Value }

// HasFlag reports whether the identifier carries flag f.
func (id Identifier) HasFlag(f string) bool { return slices.Contains(id.Flags, f) }

// Flag values shared by several kinds.
const (
	FlagInvalid = "invalid"
)

// Identifiers returns the normalised identifiers of a record, de-duplicated by kind and
// value, in a deterministic order. Pure: it reads only rec.
func Identifiers(rec *Record) []Identifier {
	x := extraction{rec: rec, region: defaultRegion(rec), ids: make([]Identifier, 0, identifierCapacity(rec))}
	// One extractor per kind, each beside its normaliser. The order does not matter: the
	// result is sorted.
	x.emails()
	x.phones()
	x.addresses()
	x.payments()
	x.devices()
	x.ips()
	x.profiles()
	x.documents()
	x.photo()
	x.names()
	x.cv()
	x.dob()
	x.account()
	sortIdentifiers(x.ids)
	return slices.CompactFunc(x.ids, func(a, b Identifier) bool {
		return a.Kind == b.Kind && a.Value == b.Value
	})
}

// compareIdentifiers orders identifiers by kind, then value.
func compareIdentifiers(a, b Identifier) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// sortIdentifiers sorts ids as slices.SortFunc(ids, compareIdentifiers) does, with the
// same order among equal elements (which one the de-duplication keeps): it sorts one-byte
// indices with the same algorithm, which makes the same comparisons, then moves each
// 80-byte identifier once instead of swapping it many times.
func sortIdentifiers(ids []Identifier) {
	if len(ids) > 256 {
		slices.SortFunc(ids, compareIdentifiers)
		return
	}
	var buf [256]uint8
	order := buf[:len(ids)]
	for i := range order {
		order[i] = uint8(i)
	}
	// compareIdentifiers on pointers, rather than on two 80-byte copies per comparison.
	slices.SortFunc(order, func(a, b uint8) int {
		x, y := &ids[a], &ids[b]
		if x.Kind != y.Kind {
			return strings.Compare(string(x.Kind), string(y.Kind))
		}
		return strings.Compare(x.Value, y.Value)
	})
	// Position i receives ids[order[i]]: follow each cycle of the permutation once.
	var done [256]bool
	for start := range ids {
		if done[start] || int(order[start]) == start {
			continue
		}
		tmp := ids[start]
		for j := start; ; {
			done[j] = true
			k := int(order[j])
			if k == start {
				ids[j] = tmp
				break
			}
			ids[j] = ids[k]
			j = k
		}
	}
}

// identifierCapacity is a generous guess at the number of identifiers of rec, so the
// slice that collects them is allocated once rather than grown five or six times: one
// per field value, two per address and IP (the postcode and the prefix), up to ten name
// keys, the date of birth and photo, and the CV's sketch and a few contacts.
func identifierCapacity(rec *Record) int {
	n := len(rec.Emails) + len(rec.Phones) + 2*len(rec.Addresses) + len(rec.Payments) +
		len(rec.Devices) + 2*len(rec.IPs) + len(rec.Profiles) + len(rec.Usernames) +
		len(rec.Documents) + 13
	if rec.CVText != "" {
		n += 5
	}
	return n
}

// account adds the record's source account id. Ids are only unique within their source,
// so the value carries the source.
func (x *extraction) account() {
	id := strings.TrimSpace(x.rec.PersonaID)
	if id == "" {
		return
	}
	v := strings.ToLower(strings.TrimSpace(x.rec.Source)) + "/" + id
	x.add(Identifier{Kind: KindAccount, Value: v, Raw: x.rec.PersonaID, Valid: true}, true)
}

// extraction collects one record's identifiers.
type extraction struct {
	rec    *Record
	region string // default region for national-format phone numbers
	ids    []Identifier
}

func (x *extraction) add(id Identifier, ok bool) {
	if ok && id.Value != "" {
		x.ids = append(x.ids, boundIdentifier(id))
	}
}

// MaxIdentifierValueBytes bounds an identifier's value. Values are store key material
// (Badger refuses keys over 65,000 bytes, failing the whole write), and no real value of
// any kind comes near it: e-mail addresses stop at 254 bytes, the longest canonical value
// in a generated population is under 60. Only an invalid value kept as evidence (a pasted
// paragraph in the e-mail field, a 100 kB "fingerprint") can be longer.
const MaxIdentifierValueBytes = 512

// boundIdentifier returns id with a value longer than MaxIdentifierValueBytes replaced by
// its first 256 bytes (whole runes), "~" and 32 hex digits of the SHA-256 of the whole
// value, flagged invalid: equal long values still meet, different ones almost surely do
// not, and the key stays small.
func boundIdentifier(id Identifier) Identifier {
	if len(id.Value) <= MaxIdentifierValueBytes {
		return id
	}
	sum := sha256.Sum256([]byte(id.Value))
	// Cut before the rune the 257th byte belongs to (continuation bytes never start
	// one; at most three of them in a row in valid UTF-8).
	cut := 256
	for k := 0; k < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(id.Value[cut]); k++ {
		cut--
	}
	head := id.Value[:cut]
	id.Value = head + "~" + hex.EncodeToString(sum[:16])
	id.Valid = false
	if !id.HasFlag(FlagInvalid) {
		id.Flags = append(slices.Clip(id.Flags), FlagInvalid)
	}
	return id
}

// defaultRegion is the region a national-format phone number is read in: the record's
// nationality, else the country of its first address that names one.
func defaultRegion(rec *Record) string {
	if len(rec.Nationality) == 2 {
		return strings.ToUpper(rec.Nationality)
	}
	for _, a := range rec.Addresses {
		if len(a.Country) == 2 {
			return strings.ToUpper(a.Country)
		}
	}
	return ""
}
