package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReaderRejectsAndContinues(t *testing.T) {
	input := strings.Join([]string{
		`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann Lee"}`,
		`{"record_id":"b","source":"s","observed_at":"yesterday"}`,
		`{"record_id":"c","source":"s","observed_at":"2026-01-01T00:00:00Z"`,
		``,
		`{"record_id":"d","source":"s","observed_at":"2026-01-02T00:00:00+02:00","emails":"not-a-list"}`,
		`{"source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
		`{"record_id":"e","observed_at":"2026-01-01T00:00:00Z"}`,
		`[1,2]`,
		`{"record_id":"f","source":"s","observed_at":"2026-01-01T00:00:00Z","documents":[{"number":7}]}`,
		"{\"record_id\":\"g\",\"source\":\"s\",\"observed_at\":\"2026-01-01T00:00:00Z\",\"x\":\"\xff\"}",
		`{"record_id":"h","source":"s","observed_at":"2026-01-03T10:00:00Z","custom":{"b":1,"a":[true]}}`,
	}, "\n")
	type want struct {
		line  int64
		id    string
		field string
		ok    bool
	}
	wants := []want{
		{1, "a", "", true},
		{2, "b", "observed_at", false},
		{3, "", "", false},
		{5, "d", "emails", false},
		{6, "", "record_id", false},
		{7, "e", "source", false},
		{8, "", "", false},
		{9, "f", "documents.number", false},
		{10, "", "", false},
		{11, "h", "", true},
	}
	r := NewReader(strings.NewReader(input), 0)
	for _, w := range wants {
		rec, err := r.Next()
		if w.ok {
			if err != nil {
				t.Fatalf("line %d: unexpected error %v", w.line, err)
			}
			if rec.RecordID != w.id || r.Line() != w.line {
				t.Fatalf("line %d: got record %q at line %d", w.line, rec.RecordID, r.Line())
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("line %d: want *ParseError, got %v (record %v)", w.line, err, rec)
		}
		if pe.Line != w.line || pe.RecordID != w.id || pe.Field != w.field {
			t.Errorf("line %d: got line %d record %q field %q (%v); want record %q field %q",
				w.line, pe.Line, pe.RecordID, pe.Field, pe, w.id, w.field)
		}
		if !strings.Contains(pe.Error(), "line ") {
			t.Errorf("error %q does not name its line", pe)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("want io.EOF at the end, got %v", err)
	}
}

func TestParseKeepsUnknownFieldsCanonically(t *testing.T) {
	a, err := Parse([]byte(`{"source":"s", "record_id":"x","observed_at":"2026-01-01T00:00:00Z","zeta":{"b":1.50,"a":"<&>"},"name":{"given":"Jon","family":"Smyth"}}`), 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(`{"name":{"family":"Smyth","given":"Jon"},"zeta":{"a":"<&>","b":1.50},"observed_at":"2026-01-01T00:00:00Z","record_id":"x","source":"s"}`), 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Canonical) != string(b.Canonical) {
		t.Fatalf("same content, different canonical forms:\n%s\n%s", a.Canonical, b.Canonical)
	}
	const want = `{"name":{"family":"Smyth","given":"Jon"},"observed_at":"2026-01-01T00:00:00Z","record_id":"x","source":"s","zeta":{"a":"<&>","b":1.50}}`
	if string(a.Canonical) != want {
		t.Fatalf("canonical\n got %s\nwant %s", a.Canonical, want)
	}
	if string(a.Extra["zeta"]) != `{"b":1.50,"a":"<&>"}` {
		t.Fatalf("unknown field not kept verbatim: %s", a.Extra["zeta"])
	}
	if a.Name.Display() != "Jon Smyth" {
		t.Fatalf("name %q", a.Name.Display())
	}
}

func TestReaderLongLineAndCRLF(t *testing.T) {
	long := `{"record_id":"big","source":"s","observed_at":"2026-01-01T00:00:00Z","cv_text":"` + strings.Repeat("x", 300) + `"}`
	input := "\xef\xbb\xbf" + `{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z"}` + "\r\n" + long + "\r\n" +
		`{"record_id":"c","source":"s","observed_at":"2026-01-01T00:00:00Z"}`
	r := NewReader(strings.NewReader(input), 200)
	rec, err := r.Next()
	if err != nil || rec.RecordID != "a" {
		t.Fatalf("first line: %v %v", rec, err)
	}
	_, err = r.Next()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !errors.Is(err, errLineTooLong) {
		t.Fatalf("want a too-long reject on line 2, got %v", err)
	}
	rec, err = r.Next()
	if err != nil || rec.RecordID != "c" || r.Line() != 3 {
		t.Fatalf("line after the long one: %v %v (line %d)", rec, err, r.Line())
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann"}`))
	f.Add([]byte(`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","ips":[{"ip":"1.2.3.4"},"::1"],"name":{"given":"A"}}`))
	f.Add([]byte(`{"record_id":"","source":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		rec, err := Parse(b, 1)
		if err != nil {
			return
		}
		// A parsed record's canonical form parses to the same canonical form.
		again, err := Parse(rec.Canonical, 1)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, rec.Canonical)
		}
		if string(again.Canonical) != string(rec.Canonical) {
			t.Fatalf("canonical form not stable:\n%s\n%s", rec.Canonical, again.Canonical)
		}
		_ = Identifiers(rec)
	})
}
