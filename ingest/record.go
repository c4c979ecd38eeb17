package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Record is one observation in record schema v1 (DESIGN.md section 3).
//
// Only the fields the engine understands are typed. Every field, known or not, survives
// in Canonical: the record exactly as received, re-encoded with sorted keys and no
// insignificant whitespace, so that two sends of the same content hash the same and
// unknown fields are returned verbatim.
type Record struct {
	RecordID    string      `json:"record_id"`
	Source      string      `json:"source"`
	ObservedAt  string      `json:"observed_at"`
	Event       string      `json:"event,omitempty"`
	PersonaID   string      `json:"persona_id,omitempty"`
	Name        Name        `json:"name,omitzero"`
	DateOfBirth string      `json:"date_of_birth,omitempty"`
	Nationality string      `json:"nationality,omitempty"`
	Documents   []Document  `json:"documents,omitempty"`
	Emails      []string    `json:"emails,omitempty"`
	Phones      []string    `json:"phones,omitempty"`
	Addresses   []Address   `json:"addresses,omitempty"`
	Payments    []Payment   `json:"payments,omitempty"`
	Devices     []Device    `json:"devices,omitempty"`
	IPs         []IP        `json:"ips,omitempty"`
	Profiles    []string    `json:"profiles,omitempty"`
	Usernames   []string    `json:"usernames,omitempty"`
	PhotoHash   string      `json:"photo_hash,omitempty"`
	CVText      string      `json:"cv_text,omitempty"`
	Interview   *Interview  `json:"interview,omitempty"`
	References  []Reference `json:"references,omitempty"`
	Employer    string      `json:"employer,omitempty"`

	// Observed is ObservedAt parsed; set by Parse.
	Observed time.Time `json:"-"`
	// Extra holds the top-level fields schema v1 does not define, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
	// Canonical is the whole record as sorted-key compact JSON; set by Parse.
	Canonical []byte `json:"-"`
}

// Name is either a plain string or {"given", "family", "full"} in the input.
type Name struct {
	Given  string `json:"given,omitempty"`
	Family string `json:"family,omitempty"`
	Full   string `json:"full,omitempty"`
}

// IsZero reports whether no part of the name is set.
func (n Name) IsZero() bool { return n.Given == "" && n.Family == "" && n.Full == "" }

// Display is the best single-string form of the name.
func (n Name) Display() string {
	if n.Full != "" {
		return n.Full
	}
	switch {
	case n.Given != "" && n.Family != "":
		return n.Given + " " + n.Family
	case n.Given != "":
		return n.Given
	}
	return n.Family
}

// UnmarshalJSON accepts a string or an object.
func (n *Name) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Name{Full: s}
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*n = Name{}
		return nil
	}
	type plain Name
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("want a string or {given, family, full}: %w", err)
	}
	*n = Name(p)
	return nil
}

// Document is an identity document.
type Document struct {
	Kind    string `json:"kind,omitempty"` // passport|national_id|ssn|ni_number|driving_licence|tax_id
	Number  string `json:"number,omitempty"`
	Country string `json:"country,omitempty"`
}

// Address is a postal address, free text or in parts.
type Address struct {
	Kind     string `json:"kind,omitempty"` // home|shipping|billing|mailing|work
	Text     string `json:"text,omitempty"`
	Line1    string `json:"line1,omitempty"`
	Line2    string `json:"line2,omitempty"`
	City     string `json:"city,omitempty"`
	Region   string `json:"region,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Country  string `json:"country,omitempty"`
}

// Payment is a payout or payment account.
type Payment struct {
	Kind   string `json:"kind,omitempty"` // iban|sort_code_account|bank_account|payoneer|wise|paypal|revolut|crypto|card|other
	Value  string `json:"value,omitempty"`
	Holder string `json:"holder,omitempty"`
}

// Device is a device observation.
type Device struct {
	Fingerprint string   `json:"fingerprint,omitempty"`
	UserAgent   string   `json:"user_agent,omitempty"`
	Timezone    string   `json:"timezone,omitempty"`
	Languages   string   `json:"languages,omitempty"`
	RemoteTools []string `json:"remote_tools,omitempty"`
}

// IP is an address seen for the record, optionally with a time; the input may be a plain
// string or {"ip", "at"}.
type IP struct {
	IP string `json:"ip,omitempty"`
	At string `json:"at,omitempty"`
}

// UnmarshalJSON accepts a string or an object.
func (ip *IP) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*ip = IP{IP: s}
		return nil
	}
	type plain IP
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("want a string or {ip, at}: %w", err)
	}
	*ip = IP(p)
	return nil
}

// Interview describes how an interview went.
type Interview struct {
	Video string `json:"video,omitempty"` // on|camera_off|declined|in_person
}

// Reference is a referee named on an application.
type Reference struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}
