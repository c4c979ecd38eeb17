package graph

import (
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
	b := encodeIdentifiers(ids)
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
	// Every truncation is an error, never a panic or a short list passed off as whole.
	for i := range len(b) {
		if _, err := decodeIdentifiers(b[:i]); err == nil {
			t.Fatalf("truncated at %d decoded without error", i)
		}
	}
}

func FuzzDecodeIdentifiers(f *testing.F) {
	f.Add(encodeIdentifiers([]ingest.Identifier{{Kind: "email", Value: "a@b.c", Valid: true, Flags: []string{"x"}}}))
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := decodeIdentifiers(b)
		if err != nil {
			return
		}
		if again, err := decodeIdentifiers(encodeIdentifiers(ids)); err != nil || !reflect.DeepEqual(again, ids) {
			t.Fatalf("re-encode differs: %v", err)
		}
		_ = eachIdentifier(b, func(k, v []byte) error { return nil })
	})
}
