package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// csvResult is what one call of Next produced, in a comparable form.
type csvResult struct {
	canonical string   // record's Canonical; "" for an error
	line      int64    // ParseError line
	id        string   // ParseError record id
	field     string   // ParseError field
	is        error    // the ParseError must wrap this, when set
	truth     []string // Truth() after the call
}

// readAllCSV drains a CSVReader, failing the test on anything but records, ParseErrors
// and io.EOF.
func readAllCSV(t *testing.T, r *CSVReader) []csvResult {
	t.Helper()
	var out []csvResult
	for range 1_000_000 {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		res := csvResult{truth: r.Truth()}
		var pe *ParseError
		switch {
		case err == nil:
			res.canonical = string(rec.Canonical)
		case errors.As(err, &pe):
			res.line, res.id, res.field, res.is = pe.Line, pe.RecordID, pe.Field, pe.Err
		default:
			t.Fatalf("Next: unexpected error %v", err)
		}
		out = append(out, res)
	}
	t.Fatal("reader did not reach io.EOF")
	return nil
}

func checkResults(t *testing.T, got, want []csvResult) {
	t.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("got %+v", g)
		}
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.canonical != w.canonical {
			t.Errorf("result %d: canonical\n got %s\nwant %s", i, g.canonical, w.canonical)
		}
		if w.canonical == "" {
			if g.line != w.line || g.id != w.id || g.field != w.field {
				t.Errorf("result %d: error at line %d record %q field %q, want line %d record %q field %q (%v)",
					i, g.line, g.id, g.field, w.line, w.id, w.field, g.is)
			}
			if w.is != nil && !errors.Is(g.is, w.is) {
				t.Errorf("result %d: error %v, want one wrapping %v", i, g.is, w.is)
			}
		}
		if strings.Join(g.truth, "|") != strings.Join(w.truth, "|") || (g.truth == nil) != (w.truth == nil) {
			t.Errorf("result %d: truth %q, want %q", i, g.truth, w.truth)
		}
	}
}

// TestCSVMappingFile reads testdata/csv/applicants.csv (BOM, CRLF, ';', a quoted cell
// over two lines, doubled quotes, a bad date, a ragged row, a blank line, an empty id,
// text after a closing quote, a bare quote and no final newline) through a mapping file.
func TestCSVMappingFile(t *testing.T) {
	m, err := LoadMapping(filepath.Join("testdata", "csv", "applicants_map.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "csv", "applicants.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewCSVReader(f, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.TruthColumns(), ","); got != "label" {
		t.Errorf("TruthColumns = %q, want label", got)
	}
	want := []csvResult{
		{canonical: `{"addresses":[{"country":"GB","kind":"home","postcode":"LS1 4AB"}],"date_of_birth":"1994-06-15","emails":["jon@example.com"],"name":{"full":"Jon Smyth"},"notes":"said \"hi\"; twice","observed_at":"2026-03-07T00:00:00Z","payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}],"phones":["07700 900123"],"record_id":"a1","source":"example"}`,
			truth: []string{"p1"}},
		// emails[1] alone closes up to one e-mail; an unparseable date is kept as written.
		{canonical: `{"date_of_birth":"06/1994","emails":["j2@example.com"],"name":{"full":"Smyth,\nJon"},"observed_at":"2026-03-07T00:00:00Z","record_id":"a2","source":"example"}`,
			truth: []string{"p1"}},
		{line: 5, id: "a3", field: "applied", truth: []string{"p2"}},
		{line: 6, id: "a4", is: ErrRaggedRow},
		{line: 8, field: "id", is: ErrMissing, truth: []string{"p3"}},
		{line: 9, field: "cell 3"},
		{canonical: `{"name":{"full":"Zoë 5\" tall"},"observed_at":"2026-03-09T00:00:00Z","record_id":"a7","source":"example"}`,
			truth: []string{"p5"}},
	}
	checkResults(t, readAllCSV(t, r), want)
}

// testMapping is a small mapping for the table tests.
func testMapping() *Mapping {
	return &Mapping{
		Columns:   map[string]string{"id": "record_id", "given": "name.given", "family": "name.family", "email": "emails[0]"},
		Constants: map[string]string{"source": "t", "observed_at": "2026-01-01T00:00:00Z"},
		Truth:     []string{"truth"},
	}
}

func TestCSVAdversarial(t *testing.T) {
	const rec1 = `{"emails":["a@b.c"],"name":{"family":"Doe","given":"Ann"},"observed_at":"2026-01-01T00:00:00Z","record_id":"1","source":"t"}`
	tests := []struct {
		name string
		in   string
		want []csvResult
	}{
		{"plain", "id,given,family,email,truth\n1,Ann,Doe,a@b.c,7\n",
			[]csvResult{{canonical: rec1, truth: []string{"7"}}}},
		{"crlf no final newline", "id,given,family,email,truth\r\n1,Ann,Doe,a@b.c,7",
			[]csvResult{{canonical: rec1, truth: []string{"7"}}}},
		{"bom and spaces after commas", "\ufeffid, given, family, email, truth\n1, Ann , Doe, a@b.c ,7\n",
			[]csvResult{{canonical: rec1, truth: []string{"7"}}}},
		{"quoted cells keep inner spaces", "id,given,family,email,truth\n1, \" Ann\" ,Doe,a@b.c,7\n",
			[]csvResult{{canonical: `{"emails":["a@b.c"],"name":{"family":"Doe","given":" Ann"},"observed_at":"2026-01-01T00:00:00Z","record_id":"1","source":"t"}`, truth: []string{"7"}}}},
		{"empty cells are missing", "id,given,family,email,truth\n1,,,,\n",
			[]csvResult{{canonical: `{"observed_at":"2026-01-01T00:00:00Z","record_id":"1","source":"t"}`, truth: []string{""}}}},
		{"truth column absent", "id,given,family,email\n1,Ann,Doe,a@b.c\n",
			[]csvResult{{canonical: rec1, truth: []string{}}}},
		{"blank lines skipped", "id,given,family,email,truth\n\n  \r\n1,Ann,Doe,a@b.c,7\n\n",
			[]csvResult{{canonical: rec1, truth: []string{"7"}}}},
		{"short row then good row", "id,given,family,email,truth\n1,Ann\n1,Ann,Doe,a@b.c,7\n",
			[]csvResult{{line: 2, id: "1", is: ErrRaggedRow}, {canonical: rec1, truth: []string{"7"}}}},
		{"long row", "id,given,family,email,truth\n1,Ann,Doe,a@b.c,7,8\n",
			[]csvResult{{line: 2, id: "1", is: ErrRaggedRow}}},
		{"unterminated quote at end", "id,given,family,email,truth\n1,\"Ann,Doe,a@b.c,7\n2,B,C,d,8\n",
			[]csvResult{{line: 2}}},
		{"garbage after closing quote", "id,given,family,email,truth\n1,\"Ann\"x,Doe,a@b.c,7\n1,Ann,Doe,a@b.c,7\n",
			[]csvResult{{line: 2, field: "cell 2"}, {canonical: rec1, truth: []string{"7"}}}},
		{"bare quote kept", "id,given,family,email,truth\n1,An\"n,Doe,a@b.c,7\n",
			[]csvResult{{canonical: `{"emails":["a@b.c"],"name":{"family":"Doe","given":"An\"n"},"observed_at":"2026-01-01T00:00:00Z","record_id":"1","source":"t"}`, truth: []string{"7"}}}},
		{"invalid utf-8", "id,given,family,email,truth\n1,A\xffn,Doe,a@b.c,7\n",
			[]csvResult{{line: 2, id: "1", field: "given", truth: []string{"7"}}}},
		{"control character in id", "id,given,family,email,truth\n\"1\x01\",Ann,Doe,a@b.c,7\n",
			[]csvResult{{line: 2, field: "id", truth: []string{"7"}}}},
		{"html characters survive", "id,given,family,email,truth\n1,<A&n>,Doe,a@b.c,7\n",
			[]csvResult{{canonical: `{"emails":["a@b.c"],"name":{"family":"Doe","given":"<A&n>"},"observed_at":"2026-01-01T00:00:00Z","record_id":"1","source":"t"}`, truth: []string{"7"}}}},
		{"header only", "id,given,family,email,truth\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tc.in), testMapping())
			if err != nil {
				t.Fatal(err)
			}
			checkResults(t, readAllCSV(t, r), tc.want)
		})
	}
}

// TestCSVRecordTooLong checks that an unterminated quote costs at most MaxRecordBytes
// and that reading resumes after it.
func TestCSVRecordTooLong(t *testing.T) {
	m := testMapping()
	m.MaxRecordBytes = 64
	var in strings.Builder
	in.WriteString("id,given,family,email,truth\n1,\"Ann,Doe,a@b.c,7\n")
	for range 20 {
		in.WriteString("filler line of about forty bytes.......\n")
	}
	in.WriteString("2,Bo,Lu,b@c.d,9\n")
	r, err := NewCSVReader(strings.NewReader(in.String()), m)
	if err != nil {
		t.Fatal(err)
	}
	got := readAllCSV(t, r)
	if len(got) == 0 || got[0].canonical != "" || got[0].line != 2 {
		t.Fatalf("first result %+v, want an error at line 2", got)
	}
	last := got[len(got)-1]
	want := `{"emails":["b@c.d"],"name":{"family":"Lu","given":"Bo"},"observed_at":"2026-01-01T00:00:00Z","record_id":"2","source":"t"}`
	if last.canonical != want {
		t.Errorf("last result %+v, want record 2", last)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		is   error
	}{
		{"empty input", "", ErrNoHeader},
		{"blank input", "\n\r\n", ErrNoHeader},
		{"mapped column missing", "id,given,family\n", ErrBadMapping},
		{"duplicate column", "id,given,family,email,email\n", ErrBadMapping},
		{"unmapped schema name", "id,given,family,email,phones\n", ErrBadMapping},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCSVReader(strings.NewReader(tc.in), testMapping())
			if !errors.Is(err, tc.is) {
				t.Fatalf("NewCSVReader error %v, want %v", err, tc.is)
			}
		})
	}
}

func TestMappingErrors(t *testing.T) {
	tests := []struct {
		name string
		js   string
	}{
		{"unknown key", `{"colums": {"a": "record_id"}}`},
		{"no columns", `{"constants": {"source": "x"}}`},
		{"not a schema field", `{"columns": {"a": "favourite_colour"}}`},
		{"list without index", `{"columns": {"a": "emails"}}`},
		{"index too big", `{"columns": {"a": "emails[32]"}}`},
		{"negative index", `{"columns": {"a": "emails[-1]"}}`},
		{"unknown sub-field", `{"columns": {"a": "addresses[0].planet"}}`},
		{"object list without field", `{"columns": {"a": "addresses[0]"}}`},
		{"string with index", `{"columns": {"a": "record_id[0]"}}`},
		{"two sources for one target", `{"columns": {"a": "name.full", "b": "name"}}`},
		{"template and column clash", `{"columns": {"a": "record_id"}, "templates": {"record_id": "{b}"}}`},
		{"template unclosed", `{"columns": {"a": "record_id"}, "templates": {"name.given": "{b"}}`},
		{"template without column", `{"columns": {"a": "record_id"}, "templates": {"name.given": "x"}}`},
		{"template uses truth", `{"columns": {"a": "record_id"}, "templates": {"name.given": "{t}"}, "truth": ["t"]}`},
		{"mapped and truth", `{"columns": {"a": "record_id"}, "truth": ["a"]}`},
		{"bad date format", `{"columns": {"a": "date_of_birth"}, "date_formats": {"date_of_birth": "YYYY-Q"}}`},
		{"date format without day", `{"columns": {"a": "date_of_birth"}, "date_formats": {"date_of_birth": "YYYY-MM"}}`},
		{"date format for nothing", `{"columns": {"a": "record_id"}, "date_formats": {"date_of_birth": "YYYYMMDD"}}`},
		{"bad delimiter", `{"columns": {"a": "record_id"}, "delimiter": "\""}`},
		{"two-character delimiter", `{"columns": {"a": "record_id"}, "delimiter": ";;"}`},
		{"trailing data", `{"columns": {"a": "record_id"}} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tc.js))
			if !errors.Is(err, ErrBadMapping) {
				t.Fatalf("ParseMapping error %v, want ErrBadMapping", err)
			}
		})
	}
}

func TestPresetsValid(t *testing.T) {
	names := PresetNames()
	if strings.Join(names, ",") != "febrl,febrl_dsgen,rldata,splink" {
		t.Errorf("PresetNames = %v", names)
	}
	for _, n := range names {
		m, ok := Preset(n)
		if !ok || m.Name != n {
			t.Fatalf("Preset(%q) = %v, %v", n, m, ok)
		}
		// Each call returns a fresh copy.
		m.Columns["x"] = "employer"
		if again, _ := Preset(n); again.Columns["x"] != "" {
			t.Errorf("Preset(%q) shares state between calls", n)
		}
	}
	if _, ok := Preset("nope"); ok {
		t.Error("Preset(nope) found")
	}
	if m, err := ResolveMapping("splink"); err != nil || m.Name != "splink" {
		t.Errorf("ResolveMapping(splink) = %v, %v", m, err)
	}
	if _, err := ResolveMapping(filepath.Join("testdata", "csv", "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ResolveMapping(missing file) error %v, want not exist", err)
	}
}

// datasetsDir is ../shared/datasets, read in place (never copied into the project).
func datasetsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PERSONAGRAPH_DATASETS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "datasets")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("public datasets not available at %s (set PERSONAGRAPH_DATASETS): %v", dir, err)
	}
	return dir
}

// TestCSVPresetsOnDatasets reads every public file through its preset: no row may be
// rejected, row and entity counts must match datasets/README.md, one known row must map
// as expected, and no truth value may reach a record.
func TestCSVPresetsOnDatasets(t *testing.T) {
	dir := datasetsDir(t)
	tests := []struct {
		file     string
		preset   string
		rows     int
		entities int    // distinct truth values; 0 when truth is in the id
		id       string // a record to check
		want     string // its Canonical
	}{
		{"febrl/dataset1.csv", "febrl", 1000, 0, "rec-223-org",
			`{"addresses":[{"city":"st james","country":"AU","kind":"home","line1":"6 tullaroop street","line2":"willaroo","postcode":"4011","region":"wa"}],"date_of_birth":"1908-12-09","documents":[{"country":"AU","kind":"ssn","number":"6988048"}],"name":{"family":"waller"},"observed_at":"2020-01-01T00:00:00Z","record_id":"rec-223-org","source":"febrl"}`},
		{"febrl/dataset2.csv", "febrl", 5000, 0, "", ""},
		// CRLF and no final newline: the last row must still come through.
		{"febrl/dataset4a.csv", "febrl", 5000, 0, "rec-66-org",
			`{"addresses":[{"city":"williamstown","country":"AU","kind":"home","line1":"3 mileham street","line2":"old airdmillan road","postcode":"2350","region":"nsw"}],"date_of_birth":"1944-07-18","documents":[{"country":"AU","kind":"ssn","number":"6375537"}],"name":{"family":"houweling","given":"koula"},"observed_at":"2020-01-01T00:00:00Z","record_id":"rec-66-org","source":"febrl"}`},
		{"febrl/dataset4b.csv", "febrl", 5000, 0, "", ""},
		{"febrl_dsgen/dedup-dsgen/dataset_C_10000.csv", "febrl_dsgen", 10000, 0, "29100",
			`{"addresses":[{"city":"kallangur","country":"AU","kind":"home","line1":"53 ashley drive","postcode":"6743","region":"wa"}],"age":"39","date_of_birth":"1906-06-16","documents":[{"country":"AU","kind":"ssn","number":"1782872"}],"name":{"family":"barlovic","given":"riley"},"observed_at":"2020-01-01T00:00:00Z","phones":["07 81212208"],"record_id":"29100","source":"febrl_dsgen"}`},
		{"splink/fake_1000.csv", "splink", 1000, 251, "2",
			`{"addresses":[{"city":"London"}],"date_of_birth":"1971-06-24","emails":["roberta25@smith.net"],"name":{"family":"Allen","given":"Rob"},"observed_at":"2020-01-01T00:00:00Z","record_id":"2","source":"splink"}`},
		{"splink/fake_20000.csv", "splink", 20000, 5727, "", ""},
		{"rldata/RLdata500.csv", "rldata", 500, 450, "", ""},
		{"rldata/RLdata10000.csv", "rldata", 10000, 9000, "1",
			`{"date_of_birth":"1967-09-27","name":{"family":"MUELLER","given":"FRANK"},"observed_at":"2020-01-01T00:00:00Z","record_id":"1","source":"rldata"}`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, _ := Preset(tc.preset)
			r, err := NewCSVReader(f, m)
			if err != nil {
				t.Fatal(err)
			}
			rows := 0
			entities := make(map[string]bool)
			found := tc.id == ""
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("row %d: %v", rows+1, err)
				}
				rows++
				truth := r.Truth()
				if tc.entities > 0 {
					if len(truth) != 1 || truth[0] == "" {
						t.Fatalf("record %s: truth %q", rec.RecordID, truth)
					}
					entities[truth[0]] = true
					for _, col := range r.TruthColumns() {
						if bytes.Contains(rec.Canonical, []byte(`"`+col+`"`)) {
							t.Fatalf("record %s: truth column %s leaked: %s", rec.RecordID, col, rec.Canonical)
						}
					}
				}
				if rec.RecordID == tc.id {
					found = true
					if string(rec.Canonical) != tc.want {
						t.Errorf("record %s:\n got %s\nwant %s", tc.id, rec.Canonical, tc.want)
					}
				}
			}
			if rows != tc.rows {
				t.Errorf("%d rows, want %d", rows, tc.rows)
			}
			if len(entities) != tc.entities {
				t.Errorf("%d entities, want %d", len(entities), tc.entities)
			}
			if !found {
				t.Errorf("record %s not found", tc.id)
			}
		})
	}
}

// FuzzCSVReader checks that no input panics the reader or makes it loop, and that every
// record it returns re-parses to the same Canonical.
func FuzzCSVReader(f *testing.F) {
	f.Add([]byte("id,given,family,email,truth\n1,Ann,Doe,a@b.c,7\n"))
	f.Add([]byte("\ufeffid, given ,family,email\r\n\"1\",\"A\"\"n\",Doe,a@b.c\r\n2,\"x\ny\",,,\n"))
	f.Add([]byte("id,given,family,email,truth\n1,\"Ann\"x,Doe\n\"\n"))
	f.Add([]byte("id,given,family,email,truth\n1,An\"n,Doe,a@b.c,7"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		m := testMapping()
		m.MaxRecordBytes = 256
		r, err := NewCSVReader(bytes.NewReader(data), m)
		if err != nil {
			return
		}
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more results than input lines")
			}
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var pe *ParseError
			if errors.As(err, &pe) {
				continue
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			again, err := Parse(rec.Canonical, 1)
			if err != nil || !bytes.Equal(again.Canonical, rec.Canonical) {
				t.Fatalf("canonical does not re-parse: %s: %v", rec.Canonical, err)
			}
		}
	})
}

// TestSchemaShapesCoverRecord keeps the CSV target table in step with Record: every
// schema v1 key Record decodes must be known to mappings (else an unmapped column of
// that name would slip into Parse as the real field), and every table entry must be a
// field Record decodes.
func TestSchemaShapesCoverRecord(t *testing.T) {
	rt := reflect.TypeFor[Record]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if !isSchemaKey(name) {
			t.Errorf("Record field %q missing from schemaShapes", name)
		}
	}
	for key := range schemaShapes {
		if (&Record{}).field(key) == nil {
			t.Errorf("schemaShapes has %q, which Record does not decode", key)
		}
	}
}
