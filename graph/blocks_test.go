package graph

import (
	"encoding/binary"
	"slices"
	"testing"
)

// Blocking posting keys and 'Y' values decode to what was encoded, for any sort string
// and record id, and no input makes the decoders panic.
func FuzzBlockKeys(f *testing.F) {
	f.Add("ann lee", "upwork:app:1", uint64(7), []byte{})
	f.Add("", "x", uint64(0), []byte{0xff, 0x01})
	f.Add("a\x00b", "id\x00", uint64(1<<63), []byte{3, 'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, sort, id string, key uint64, raw []byte) {
		// Arbitrary bytes never panic the decoders.
		parseBlockKey(raw)
		parseRecBlocks(raw)
		s := blockSort(sort)
		k := blockKey(key, s, id)
		got, ok := parseBlockKey(k)
		if !ok || string(got) != id {
			t.Fatalf("key of %q/%q decodes to %q, %v", s, id, got, ok)
		}
		if binary.BigEndian.Uint64(k[1:9]) != key {
			t.Fatalf("key %x lost its blocking key %d", k, key)
		}
		keys := []uint64{key, key ^ 1}
		gotSort, list, ok := parseRecBlocks(encodeRecBlocks(s, keys))
		if !ok || gotSort != s || len(list) != 16 {
			t.Fatalf("record blocks of %q: %q, %d bytes, %v", s, gotSort, len(list), ok)
		}
		var back []uint64
		for i := 0; i < len(list); i += 8 {
			back = append(back, binary.BigEndian.Uint64(list[i:]))
		}
		if !slices.Equal(back, keys) {
			t.Fatalf("keys %v decode to %v", keys, back)
		}
	})
}
