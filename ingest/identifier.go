package ingest

import (
	"slices"
	"strings"
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
	x := extraction{rec: rec, region: defaultRegion(rec)}
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
	slices.SortFunc(x.ids, func(a, b Identifier) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.CompactFunc(x.ids, func(a, b Identifier) bool {
		return a.Kind == b.Kind && a.Value == b.Value
	})
}

// extraction collects one record's identifiers.
type extraction struct {
	rec    *Record
	region string // default region for national-format phone numbers
	ids    []Identifier
}

func (x *extraction) add(id Identifier, ok bool) {
	if ok && id.Value != "" {
		x.ids = append(x.ids, id)
	}
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
