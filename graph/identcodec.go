package graph

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// A record's current identifiers are stored as one value under 'X' id, not one key each:
// a record has around forty identifiers, and one key apiece doubled the keys Badger had to
// write and compact. The encoding (version 3) is
//
//	version(1) uvarint(signals) uvarint(count) { head(1) word(kind) value [str(raw)] [uvarint(nflags) { word(flag) }] }
//
// where str is uvarint(len) followed by the bytes, word is a one-byte code from
// identWords or 0 followed by str, and signals is the record's signal bits, as in its
// record key. The head's bits (identValid and the rest) say whether the raw text is stored
// or repeats the value or the previous identifier's raw text, whether flags follow, and
// whether the value is lowercase hex stored as its bytes (str of the bytes) rather than
// as text (str of the text).
//
// The signals are here so that linking reads what it needs of a record (RecordStates)
// without the record key: a check at 1M records reads the states of about forty records
// at random places, and each key is a Badger lookup of several microseconds.
//
// Version 3 (2026-11-26) writes what version 2 spelled out each time more briefly: kind
// and flag names, a raw text equal to the value (device ids, e-mails, IPs, photo hashes)
// or to the identifier before it (a name's five keys), and hex values (the CV sketch,
// device ids) as bytes. A generated record's list shrank from 859 to 466 bytes on average
// (T1, 1M records; the lists had been 23% of the store's bytes before Badger's
// compression), and the whole 1M store after ingest and clustering from 2,349 to 2,173 MiB.
// Speed (checks, full runs, HTTP ingest) moved within the host's noise (benchmarks/
// RESULTS.md, session 9). Decoding costs what version 2's did (BenchmarkDecodeSample:
// 2.0-2.1 µs and 6 allocations against 1.9-2.1 µs and 6) once the hex values are spelled
// out into the list's one string (hexValues); a string apiece made it 2.7-2.9 µs and 11.
//
// Version 2 is version 3's layout without head and words: { str(kind) str(value) str(raw)
// valid(1) uvarint(nflags) { str(flag) } }. Version 1, which stores written before
// 2026-11-26 hold, is version 2 without the signals, which then come from the record key.
// Both are read as before; a record's list is rewritten in version 3 with its next version.
const (
	identCodecV1      = 1
	identCodecV2      = 2
	identCodecVersion = 3
)

// Bits of a version-3 identifier's head byte.
const (
	identValid    = 1 << iota
	identRawValue // the raw text is the value; not stored
	identRawPrev  // the raw text is the previous identifier's; not stored
	identHasFlags // a flag count and flags follow
	identHexValue // the value is lowercase hex, stored as the bytes it spells
)

// identWords are the kinds and flags a version-3 list writes as one byte: the code of
// identWords[i] is i+1. Append only: stored lists mean their codes by this order.
var identWords = [...]string{
	// Kinds.
	"email", "phone", "address", "postcode", "payment", "device", "ip", "ip_prefix",
	"profile", "username", "document", "photo", "name_key", "dob", "account",
	"cv_sketch", "cv_shingle_band",
	// Flags.
	"phonetic", "free_provider", "disposable", "mixed_script", "invalid", "from_cv",
	"home", "shipping", "billing", "mailing", "work", "po_box", "remote_tool",
	"risk_timezone", "korean_language", "partial", "month_first", "private", "cgnat",
	"reserved", "loopback", "link_local", "documentation", "bank", "money_service",
	"crypto", "unchecked", "from_iban", "third_party", "mobile", "fixed_line", "voip",
	"toll_free", "premium", "personal_number", "shared_cost", "pager", "uan",
}

// identWordCodes maps identWords to their codes; identWordBytes holds them as byte
// slices for walkIdentifiers. Both are read only.
var (
	identWordCodes = func() map[string]byte {
		m := make(map[string]byte, len(identWords))
		for i, w := range identWords {
			m[w] = byte(i + 1)
		}
		return m
	}()
	identWordBytes = func() [][]byte {
		b := make([][]byte, len(identWords))
		for i, w := range identWords {
			b[i] = []byte(w)
		}
		return b
	}()
)

// minHexValue is the shortest value stored as bytes when it is lowercase hex: a photo
// hash (16 digits) and longer.
const minHexValue = 16

func isLowerHex(s string) bool {
	if len(s) < minHexValue || len(s)%2 != 0 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

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
	word := func(s string) {
		if c, ok := identWordCodes[s]; ok {
			b = append(b, c)
			return
		}
		b = append(b, 0)
		str(s)
	}
	prevRaw := ""
	for i, id := range ids {
		var head byte
		if id.Valid {
			head |= identValid
		}
		switch {
		case id.Raw == id.Value:
			head |= identRawValue
		case i > 0 && id.Raw == prevRaw:
			head |= identRawPrev
		}
		if len(id.Flags) > 0 {
			head |= identHasFlags
		}
		hexValue := isLowerHex(id.Value)
		if hexValue {
			head |= identHexValue
		}
		b = append(b, head)
		word(string(id.Kind))
		if hexValue {
			b = binary.AppendUvarint(b, uint64(len(id.Value)/2))
			for j := 0; j < len(id.Value); j += 2 {
				b = append(b, unhex(id.Value[j])<<4|unhex(id.Value[j+1]))
			}
		} else {
			str(id.Value)
		}
		if head&(identRawValue|identRawPrev) == 0 {
			str(id.Raw)
		}
		if head&identHasFlags != 0 {
			b = binary.AppendUvarint(b, uint64(len(id.Flags)))
			for _, f := range id.Flags {
				word(f)
			}
		}
		prevRaw = id.Raw
	}
	return b
}

// unhex is the value of a lowercase hex digit.
func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// identDecoder walks an encoded list without allocating for the parts a caller skips.
type identDecoder struct {
	b       []byte
	err     error
	version byte
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

func (d *identDecoder) byte() byte {
	if len(d.b) == 0 {
		d.err = errCorruptIdentifiers
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads a count of items that take at least a byte each, so that a corrupt count
// cannot make a caller loop for long.
func (d *identDecoder) count() uint64 {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err = errCorruptIdentifiers
		d.b = nil
		return 0
	}
	return n
}

// word reads a version-3 word: its code (0 for one written out) and, for code 0, the
// word itself.
func (d *identDecoder) word() (code byte, lit []byte) {
	code = d.byte()
	switch {
	case d.err != nil:
		return 0, nil
	case code == 0:
		return 0, d.bytes()
	case int(code) > len(identWords):
		d.err = errCorruptIdentifiers
		d.b = nil
		return 0, nil
	}
	return code, nil
}

// head reads a version-3 identifier's head byte; unknown bits make the list corrupt.
func (d *identDecoder) head() byte {
	h := d.byte()
	if h >= identHexValue<<1 || h&(identRawValue|identRawPrev) == identRawValue|identRawPrev {
		d.err = errCorruptIdentifiers
		d.b = nil
	}
	return h
}

// ident3 is one version-3 identifier as read by next3: its head, kind (a code, or 0 and
// the word written out), value bytes as stored and, when stored, raw bytes.
type ident3 struct {
	head, kindCode byte
	kindLit        []byte
	value, raw     []byte
}

// next3 reads a version-3 identifier up to its flags, which skipFlags3 skips or the
// caller reads.
func (d *identDecoder) next3() (x ident3) {
	x.head = d.head()
	x.kindCode, x.kindLit = d.word()
	x.value = d.bytes()
	if x.head&(identRawValue|identRawPrev) == 0 {
		x.raw = d.bytes()
	}
	return x
}

// skipFlags3 skips the flags of the identifier next3 read; head is its head.
func (d *identDecoder) skipFlags3(head byte) {
	if head&identHasFlags != 0 {
		for range d.count() {
			d.word()
		}
	}
}

// identHeader reads the version and, from version 2 on, the signals of an encoded list
// and returns a decoder at its count; hasSignals is false for version 1.
func identHeader(b []byte) (d identDecoder, signals uint32, hasSignals bool, err error) {
	if len(b) == 0 || b[0] < identCodecV1 || b[0] > identCodecVersion {
		return d, 0, false, fmt.Errorf("%w: version %v", errCorruptIdentifiers, b[:min(1, len(b))])
	}
	d = identDecoder{b: b[1:], version: b[0]}
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
	var scratch []byte
	return walkIdentifiers(b, &scratch, fn)
}

// walkIdentifiers is eachIdentifier with a buffer for spelling out hex values, kept by a
// caller that walks many lists (a full run walks a million, each with a CV sketch).
func walkIdentifiers(b []byte, hexBuf *[]byte, fn func(kind, value []byte) error) error {
	d, _, _, err := identHeader(b)
	if err != nil {
		return err
	}
	count := d.count()
	for range count {
		var kind, value []byte
		if d.version < identCodecVersion {
			kind, value = d.bytes(), d.bytes()
			d.bytes() // raw
			d.byte()  // valid
			for range d.count() {
				d.bytes()
			}
		} else {
			x := d.next3()
			d.skipFlags3(x.head)
			kind, value = x.kindLit, x.value
			if x.kindCode > 0 {
				kind = identWordBytes[x.kindCode-1]
			}
			if x.head&identHexValue != 0 {
				*hexBuf = hex.AppendEncode((*hexBuf)[:0], value)
				value = *hexBuf
			}
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
	ids, err = d.identifiers()
	return ids, signals, hasSignals, err
}

// hexValues appends the text of the hex values of the count identifiers ahead of d to
// dst. It reads a copy of the decoder and stops at a fault, which the caller's own
// reading then finds.
func (d identDecoder) hexValues(dst []byte, count uint64) []byte {
	for range count {
		x := d.next3()
		d.skipFlags3(x.head)
		if d.err != nil {
			break
		}
		if x.head&identHexValue != 0 {
			dst = hex.AppendEncode(dst, x.value)
		}
	}
	return dst
}

// identifiers decodes the count and identifiers that follow a list's header.
//
// The strings of all identifiers share one copy of the encoded list: linking one record
// decodes the lists of a hundred or more neighbours, and a string apiece (kind, value,
// raw, flags) made 201 allocations for a forty-identifier list against 9 this way
// (BenchmarkDecodeIdentifiers). Its time moved within the benchmark's noise (7.9 to
// 9.6 µs before, 7.9 to 8.9 after, mostly garbage collection of the identifier slice),
// so the gain is the allocator's work in a process that decodes thousands of lists a
// second. A decoded identifier keeps the whole list's bytes alive, as its holder (a
// RecordState) does anyway. Kinds and flags written as codes are identWords' strings, and
// hex values spelled out again share that copy too (hexValues).
func (d *identDecoder) identifiers() ([]ingest.Identifier, error) {
	count := d.count()
	base := d.b
	// A version-3 list's hex values are spelled out first and put in the same string as
	// the list's bytes, after them, in list order: one allocation for every string.
	var hexText []byte
	if d.version >= identCodecVersion {
		var buf [512]byte // a CV sketch, a device id and a photo hash take 304
		hexText = d.hexValues(buf[:0], count)
	}
	var sb strings.Builder
	sb.Grow(len(base) + len(hexText))
	sb.Write(base)
	sb.Write(hexText)
	copied := sb.String()
	hexAt := len(base) // where the next hex value's text starts in copied
	// str returns p, a slice of base (or nil after an error), as the same bytes of copied.
	str := func(p []byte) string {
		if len(p) == 0 {
			return ""
		}
		off := cap(base) - cap(p)
		return copied[off : off+len(p)]
	}
	word := func(code byte, lit []byte) string {
		if code > 0 {
			return identWords[code-1]
		}
		return str(lit)
	}
	ids := make([]ingest.Identifier, 0, count)
	var flags []string
	prevRaw := ""
	for range count {
		var id ingest.Identifier
		var nf uint64
		if d.version < identCodecVersion {
			kind, value, raw := d.bytes(), d.bytes(), d.bytes()
			id = ingest.Identifier{Kind: ingest.Kind(str(kind)), Value: str(value), Raw: str(raw), Valid: d.byte() == 1}
			nf = d.count()
			if d.err != nil {
				return nil, d.err
			}
			for range nf {
				flags = append(flags, str(d.bytes()))
			}
		} else {
			x := d.next3()
			if x.head&identHasFlags != 0 {
				nf = d.count()
				for range nf {
					flags = append(flags, word(d.word()))
				}
			}
			if d.err != nil {
				return nil, d.err
			}
			id.Valid = x.head&identValid != 0
			id.Kind = ingest.Kind(word(x.kindCode, x.kindLit))
			switch n := 2 * len(x.value); {
			case x.head&identHexValue == 0:
				id.Value = str(x.value)
			case hexAt+n <= len(copied):
				id.Value = copied[hexAt : hexAt+n]
				hexAt += n
			default: // not reached: hexValues read what this loop reads, up to the same fault
				return nil, errCorruptIdentifiers
			}
			switch {
			case x.head&identRawValue != 0:
				id.Raw = id.Value
			case x.head&identRawPrev != 0:
				id.Raw = prevRaw
			default:
				id.Raw = str(x.raw)
			}
		}
		if d.err != nil {
			return nil, d.err
		}
		if nf > 0 {
			// The flags of every identifier share one slice; each gets its part, capped
			// so that appending to one cannot overwrite the next's.
			id.Flags = flags[len(flags)-int(nf) : len(flags) : len(flags)]
		}
		prevRaw = id.Raw
		ids = append(ids, id)
	}
	return ids, d.err
}
