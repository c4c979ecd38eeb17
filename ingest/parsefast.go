package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// parseFast decodes a line in one pass over its bytes, plus a second over the values of
// the schema's fields, where Parse used to make four: encoding/json into a map of raw
// values, again into each typed field, again into `any` and an encoder for the canonical
// form. It only ever says yes or "don't know": it accepts the lines the encoding/json
// path accepts with the shapes real producers send (strings where the schema has
// strings, objects with the schema's own keys), and gives up on anything else (any
// error, null, a duplicated schema field, a nested key encoding/json would match without
// regard to case). Parse then runs the encoding/json path, so every error text and every
// odd-but-valid record is decided by exactly the code that decided it before.
// FuzzParseMatchesReference holds the two to the same results.
//
// The canonical form is what encoding/json gives for the line decoded into `any` with
// UseNumber and encoded with SetEscapeHTML(false): object keys sorted bytewise as Go
// strings after unescaping, the last of duplicate keys winning, no whitespace, numbers
// as written, and strings re-escaped as encode.go's appendString does. Most strings are
// already in that form and are copied as they are.

// maxFastDepth bounds the nesting the fast path follows; deeper lines (no producer
// sends them) take the encoding/json path, which has its own limit and error.
const maxFastDepth = 256

// lineScanner is the state of one parseFast call.
type lineScanner struct {
	src []byte
	i   int
	// out collects canonical output. An object's members are written in input order,
	// each as `"key":value`; on its closing brace they are sorted by copying them past
	// the end of out and back over the original place.
	out []byte
	// members is a stack: the members of every open object, innermost last.
	members []canonMember
	// keys holds the unescaped form of keys that have escapes.
	keys []byte
	// dec is scratch for unescaping strings.
	dec   []byte
	depth int
}

// canonMember is one object member written to out. It holds no pointers, so that
// appending and sorting members costs no write barriers.
type canonMember struct {
	// The unescaped key is src[keyStart:keyEnd], or keys[keyStart:keyEnd] if escaped.
	keyStart, keyEnd int32
	escaped          bool
	start, end       int // `"key":value` in out
}

func (s *lineScanner) memberKey(m canonMember) []byte {
	if m.escaped {
		return s.keys[m.keyStart:m.keyEnd]
	}
	return s.src[m.keyStart:m.keyEnd]
}

// topField is a top-level member whose key is a schema v1 field: where its value is in
// src, to decode it once the whole line is known to be well-formed.
type topField struct {
	key        string
	start, end int
}

// parseFast returns the record Parse would return for b, or nil to say it could not
// decide (b may be bad, or unusual): the caller must then take the encoding/json path.
func parseFast(b []byte) *Record {
	if !utf8.Valid(b) || len(b) > 1<<30 { // offsets in canonMember are int32
		return nil
	}
	var membersBuf [32]canonMember
	var fieldsBuf [len(schemaFields)]topField
	// Room for the canonical form (rarely longer than b) and a sorted copy of a nested
	// object (a device or an address, a few hundred bytes), so that out seldom grows.
	s := lineScanner{src: b, out: make([]byte, 0, len(b)+len(b)/8+512), members: membersBuf[:0]}
	fields := fieldsBuf[:0]
	var seen uint32 // bit i: schemaFields[i] has been seen
	var extra map[string]json.RawMessage

	s.ws()
	if !s.consume('{') {
		return nil
	}
	s.depth = 1
	s.ws()
	if !s.consume('}') {
		for {
			key, ok := s.key()
			if !ok {
				return nil
			}
			s.ws()
			start := s.i
			if !s.value() {
				return nil
			}
			end := s.i
			s.members[len(s.members)-1].end = len(s.out)
			if f := schemaField(key); f >= 0 {
				if seen&(1<<f) != 0 {
					return nil // which one wins is the map's business
				}
				seen |= 1 << f
				fields = append(fields, topField{key: schemaFields[f], start: start, end: end})
			} else {
				if extra == nil {
					extra = make(map[string]json.RawMessage)
				}
				extra[string(key)] = append(json.RawMessage(nil), b[start:end]...)
			}
			s.ws()
			if s.consume(',') {
				s.ws()
				continue
			}
			if s.consume('}') {
				break
			}
			return nil
		}
	}
	s.ws()
	if s.i != len(b) {
		return nil
	}

	canonical := s.sortedObject(0, make([]byte, 0, len(s.out)))
	rec := &Record{Extra: extra, Canonical: canonical}
	for _, f := range fields {
		s.i = f.start
		if !s.schemaValue(rec, f.key) || s.i != f.end {
			return nil
		}
	}
	id := rec.RecordID
	if strings.TrimSpace(id) == "" || len(id) > MaxRecordIDLen || strings.ContainsFunc(id, isControl) ||
		strings.TrimSpace(rec.Source) == "" || rec.ObservedAt == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, rec.ObservedAt)
	if err != nil {
		return nil
	}
	rec.Observed = t.UTC()
	return rec
}

// schemaFields are the top-level keys Record.field maps to a typed field.
var schemaFields = [...]string{
	"record_id", "source", "observed_at", "event", "persona_id", "name", "date_of_birth",
	"nationality", "documents", "emails", "phones", "addresses", "payments", "devices", "ips",
	"profiles", "usernames", "photo_hash", "cv_text", "interview", "references", "employer",
}

// schemaField is key's index in schemaFields, or -1.
func schemaField(key []byte) int {
	for i, f := range schemaFields {
		if string(key) == f {
			return i
		}
	}
	return -1
}

func (s *lineScanner) ws() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *lineScanner) consume(c byte) bool {
	if s.i < len(s.src) && s.src[s.i] == c {
		s.i++
		return true
	}
	return false
}

// key reads an object key and its colon, writes `"key":` to out as a new member of the
// innermost object, and returns the key unescaped.
func (s *lineScanner) key() ([]byte, bool) {
	start := len(s.out)
	open := s.i
	raw, text, ok := s.str(true)
	if !ok {
		return nil, false
	}
	m := canonMember{keyStart: int32(open + 1), keyEnd: int32(s.i - 1), start: start}
	if !raw {
		m.escaped = true
		m.keyStart = int32(len(s.keys))
		s.keys = append(s.keys, text...)
		m.keyEnd = int32(len(s.keys))
	}
	s.ws()
	if !s.consume(':') {
		return nil, false
	}
	s.out = append(s.out, ':')
	s.members = append(s.members, m)
	return s.memberKey(m), true // not key: s.dec is reused by the value
}

// str reads a string at s.i and writes it to out in canonical form. With needText, it
// also returns the string unescaped: raw reports that the string had no escapes, so text
// is in src, otherwise text is in s.dec until the next call.
func (s *lineScanner) str(needText bool) (raw bool, text []byte, ok bool) {
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		return false, nil, false
	}
	open := s.i
	end, esc, canon, ok := scanString(s.src, open)
	if !ok {
		return false, nil, false
	}
	s.i = end
	if canon {
		s.out = append(s.out, s.src[open:end]...)
	} else {
		s.dec = unquote(s.dec[:0], s.src[open+1:end-1])
		s.out = appendJSONString(s.out, s.dec)
	}
	if !esc {
		return true, s.src[open+1 : end-1], true
	}
	if !needText {
		return false, nil, true
	}
	if canon {
		s.dec = unquote(s.dec[:0], s.src[open+1:end-1])
	}
	return false, s.dec, true
}

// value reads any JSON value at s.i and writes its canonical form to out.
func (s *lineScanner) value() bool {
	if s.i >= len(s.src) {
		return false
	}
	switch c := s.src[s.i]; {
	case c == '"':
		_, _, ok := s.str(false)
		return ok
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '-' || '0' <= c && c <= '9':
		end, ok := scanNumber(s.src, s.i)
		if !ok {
			return false
		}
		s.out = append(s.out, s.src[s.i:end]...)
		s.i = end
		return true
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(s.src[s.i:], []byte(lit)) {
			s.out = append(s.out, lit...)
			s.i += len(lit)
			return true
		}
	}
	return false
}

func (s *lineScanner) object() bool {
	if s.depth++; s.depth > maxFastDepth {
		return false
	}
	s.i++ // '{'
	objStart := len(s.out)
	base := len(s.members)
	s.ws()
	if !s.consume('}') {
		for {
			if _, ok := s.key(); !ok {
				return false
			}
			s.ws()
			if !s.value() {
				return false
			}
			s.members[len(s.members)-1].end = len(s.out)
			s.ws()
			if s.consume(',') {
				s.ws()
				continue
			}
			if s.consume('}') {
				break
			}
			return false
		}
	}
	s.depth--
	if len(s.members) == base {
		s.out = append(s.out, '{', '}')
		return true
	}
	// Sort past the end of out, then move the result back to where the object began.
	sortedStart := len(s.out)
	s.out = s.sortedObject(base, s.out)
	n := copy(s.out[objStart:], s.out[sortedStart:])
	s.out = s.out[:objStart+n]
	return true
}

// sortedObject pops the members from base up and appends them to dst as an object in
// canonical order: sorted by key, of equal keys only the last.
func (s *lineScanner) sortedObject(base int, dst []byte) []byte {
	ms := s.members[base:]
	if len(ms) == 0 {
		return append(dst, '{', '}')
	}
	// Stable, so that among equal keys the last in the input stays last.
	if len(ms) <= 24 {
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && bytes.Compare(s.memberKey(ms[j-1]), s.memberKey(ms[j])) > 0; j-- {
				ms[j-1], ms[j] = ms[j], ms[j-1]
			}
		}
	} else {
		slices.SortStableFunc(ms, func(a, b canonMember) int { return bytes.Compare(s.memberKey(a), s.memberKey(b)) })
	}
	dst = append(dst, '{')
	first := true
	for i, m := range ms {
		if i+1 < len(ms) && bytes.Equal(s.memberKey(m), s.memberKey(ms[i+1])) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, s.out[m.start:m.end]...)
	}
	s.members = s.members[:base]
	return append(dst, '}')
}

func (s *lineScanner) array() bool {
	if s.depth++; s.depth > maxFastDepth {
		return false
	}
	s.i++ // '['
	s.out = append(s.out, '[')
	s.ws()
	if !s.consume(']') {
		for {
			if !s.value() {
				return false
			}
			s.ws()
			if s.consume(',') {
				s.out = append(s.out, ',')
				s.ws()
				continue
			}
			if s.consume(']') {
				break
			}
			return false
		}
	}
	s.out = append(s.out, ']')
	s.depth--
	return true
}

// stringSpecial marks the bytes scanString must look at: the end of the string, an
// escape, a control character (invalid raw), and 0xE2, the lead byte of U+2028 and
// U+2029, which encoding/json escapes.
var stringSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'], t[0xE2] = true, true, true
	return t
}()

// scanString reads the string whose opening quote is src[open]. It returns the index
// just past the closing quote, whether the string has escapes, and whether its raw form
// is already the one appendJSONString gives for its unescaped form. src is valid UTF-8.
func scanString(src []byte, open int) (end int, esc, canon, ok bool) {
	canon = true
	for i := open + 1; i < len(src); {
		// Eight bytes at a time while none is special: most strings are plain text.
		for i+8 <= len(src) && !swarSpecial(binary.LittleEndian.Uint64(src[i:])) {
			i += 8
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		if !stringSpecial[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, esc, canon, true
		case c < 0x20:
			return 0, false, false, false
		case c == 0xE2:
			if i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9) {
				canon = false
			}
			i++
			continue
		}
		// A backslash.
		esc = true
		if i+1 >= len(src) {
			return 0, false, false, false
		}
		switch src[i+1] {
		case '"', '\\', 'b', 'f', 'n', 'r', 't':
			i += 2
		case '/':
			canon = false
			i += 2
		case 'u':
			r := hex4(src[i+2:])
			if r < 0 {
				return 0, false, false, false
			}
			if !canonicalEscape(src[i+2:i+6], r) {
				canon = false
			}
			i += 6
		default:
			return 0, false, false, false
		}
	}
	return 0, false, false, false
}

// swarSpecial reports whether any of the eight bytes in w is one stringSpecial marks:
// below 0x20, '"', '\\' or 0xE2 (the bit tricks of "Bit Twiddling Hacks", hasless and
// haszero, exact as to whether any byte matches).
func swarSpecial(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return ((w-ones*0x20)&^w&highs)|zero(w^(ones*'"'))|zero(w^(ones*'\\'))|zero(w^(ones*0xE2)) != 0
}

// canonicalEscape reports whether \u followed by digits (which read as r) is how
// appendJSONString writes r.
func canonicalEscape(digits []byte, r rune) bool {
	switch {
	case r == '\u2028' || r == '\u2029':
		return true // all digits, no case to differ
	case r >= 0x20 || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t':
		return false
	}
	return digits[2] == lowerHex[r>>4] && digits[3] == lowerHex[r&0xF]
}

const lowerHex = "0123456789abcdef"

// hex4 reads four hex digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote appends the unescaped form of a string's contents, already checked by
// scanString, to dst, as encoding/json's unquoteBytes does: a \u escape of a lone or
// ill-paired surrogate becomes U+FFFD.
func unquote(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 {
			return append(dst, s[i:]...)
		}
		dst = append(dst, s[i:i+j]...)
		i += j
		switch c := s[i+1]; c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
		i += 2
	}
	return dst
}

// appendJSONString appends s quoted as encoding/json's appendString does with HTML
// escaping off.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// scanNumber returns the end of the JSON number starting at src[i].
func scanNumber(src []byte, i int) (int, bool) {
	digits := func() bool {
		start := i
		for i < len(src) && '0' <= src[i] && src[i] <= '9' {
			i++
		}
		return i > start
	}
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(src) && src[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}

// schemaValue decodes the value at s.i, already checked to be well-formed JSON, into
// rec's field for key, as the encoding/json path would; false for anything it would
// reject or that takes more than the common shapes to get right.
func (s *lineScanner) schemaValue(rec *Record, key string) bool {
	switch key {
	case "record_id":
		return s.text(&rec.RecordID)
	case "source":
		return s.text(&rec.Source)
	case "observed_at":
		return s.text(&rec.ObservedAt)
	case "event":
		return s.text(&rec.Event)
	case "persona_id":
		return s.text(&rec.PersonaID)
	case "name":
		return s.name(&rec.Name)
	case "date_of_birth":
		return s.text(&rec.DateOfBirth)
	case "nationality":
		return s.text(&rec.Nationality)
	case "documents":
		return arrayOf(s, &rec.Documents, (*lineScanner).document)
	case "emails":
		return arrayOf(s, &rec.Emails, (*lineScanner).text)
	case "phones":
		return arrayOf(s, &rec.Phones, (*lineScanner).text)
	case "addresses":
		return arrayOf(s, &rec.Addresses, (*lineScanner).address)
	case "payments":
		return arrayOf(s, &rec.Payments, (*lineScanner).payment)
	case "devices":
		return arrayOf(s, &rec.Devices, (*lineScanner).device)
	case "ips":
		return arrayOf(s, &rec.IPs, (*lineScanner).ip)
	case "profiles":
		return arrayOf(s, &rec.Profiles, (*lineScanner).text)
	case "usernames":
		return arrayOf(s, &rec.Usernames, (*lineScanner).text)
	case "photo_hash":
		return s.text(&rec.PhotoHash)
	case "cv_text":
		return s.text(&rec.CVText)
	case "interview":
		rec.Interview = &Interview{}
		return s.fields(interviewFields, func(int) bool { return s.text(&rec.Interview.Video) })
	case "references":
		return arrayOf(s, &rec.References, (*lineScanner).reference)
	case "employer":
		return s.text(&rec.Employer)
	}
	return false
}

// text decodes a JSON string. null, which leaves a Go string as it was, is left to the
// encoding/json path with everything else.
func (s *lineScanner) text(dst *string) bool {
	s.ws()
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		return false
	}
	end, esc, _, ok := scanString(s.src, s.i)
	if !ok {
		return false
	}
	if esc {
		if cap(s.dec) < end-s.i {
			s.dec = make([]byte, 0, end-s.i) // unescaping never lengthens
		}
		s.dec = unquote(s.dec[:0], s.src[s.i+1:end-1])
		*dst = string(s.dec)
	} else {
		*dst = string(s.src[s.i+1 : end-1])
	}
	s.i = end
	return true
}

// arrayOf decodes a JSON array into *dst, each element with elem. Like encoding/json,
// an empty array gives an empty, non-nil slice.
func arrayOf[T any](s *lineScanner, dst *[]T, elem func(*lineScanner, *T) bool) bool {
	s.ws()
	if !s.consume('[') {
		return false
	}
	var out []T
	s.ws()
	if s.consume(']') {
		*dst = []T{}
		return true
	}
	for {
		var v T
		if !elem(s, &v) {
			return false
		}
		out = append(out, v)
		s.ws()
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			*dst = out
			return true
		}
		return false
	}
}

// Field names of the schema's objects, as their json tags spell them.
var (
	nameFields      = []string{"given", "family", "full"}
	documentFields  = []string{"kind", "number", "country"}
	addressFields   = []string{"kind", "text", "line1", "line2", "city", "region", "postcode", "country"}
	paymentFields   = []string{"kind", "value", "holder"}
	deviceFields    = []string{"fingerprint", "user_agent", "timezone", "languages", "remote_tools"}
	ipFields        = []string{"ip", "at"}
	interviewFields = []string{"video"}
	referenceFields = []string{"name", "email", "phone"}
)

// fields decodes a JSON object into a struct: set decodes the value of names[i]. Keys
// that are no field are skipped, as encoding/json skips them, unless encoding/json would
// match them to a field regardless of case (it folds Unicode too, so any non-ASCII key
// counts): those go to the encoding/json path.
func (s *lineScanner) fields(names []string, set func(i int) bool) bool {
	s.ws()
	if !s.consume('{') {
		return false
	}
	s.ws()
	if s.consume('}') {
		return true
	}
	for {
		if s.i >= len(s.src) || s.src[s.i] != '"' {
			return false
		}
		end, esc, _, ok := scanString(s.src, s.i)
		if !ok || esc {
			return false // an escaped key may spell a field
		}
		key := s.src[s.i+1 : end-1]
		s.i = end
		s.ws()
		if !s.consume(':') {
			return false
		}
		s.ws()
		i := slices.Index(names, string(key))
		switch {
		case i >= 0:
			if !set(i) {
				return false
			}
		case foldsToField(key, names):
			return false
		default:
			if !s.skip() {
				return false
			}
		}
		s.ws()
		if s.consume(',') {
			s.ws()
			continue
		}
		return s.consume('}')
	}
}

// foldsToField reports whether key might be matched to one of names by encoding/json's
// case-insensitive fallback.
func foldsToField(key []byte, names []string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// skip moves past the well-formed JSON value at s.i.
func (s *lineScanner) skip() bool {
	depth := 0
	for s.i < len(s.src) {
		switch c := s.src[s.i]; c {
		case '"':
			end, _, _, ok := scanString(s.src, s.i)
			if !ok {
				return false
			}
			s.i = end
		case '{', '[':
			depth++
			s.i++
			continue
		case '}', ']':
			if depth == 0 {
				return true
			}
			depth--
			s.i++
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return true
			}
			s.i++
			continue
		default:
			s.i++
			continue
		}
		if depth == 0 {
			return true
		}
	}
	return depth == 0
}

func (s *lineScanner) name(n *Name) bool {
	s.ws()
	if s.i < len(s.src) && s.src[s.i] == '"' {
		return s.text(&n.Full)
	}
	return s.fields(nameFields, func(i int) bool {
		return s.text([...]*string{&n.Given, &n.Family, &n.Full}[i])
	})
}

func (s *lineScanner) document(d *Document) bool {
	return s.fields(documentFields, func(i int) bool {
		return s.text([...]*string{&d.Kind, &d.Number, &d.Country}[i])
	})
}

func (s *lineScanner) address(a *Address) bool {
	return s.fields(addressFields, func(i int) bool {
		return s.text([...]*string{&a.Kind, &a.Text, &a.Line1, &a.Line2, &a.City, &a.Region, &a.Postcode, &a.Country}[i])
	})
}

func (s *lineScanner) payment(p *Payment) bool {
	return s.fields(paymentFields, func(i int) bool {
		return s.text([...]*string{&p.Kind, &p.Value, &p.Holder}[i])
	})
}

func (s *lineScanner) device(d *Device) bool {
	return s.fields(deviceFields, func(i int) bool {
		if i == 4 {
			return arrayOf(s, &d.RemoteTools, (*lineScanner).text)
		}
		return s.text([...]*string{&d.Fingerprint, &d.UserAgent, &d.Timezone, &d.Languages}[i])
	})
}

func (s *lineScanner) ip(ip *IP) bool {
	s.ws()
	if s.i < len(s.src) && s.src[s.i] == '"' {
		return s.text(&ip.IP)
	}
	return s.fields(ipFields, func(i int) bool {
		return s.text([...]*string{&ip.IP, &ip.At}[i])
	})
}

func (s *lineScanner) reference(r *Reference) bool {
	return s.fields(referenceFields, func(i int) bool {
		return s.text([...]*string{&r.Name, &r.Email, &r.Phone}[i])
	})
}
