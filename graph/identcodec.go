package graph

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/personagraph/personagraph/ingest"
)

// A record's current identifiers are stored as one value under 'X' id, not one key each:
// a record has around forty identifiers, and one key apiece doubled the keys Badger had to
// write and compact. The encoding is
//
//	version(1) uvarint(signals) uvarint(count) { str(kind) str(value) str(raw) valid(1) uvarint(nflags) { str(flag) } }
//
// where str is uvarint(len) followed by the bytes and signals is the record's signal bits,
// as in its record key. They are here too so that linking reads what it needs of a record
// (RecordStates) without the record key: a check at 1M records reads the states of about
// forty records at random places, and each key is a Badger lookup of several microseconds.
// Version 1, which stores written before 2026-11-26 hold, has no signals; it is read as
// before, and the signals then come from the record key.
const (
	identCodecV1      = 1
	identCodecVersion = 2
)

var errCorruptIdentifiers = errors.New("graph: corrupt identifier list")

// posted reports whether identifiers of a kind get postings. Names, birthdays and CV
// sketches are stored with the record but not posted: they identify nobody on their own,
// the engine compares them from the record's list, and a common name's posting list would
// be huge.
func posted(k ingest.Kind) bool {
	return k != ingest.KindNameKey && k != ingest.KindDOB && k != ingest.KindCVSketch
}

func encodeIdentifiers(ids []ingest.Identifier, signals uint32) []byte {
	n := 2 + binary.MaxVarintLen32
	for _, id := range ids {
		n += len(id.Kind) + len(id.Value) + len(id.Raw) + 8
		for _, f := range id.Flags {
			n += len(f) + 1
		}
	}
	b := make([]byte, 0, n)
	b = append(b, identCodecVersion)
	b = binary.AppendUvarint(b, uint64(signals))
	b = binary.AppendUvarint(b, uint64(len(ids)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
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

// identDecoder walks an encoded list without allocating for the parts a caller skips.
type identDecoder struct {
	b   []byte
	err error
}

func (d *identDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorruptIdentifiers
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *identDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errCorruptIdentifiers
		d.b = nil
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

// identHeader reads the version and, in version 2, the signals of an encoded list and
// returns a decoder at its count; hasSignals is false for version 1.
func identHeader(b []byte) (d identDecoder, signals uint32, hasSignals bool, err error) {
	if len(b) == 0 || (b[0] != identCodecVersion && b[0] != identCodecV1) {
		return d, 0, false, fmt.Errorf("%w: version %v", errCorruptIdentifiers, b[:min(1, len(b))])
	}
	d = identDecoder{b: b[1:]}
	if b[0] == identCodecV1 {
		return d, 0, false, nil
	}
	sig := d.uvarint()
	if d.err != nil || sig > 1<<32-1 {
		return d, 0, false, errCorruptIdentifiers
	}
	return d, uint32(sig), true, nil
}

// eachIdentifier calls fn with the kind and value of every identifier in an encoded list,
// without copying them: the slices are valid only during the call.
func eachIdentifier(b []byte, fn func(kind, value []byte) error) error {
	d, _, _, err := identHeader(b)
	if err != nil {
		return err
	}
	count := d.uvarint()
	for range count {
		kind, value := d.bytes(), d.bytes()
		d.bytes() // raw
		if len(d.b) == 0 {
			return errCorruptIdentifiers
		}
		d.b = d.b[1:] // valid
		for range d.uvarint() {
			d.bytes()
		}
		if d.err != nil {
			return d.err
		}
		if err := fn(kind, value); err != nil {
			return err
		}
	}
	return d.err
}

func decodeIdentifiers(b []byte) ([]ingest.Identifier, error) {
	ids, _, _, err := decodeIdentifierList(b)
	return ids, err
}

// decodeIdentifierList decodes an encoded list with its signals; hasSignals is false for
// a version-1 list, which has none.
func decodeIdentifierList(b []byte) (ids []ingest.Identifier, signals uint32, hasSignals bool, err error) {
	d, signals, hasSignals, err := identHeader(b)
	if err != nil {
		return nil, 0, false, err
	}
	ids, err = d.identifiers(len(b))
	return ids, signals, hasSignals, err
}

// identifiers decodes the count and identifiers that follow a list's header; n bounds the
// count (the encoded length).
//
// The strings of all identifiers share one copy of the encoded list: linking one record
// decodes the lists of a hundred or more neighbours, and a string apiece (kind, value,
// raw, flags) made 201 allocations for a forty-identifier list against 9 this way
// (BenchmarkDecodeIdentifiers). Its time moved within the benchmark's noise (7.9 to
// 9.6 µs before, 7.9 to 8.9 after, mostly garbage collection of the identifier slice),
// so the gain is the allocator's work in a process that decodes thousands of lists a
// second. A decoded identifier keeps the whole list's bytes alive, as its holder (a
// RecordState) does anyway.
func (d *identDecoder) identifiers(n int) ([]ingest.Identifier, error) {
	count := d.uvarint()
	if count > uint64(n) {
		return nil, errCorruptIdentifiers
	}
	base := d.b
	copied := string(base)
	// str returns p, a slice of base (or nil after an error), as the same bytes of copied.
	str := func(p []byte) string {
		if len(p) == 0 {
			return ""
		}
		off := cap(base) - cap(p)
		return copied[off : off+len(p)]
	}
	ids := make([]ingest.Identifier, 0, count)
	var flags []string
	for range count {
		kind, value, raw := d.bytes(), d.bytes(), d.bytes()
		if d.err != nil || len(d.b) == 0 {
			return nil, errCorruptIdentifiers
		}
		id := ingest.Identifier{Kind: ingest.Kind(str(kind)), Value: str(value), Raw: str(raw), Valid: d.b[0] == 1}
		d.b = d.b[1:]
		nf := d.uvarint()
		if nf > uint64(len(d.b)) {
			return nil, errCorruptIdentifiers
		}
		if nf > 0 {
			// The flags of every identifier share one slice too; each gets its part,
			// capped so that appending to one cannot overwrite the next's.
			start := len(flags)
			for range nf {
				flags = append(flags, str(d.bytes()))
			}
			id.Flags = flags[start:len(flags):len(flags)]
		}
		if d.err != nil {
			return nil, d.err
		}
		ids = append(ids, id)
	}
	return ids, d.err
}
