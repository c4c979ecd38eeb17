package graph

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

// encodeIdentifiersV2 writes a list as stores did before version 3: every string spelled
// out.
func encodeIdentifiersV2(ids []ingest.Identifier, signals uint32) []byte {
	b := []byte{identCodecV2}
	b = binary.AppendUvarint(b, uint64(signals))
	return appendIdentifiersV2(b, ids)
}

// encodeIdentifiersV1 writes a list as stores did before version 2: no signals.
func encodeIdentifiersV1(ids []ingest.Identifier) []byte {
	return appendIdentifiersV2([]byte{identCodecV1}, ids)
}

func appendIdentifiersV2(b []byte, ids []ingest.Identifier) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		str(string(id.Kind))
		str(id.Value)
		str(id.Raw)
		if id.Valid {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(len(id.Flags)))
		for _, f := range id.Flags {
			str(f)
		}
	}
	return b
}

// sampleIdentifiers is a generated record's list (synth:r000000001 of the T1 population),
// with each of version 3's shortcuts: kinds and flags from identWords and one that is not,
// raw texts equal to the value and to the identifier before, hex values of several lengths,
// and an invalid identifier.
func sampleIdentifiers() []ingest.Identifier {
	name := "Jorge Torres"
	return []ingest.Identifier{
		{Kind: ingest.KindAccount, Value: "workday/workday:u720b2853", Raw: "workday:u720b2853", Valid: true},
		{Kind: ingest.KindAddress, Value: "US|37205|7391||way willow", Raw: "7391 Willow Way, Nashville, TN, 37205, US", Valid: true, Flags: []string{"home"}},
		{Kind: ingest.KindCVSketch, Value: "a8c088007a4f40361840e6c0bd00b980a900680027c01dba5580b8801fbc7e804b00b1027a80e800de49e6d17f80a0c090806f80e60034000240cf401d80b5c0cdc06ec0afc0e72350802c80c638bc40b90069c02340ab80324042007f409040515c82005c3bbb800440f5a93c40fc001940743ba4c08fc04880a23554809beb", Valid: true},
		{Kind: ingest.KindDevice, Value: "6c06aa107efdaff9d43101e58ed88007", Raw: "6c06aa107efdaff9d43101e58ed88007", Valid: true},
		{Kind: ingest.KindEmail, Value: "jorge_torres@gmail.com", Raw: "jorge_torres@gmail.com", Valid: true, Flags: []string{ingest.FlagFreeProvider}},
		{Kind: ingest.KindIP, Value: "107.77.254.28", Raw: "107.77.254.28", Valid: true},
		{Kind: ingest.KindIPPrefix, Value: "107.77.254.0/24", Raw: "107.77.254.28", Valid: true},
		{Kind: ingest.KindNameKey, Value: "dm:ARK|TRS", Raw: name, Valid: true, Flags: []string{ingest.FlagPhonetic}},
		{Kind: ingest.KindNameKey, Value: "dm:JRJ|TRS", Raw: name, Valid: true, Flags: []string{ingest.FlagPhonetic}},
		{Kind: ingest.KindNameKey, Value: "jorge torres", Raw: name, Valid: true},
		{Kind: ingest.KindPhone, Value: "+16156274501", Raw: "(615) 627-4501", Valid: true, Flags: []string{ingest.FlagFixedLine, ingest.FlagMobile}},
		{Kind: ingest.KindPhone, Value: "+447911123456", Valid: false, Flags: []string{ingest.FlagInvalid, "x\x00y"}},
		{Kind: ingest.KindPhoto, Value: "851e84072278ca8b", Raw: "851e84072278ca8b", Valid: true},
		{Kind: "future_kind", Value: "00ff", Raw: "", Valid: true},
		{Kind: ingest.KindDocument, Value: "0123456789abcdef01", Raw: "0123456789ABCDEF01", Valid: true},
		{Kind: ingest.KindProfile, Value: "github:jorgetorres", Raw: "https://github.com/jorgetorres", Valid: true},
	}
}

func TestIdentifierCodecRoundTrip(t *testing.T) {
	ids := sampleIdentifiers()
	b := encodeIdentifiers(ids, 0x80000005)
	if b[0] != identCodecVersion {
		t.Fatalf("version %d", b[0])
	}
	got, err := decodeIdentifiers(b)
	if err != nil || !reflect.DeepEqual(got, ids) {
		t.Fatalf("round trip:\n got %+v, %v\nwant %+v", got, err, ids)
	}
	var pairs []string
	if err := eachIdentifier(b, func(k, v []byte) error { pairs = append(pairs, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if want := string(id.Kind) + "=" + id.Value; i >= len(pairs) || pairs[i] != want {
			t.Fatalf("eachIdentifier %d: %v, want %s", i, pairs, want)
		}
	}
	if _, sig, has, err := decodeIdentifierList(b); err != nil || !has || sig != 0x80000005 {
		t.Fatalf("signals: %#x, %v, %v", sig, has, err)
	}
	// Version 3 is shorter than version 2 by its shortcuts.
	if v2 := encodeIdentifiersV2(ids, 0x80000005); len(b) >= len(v2)*3/4 {
		t.Fatalf("version 3 is %d bytes, version 2 %d", len(b), len(v2))
	}
	// Versions 2 and 1 (older stores) decode to the same identifiers, 1 without signals.
	if got, sig, has, err := decodeIdentifierList(encodeIdentifiersV2(ids, 7)); err != nil || !has || sig != 7 || !reflect.DeepEqual(got, ids) {
		t.Fatalf("version 2: %+v, %#x, %v, %v", got, sig, has, err)
	}
	v1 := encodeIdentifiersV1(ids)
	if got, sig, has, err := decodeIdentifierList(v1); err != nil || has || sig != 0 || !reflect.DeepEqual(got, ids) {
		t.Fatalf("version 1: %+v, %#x, %v, %v", got, sig, has, err)
	}
	n := 0
	if err := eachIdentifier(v1, func(k, v []byte) error { n++; return nil }); err != nil || n != len(ids) {
		t.Fatalf("eachIdentifier on version 1: %d, %v", n, err)
	}
	// Every truncation is an error, never a panic or a short list passed off as whole.
	for _, enc := range [][]byte{b, v1} {
		for i := range len(enc) {
			if _, err := decodeIdentifiers(enc[:i]); err == nil {
				t.Fatalf("version %d truncated at %d decoded without error", enc[0], i)
			}
			if err := eachIdentifier(enc[:i], func(k, v []byte) error { return nil }); err == nil {
				t.Fatalf("version %d truncated at %d walked without error", enc[0], i)
			}
		}
	}
}

// The codes of identWords are part of the stored format: a word keeps its code forever,
// and the table holds no word twice.
func TestIdentWordCodes(t *testing.T) {
	for code, w := range map[byte]string{1: "email", 13: "name_key", 16: "cv_sketch", 18: "phonetic", 24: "home", 47: "mobile"} {
		if identWords[code-1] != w || identWordCodes[w] != code {
			t.Errorf("code %d: %q, %q has %d", code, identWords[code-1], w, identWordCodes[w])
		}
	}
	if len(identWordCodes) != len(identWords) || len(identWords) > 255 {
		t.Fatalf("%d words, %d codes", len(identWords), len(identWordCodes))
	}
	// Every kind and flag ingest writes has a code.
	for _, w := range []string{string(ingest.KindEmail), string(ingest.KindPhone), string(ingest.KindAddress),
		string(ingest.KindPostcode), string(ingest.KindPayment), string(ingest.KindDevice), string(ingest.KindIP),
		string(ingest.KindIPPrefix), string(ingest.KindProfile), string(ingest.KindUsername), string(ingest.KindDocument),
		string(ingest.KindPhoto), string(ingest.KindNameKey), string(ingest.KindDOB), string(ingest.KindAccount),
		string(ingest.KindCVSketch), ingest.FlagPhonetic, ingest.FlagFreeProvider, ingest.FlagInvalid, ingest.FlagFromCV,
		ingest.FlagMoneyService, ingest.FlagVoIP, ingest.FlagRemoteTool, ingest.FlagAddressPOBox, ingest.FlagCGNAT} {
		if identWordCodes[w] == 0 {
			t.Errorf("%q has no code", w)
		}
	}
}

// Corrupt version-3 lists are errors: unknown head bits, both raw references, a word code
// past the table, and a flag count larger than the bytes left.
func TestIdentifierCodecCorrupt(t *testing.T) {
	one := encodeIdentifiers([]ingest.Identifier{{Kind: ingest.KindEmail, Value: "a@b.c", Raw: "A@b.c", Valid: true, Flags: []string{"free_provider"}}}, 0)
	// one is: version, signals, count, head, kind code, value, raw, flag count, flag code.
	const headAt, kindAt = 3, 4
	flagCountAt := len(one) - 2
	for name, mutate := range map[string]func(b []byte){
		"head bit":        func(b []byte) { b[headAt] |= 1 << 6 },
		"both raw refs":   func(b []byte) { b[headAt] |= identRawValue | identRawPrev },
		"kind code":       func(b []byte) { b[kindAt] = byte(len(identWords) + 1) },
		"flag count":      func(b []byte) { b[flagCountAt] = 100 },
		"version 4":       func(b []byte) { b[0] = identCodecVersion + 1 },
		"identifier kept": func(b []byte) { b[2] = 2 },
	} {
		b := append([]byte(nil), one...)
		mutate(b)
		if _, err := decodeIdentifiers(b); err == nil {
			t.Errorf("%s: decoded %q", name, b)
		}
		if err := eachIdentifier(b, func(k, v []byte) error { return nil }); err == nil {
			t.Errorf("%s: walked %q", name, b)
		}
	}
	if _, err := decodeIdentifiers(one); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecodeIdentifiers(f *testing.F) {
	f.Add(encodeIdentifiers([]ingest.Identifier{{Kind: "email", Value: "a@b.c", Valid: true, Flags: []string{"x"}}}, 3))
	f.Add(encodeIdentifiers(sampleIdentifiers(), 9))
	f.Add(encodeIdentifiersV2(sampleIdentifiers()[:3], 1))
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, sig, _, err := decodeIdentifierList(b)
		walked := 0
		werr := eachIdentifier(b, func(k, v []byte) error {
			if walked < len(ids) && (string(k) != string(ids[walked].Kind) || string(v) != ids[walked].Value) {
				t.Fatalf("eachIdentifier %d: %s=%s, decoded %+v", walked, k, v, ids[walked])
			}
			walked++
			return nil
		})
		if err != nil {
			return
		}
		if werr != nil || walked != len(ids) {
			t.Fatalf("decoded %d identifiers, walked %d: %v", len(ids), walked, werr)
		}
		again, sig2, has, err := decodeIdentifierList(encodeIdentifiers(ids, sig))
		if err != nil || !has || sig2 != sig || !reflect.DeepEqual(again, ids) {
			t.Fatalf("re-encode differs: %v", err)
		}
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
	benchmarkDecode(b, encodeIdentifiers(ids, 7))
}

// BenchmarkDecodeSample decodes sampleIdentifiers in version 3 and, for comparison, in
// version 2.
func BenchmarkDecodeSample(b *testing.B) {
	b.Run("v3", func(b *testing.B) { benchmarkDecode(b, encodeIdentifiers(sampleIdentifiers(), 7)) })
	b.Run("v2", func(b *testing.B) { benchmarkDecode(b, encodeIdentifiersV2(sampleIdentifiers(), 7)) })
}

func benchmarkDecode(b *testing.B, enc []byte) {
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := decodeIdentifierList(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEachIdentifierSample walks sampleIdentifiers, as a full run's feature loading
// does (with one buffer for hex values across lists).
func BenchmarkEachIdentifierSample(b *testing.B) {
	for _, v := range []struct {
		name string
		enc  []byte
	}{{"v3", encodeIdentifiers(sampleIdentifiers(), 7)}, {"v2", encodeIdentifiersV2(sampleIdentifiers(), 7)}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			var scratch []byte
			for b.Loop() {
				if err := walkIdentifiers(v.enc, &scratch, func(k, val []byte) error { n += len(val); return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "value-bytes/op")
		})
	}
}
