package graph

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

func TestIdentifierCodecRoundTrip(t *testing.T) {
	ids := []ingest.Identifier{
		{Kind: ingest.KindEmail, Value: "ann@example.com", Raw: "Ann@Example.com", Valid: true, Flags: []string{"free_provider"}},
		{Kind: ingest.KindPhone, Value: "+447911123456", Valid: false, Flags: []string{"invalid", "x\x00y"}},
		{Kind: ingest.KindNameKey, Value: "ann lee", Valid: true},
	}
	b := encodeIdentifiers(ids, 0x80000005)
	got, err := decodeIdentifiers(b)
	if err != nil || !reflect.DeepEqual(got, ids) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	var kinds []string
	if err := eachIdentifier(b, func(k, v []byte) error { kinds = append(kinds, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 3 || kinds[1] != "phone=+447911123456" {
		t.Fatalf("eachIdentifier: %v", kinds)
	}
	if _, sig, has, err := decodeIdentifierList(b); err != nil || !has || sig != 0x80000005 {
		t.Fatalf("signals: %#x, %v, %v", sig, has, err)
	}
	// A version-1 list (older stores) has no signals and the same identifiers.
	v2 := encodeIdentifiers(ids, 0)
	v1 := append([]byte{identCodecV1}, v2[2:]...)
	if got, sig, has, err := decodeIdentifierList(v1); err != nil || has || sig != 0 || !reflect.DeepEqual(got, ids) {
		t.Fatalf("version 1: %+v, %#x, %v, %v", got, sig, has, err)
	}
	n := 0
	if err := eachIdentifier(v1, func(k, v []byte) error { n++; return nil }); err != nil || n != len(ids) {
		t.Fatalf("eachIdentifier on version 1: %d, %v", n, err)
	}
	// Every truncation is an error, never a panic or a short list passed off as whole.
	for i := range len(b) {
		if _, err := decodeIdentifiers(b[:i]); err == nil {
			t.Fatalf("truncated at %d decoded without error", i)
		}
	}
}

func FuzzDecodeIdentifiers(f *testing.F) {
	f.Add(encodeIdentifiers([]ingest.Identifier{{Kind: "email", Value: "a@b.c", Valid: true, Flags: []string{"x"}}}, 3))
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, sig, _, err := decodeIdentifierList(b)
		if err != nil {
			return
		}
		again, sig2, has, err := decodeIdentifierList(encodeIdentifiers(ids, sig))
		if err != nil || !has || sig2 != sig || !reflect.DeepEqual(again, ids) {
			t.Fatalf("re-encode differs: %v", err)
		}
		_ = eachIdentifier(b, func(k, v []byte) error { return nil })
	})
}

// BenchmarkDecodeIdentifiers decodes a list the size of a generated record's (about
// forty identifiers), as reading one neighbour's state does.
func BenchmarkDecodeIdentifiers(b *testing.B) {
	var ids []ingest.Identifier
	for i := range 40 {
		ids = append(ids, ingest.Identifier{Kind: ingest.KindEmail, Value: fmt.Sprintf("value-%02d@example.com", i),
			Raw: fmt.Sprintf("Value-%02d@Example.com", i), Valid: true, Flags: []string{"free_provider"}})
	}
	enc := encodeIdentifiers(ids, 7)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := decodeIdentifierList(enc); err != nil {
			b.Fatal(err)
		}
	}
}
