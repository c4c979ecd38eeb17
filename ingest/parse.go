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

// MaxRecordIDLen bounds record_id: ids are key material in the store.
const MaxRecordIDLen = 512

// ErrMissing is the reason for a required field that is absent or empty.
var ErrMissing = errors.New("required field is missing or empty")

// ParseError is a rejected input line: which line, which record (when its id could be
// read), which field and why. Readers return it and carry on with the next line.
type ParseError struct {
	Line     int64  // 1-based line number in the input
	RecordID string // empty when the line had no readable record_id
	Field    string // JSON field path, empty when the line as a whole is bad
	Err      error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.RecordID != "" {
		fmt.Fprintf(&b, ": record %q", e.RecordID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes and validates one NDJSON line. line is the 1-based line number, used in
// errors only. The returned record does not alias b.
func Parse(b []byte, line int64) (*Record, error) {
	if rec := parseFast(b); rec != nil {
		return rec, nil
	}
	return parseStd(b, line)
}

// parseStd is Parse with encoding/json. It decides every line parseFast leaves: all bad
// lines, so that their errors are worded by one piece of code, and valid ones of unusual
// shape.
func parseStd(b []byte, line int64) (*Record, error) {
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
	if err := decodeString(fields["record_id"], &rec.RecordID); err != nil {
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
		dst := rec.field(key)
		if dst == nil {
			if rec.Extra == nil {
				rec.Extra = make(map[string]json.RawMessage)
			}
			rec.Extra[key] = raw
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, fail(id, fieldPath(key, err), cleanJSONError(err))
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
	if rec.Canonical, err = canonicalJSON(b); err != nil {
		return nil, fail(id, "", err)
	}
	return rec, nil
}

// field maps a schema v1 key to the struct field it decodes into; nil for unknown keys.
func (r *Record) field(key string) any {
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

func decodeString(raw json.RawMessage, dst *string) error {
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return cleanJSONError(err)
	}
	return nil
}

// fieldPath names the innermost field a decode error is about, e.g. "documents.number".
func fieldPath(key string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return key + "." + te.Field
	}
	return key
}

// cleanJSONError turns encoding/json's Go-centric messages into ones about the input.
func cleanJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got a JSON %s, want %s", te.Value, jsonKind(te.Type.String()))
	}
	return err
}

func jsonKind(goType string) string {
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

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// canonicalJSON re-encodes a JSON object with sorted keys at every level, compact, numbers
// as written, HTML characters unescaped: the form that is hashed and stored.
func canonicalJSON(b []byte) ([]byte, error) {
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
