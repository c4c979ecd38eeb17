package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fixtureLines returns the non-blank lines of a fixture population, the realistic input
// the parse benchmarks and the fuzz seeds use.
func fixtureLines(tb testing.TB, path string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, DefaultMaxLineBytes)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return lines
}

const (
	sampleFixture  = "../fixtures/sample/records.ndjson"
	t1SmallFixture = "../fixtures/t1-small/records.ndjson"
)

// trickyJSONSeeds are inputs where a hand-written scanner is most likely to part from
// encoding/json: escapes, surrogates, duplicate keys, number forms, nesting, the
// characters encoding/json escapes (U+2028, U+2029) and those it must not here (<, >, &).
var trickyJSONSeeds = []string{
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
	` {"record_id" : "a" , "source":"s",` + "\t\r\n" + `"observed_at":"2026-01-01T00:00:00Z"}  `,
	`{"record_id":"a\"b\\c\/d\b\f\n\r\t","source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":"\u0000\u001f\u007f\u0080\u00e9\u2028\u2029\ufffd"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":"` + "\u2028\u2029<>&\u007f" + `"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":"\ud83d\ude00 \ud83d \ude00 \ud83d\u0041 \udc00\ud800"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":"\uD83D\uDE00\uDBFF\uDFFF","na\u006de":"J\u00f6n"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":1,"x":2,"y":{"b":1,"a":2,"b":3}}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","emails":["a"],"emails":["b"]}`,
	`{"record_id":"a","record_id":"b","source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","n":[0,-0,1e5,1E+5,-1.5e-300,123456789012345678901234567890,1e999,0.000001,-12.50]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","n":{"z":[{"b":[[],{}],"a":null},true,false,null],"a":{}}}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":null,"interview":null,"emails":null,"ips":[null,"1.2.3.4",{"ip":"::1","at":"x"}]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","documents":[{"KIND":"passport","Number":"X1","country":"GB","extra":1}],"addresses":[]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","documents":[{"\u212aind":"passport","ſ":1}],"devices":[{"remote_tools":["anydesk",null]}]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":{"given":"A","given":"B","full":null}}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","interview":{"video":"on","video":"off"},"references":[{"name":"R","email":"r@x","phone":"1"}]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00+02:00","photo_hash":"c3a1","cv_text":"line\nline","employer":"e","persona_id":"p","event":"application","date_of_birth":"1990-01-01","nationality":"GB","phones":["1"],"profiles":["p"],"usernames":["u"],"payments":[{"kind":"iban","value":"v","holder":"h"}]}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","emails":"x"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","documents":[{"number":7}],"emails":[1]}`,
	`{"record_id":7}`,
	`{"record_id":" ","source":"s"}`,
	`{"record_id":"a\u0001","source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
	`{"source":"s","observed_at":"2026-01-01T00:00:00Z"}`,
	`{"record_id":"a","source":"s","observed_at":"yesterday"}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z"} x`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z",}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":01}`,
	`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","x":"\x"}`,
	"{\"record_id\":\"a\",\"source\":\"s\",\"observed_at\":\"2026-01-01T00:00:00Z\",\"x\":\"\xff\"}",
	"{\"record_id\":\"a\",\"source\":\"s\",\"observed_at\":\"2026-01-01T00:00:00Z\",\"x\":\"\t\"}",
	`null`, `[1,2]`, `"x"`, ``, `{}`, `{"record_id":"a"`,
}

func addParseSeeds(f *testing.F) {
	for _, s := range trickyJSONSeeds {
		f.Add([]byte(s))
	}
	for _, path := range []string{sampleFixture, t1SmallFixture} {
		for _, l := range fixtureLines(f, path) {
			f.Add(l)
		}
	}
}

// FuzzParseMatchesReference checks Parse against parseReference, the encoding/json
// implementation it replaced: the same record (Canonical byte for byte, every field,
// Extra), or the same error (line, record, field and text).
func FuzzParseMatchesReference(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		checkParseMatchesReference(t, b)
		// Most mutations of a whole line break it; spliced in as a field's value they
		// reach the typed decoding and the canonical form of valid records too.
		for _, key := range spliceKeys {
			line := make([]byte, 0, len(spliceHead)+len(key)+len(b)+4)
			line = append(append(append(append(line, spliceHead...), key...), `":`...), b...)
			checkParseMatchesReference(t, append(line, '}'))
		}
	})
}

const spliceHead = `{"record_id":"r","source":"s","observed_at":"2026-01-01T00:00:00Z","`

var spliceKeys = []string{"x", "name", "ips", "documents", "addresses", "devices", "interview", "emails", "cv_text"}

func TestParseMatchesReferenceOnSeeds(t *testing.T) {
	for _, s := range trickyJSONSeeds {
		checkParseMatchesReference(t, []byte(s))
	}
}

func checkParseMatchesReference(t *testing.T, b []byte) {
	t.Helper()
	got, gotErr := Parse(b, 7)
	want, wantErr := parseReference(b, 7)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("input %q:\n got %v\nwant %v", b, gotErr, wantErr)
	}
	if gotErr != nil {
		// The reference visits fields in map order, so with two bad fields it may name
		// either: accept any error it can give.
		for range 100 {
			if sameParseError(gotErr, wantErr) {
				return
			}
			_, wantErr = parseReference(b, 7)
		}
		t.Fatalf("input %q:\n got %#v (%v)\nwant %#v (%v)", b, gotErr, gotErr, wantErr, wantErr)
	}
	if !bytes.Equal(got.Canonical, want.Canonical) {
		t.Fatalf("input %q: canonical\n got %s\nwant %s", b, got.Canonical, want.Canonical)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("input %q: record\n got %#v\nwant %#v", b, got, want)
	}
	if len(got.Canonical) > 0 && len(b) > 0 && &got.Canonical[0] == &b[0] {
		t.Fatal("Canonical aliases the input")
	}
}

func sameParseError(a, b error) bool {
	var pa, pb *ParseError
	if !errors.As(a, &pa) || !errors.As(b, &pb) {
		return a.Error() == b.Error()
	}
	return pa.Line == pb.Line && pa.RecordID == pb.RecordID && pa.Field == pb.Field &&
		pa.Err.Error() == pb.Err.Error() && errors.Is(a, ErrMissing) == errors.Is(b, ErrMissing)
}

// BenchmarkParse is the CPU cost of one record of a generated T1 population:
//
//	go test ./ingest -run '^$' -bench 'BenchmarkParse$' -cpu 1 -count 5 -benchmem
func BenchmarkParse(b *testing.B) {
	benchmarkParse(b, Parse)
}

// BenchmarkParseReference is the encoding/json implementation Parse replaced, for
// comparison on the same machine and input.
func BenchmarkParseReference(b *testing.B) {
	benchmarkParse(b, parseReference)
}

func benchmarkParse(b *testing.B, parse func([]byte, int64) (*Record, error)) {
	lines := fixtureLines(b, t1SmallFixture)
	var size int
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		if _, err := parse(lines[i], int64(i+1)); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(lines) {
			i = 0
		}
	}
}

// reportCPU starts measuring process CPU time; the function it returns reports it per
// operation as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if cpu := processCPU() - start; cpu > 0 && b.N > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkIdentifiers is the CPU cost of normalising one parsed record of a generated T1
// population:
//
//	go test ./ingest -run '^$' -bench 'BenchmarkIdentifiers$' -cpu 1 -count 5 -benchmem
func BenchmarkIdentifiers(b *testing.B) {
	lines := fixtureLines(b, t1SmallFixture)
	recs := make([]*Record, len(lines))
	for i, l := range lines {
		rec, err := Parse(l, int64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = rec
	}
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		_ = Identifiers(recs[i])
		if i++; i == len(recs) {
			i = 0
		}
	}
}

// TestParseFastTakesFixtures checks that the fixture populations, which look like what
// producers send, take the fast path: falling back on them would be correct but slow.
func TestParseFastTakesFixtures(t *testing.T) {
	for _, path := range []string{sampleFixture, t1SmallFixture} {
		for i, l := range fixtureLines(t, path) {
			if parseFast(l) == nil {
				t.Errorf("%s:%d: not taken by the fast path: %s", path, i+1, l)
			}
		}
	}
}

// TestParseMatchesReferenceOnCorpus runs the differential check over every line of the
// NDJSON files named in PERSONAGRAPH_PARSE_CORPUS (colon-separated), e.g. a generated
// population:
//
//	PERSONAGRAPH_PARSE_CORPUS=/tmp/gen/records.ndjson go test ./ingest -run OnCorpus
func TestParseMatchesReferenceOnCorpus(t *testing.T) {
	paths := os.Getenv("PERSONAGRAPH_PARSE_CORPUS")
	if paths == "" {
		t.Skip("PERSONAGRAPH_PARSE_CORPUS not set")
	}
	for _, path := range filepath.SplitList(paths) {
		fast := 0
		lines := fixtureLines(t, path)
		for _, l := range lines {
			checkParseMatchesReference(t, l)
			if parseFast(l) != nil {
				fast++
			}
		}
		t.Logf("%s: %d lines match the reference, %d by the fast path", path, len(lines), fast)
	}
}
