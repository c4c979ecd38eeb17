package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// parseReference is Parse as it was before the hand-written scanner (ingest/parse.go at
// 56cdff4), kept verbatim apart from names so that FuzzParseMatchesReference can check
// that the fast path changes nothing: Canonical is hashed into the store, and records,
// identifiers and error texts are seen by callers. It decodes through Name.UnmarshalJSON
// and IP.UnmarshalJSON, which the rewrite left unchanged.
func parseReference(b []byte, line int64) (*Record, error) {
	fail := func(id, field string, err error) error {
		return &ParseError{Line: line, RecordID: id, Field: field, Err: err}
	}
	if !utf8.Valid(b) {
		return nil, fail("", "", errors.New("not valid UTF-8"))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fail("", "", fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se))
		}
		return nil, fail("", "", fmt.Errorf("want a JSON object: %v", err))
	}
	rec := &Record{}
	// record_id first, so that every later error can name the record.
	if err := decodeStringReference(fields["record_id"], &rec.RecordID); err != nil {
		return nil, fail("", "record_id", err)
	}
	id := rec.RecordID
	switch {
	case strings.TrimSpace(id) == "":
		return nil, fail("", "record_id", ErrMissing)
	case len(id) > MaxRecordIDLen:
		return nil, fail(id[:32]+"...", "record_id", fmt.Errorf("longer than %d bytes", MaxRecordIDLen))
	case strings.ContainsFunc(id, isControl):
		return nil, fail("", "record_id", errors.New("contains control characters"))
	}
	for key, raw := range fields {
		dst := fieldReference(rec, key)
		if dst == nil {
			if rec.Extra == nil {
				rec.Extra = make(map[string]json.RawMessage)
			}
			rec.Extra[key] = raw
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, fail(id, fieldPathReference(key, err), cleanJSONErrorReference(err))
		}
	}
	if strings.TrimSpace(rec.Source) == "" {
		return nil, fail(id, "source", ErrMissing)
	}
	if rec.ObservedAt == "" {
		return nil, fail(id, "observed_at", ErrMissing)
	}
	t, err := time.Parse(time.RFC3339Nano, rec.ObservedAt)
	if err != nil {
		return nil, fail(id, "observed_at", fmt.Errorf("not an RFC 3339 time: %q", rec.ObservedAt))
	}
	rec.Observed = t.UTC()
	if rec.Canonical, err = canonicalJSONReference(b); err != nil {
		return nil, fail(id, "", err)
	}
	return rec, nil
}

func fieldReference(r *Record, key string) any {
	switch key {
	case "record_id":
		return &r.RecordID
	case "source":
		return &r.Source
	case "observed_at":
		return &r.ObservedAt
	case "event":
		return &r.Event
	case "persona_id":
		return &r.PersonaID
	case "name":
		return &r.Name
	case "date_of_birth":
		return &r.DateOfBirth
	case "nationality":
		return &r.Nationality
	case "documents":
		return &r.Documents
	case "emails":
		return &r.Emails
	case "phones":
		return &r.Phones
	case "addresses":
		return &r.Addresses
	case "payments":
		return &r.Payments
	case "devices":
		return &r.Devices
	case "ips":
		return &r.IPs
	case "profiles":
		return &r.Profiles
	case "usernames":
		return &r.Usernames
	case "photo_hash":
		return &r.PhotoHash
	case "cv_text":
		return &r.CVText
	case "interview":
		return &r.Interview
	case "references":
		return &r.References
	case "employer":
		return &r.Employer
	}
	return nil
}

func decodeStringReference(raw json.RawMessage, dst *string) error {
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return cleanJSONErrorReference(err)
	}
	return nil
}

func fieldPathReference(key string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return key + "." + te.Field
	}
	return key
}

func cleanJSONErrorReference(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got a JSON %s, want %s", te.Value, jsonKindReference(te.Type.String()))
	}
	return err
}

func jsonKindReference(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "ingest."), strings.HasPrefix(goType, "*ingest."):
		return "an object"
	}
	return goType
}

func canonicalJSONReference(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(b))
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}
