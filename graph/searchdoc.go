package graph

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/nyaruka/phonenumbers"

	"github.com/personagraph/personagraph/ingest"
)

// Search documents are built here already analysed, as Bleve's document.Field values
// whose terms and counts are final, instead of as a struct that Bleve's mapping walks by
// reflection and whose every value its analyzers then tokenise into token streams. The
// mapping path cost about half of the CPU of indexing a record (reflection, a field and a
// token stream per value, and zap merging the per-value term maps of a field again);
// here a field is one term map per record, and its terms sit in one buffer per record.
//
// The terms are exactly those the field's analyzer in indexMapping would produce, counted
// the same way (frequency per term, length = number of tokens), so the index is the one
// the mapping path built and scores are unchanged; TestDocPathsAgree checks this against
// the mapping path. The mapping itself stays, with the same analyzers: queries and
// anything reading the index go by it.

// termField is one field of a search document with its terms counted: what Bleve's
// TextField holds after Analyze, without the value it was analysed from (no field is
// stored).
type termField struct {
	name   string
	length int // tokens, counting repeats: Bleve's field length norm
	freqs  index.TokenFrequencies
	plain  uint64 // bytes of the text the terms came from, for Bleve's statistics
}

var _ document.Field = (*termField)(nil)

func (f *termField) Name() string                                     { return f.name }
func (f *termField) ArrayPositions() []uint64                         { return nil }
func (f *termField) Options() index.FieldIndexingOptions              { return index.IndexField }
func (f *termField) Analyze()                                         {} // analysed when built
func (f *termField) Value() []byte                                    { return nil }
func (f *termField) NumPlainTextBytes() uint64                        { return f.plain }
func (f *termField) EncodedFieldType() byte                           { return 't' }
func (f *termField) AnalyzedLength() int                              { return f.length }
func (f *termField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *termField) Size() int {
	// Bleve's memory accounting: the struct, the name and, per term, a map entry and a
	// TokenFreq (the term bytes are shared by the document's fields).
	return 64 + len(f.name) + len(f.freqs)*(16+8+48)
}

// span is a term's byte range in a buffer.
type span struct{ start, end int32 }

// docBuilder builds the search documents of a batch. Its buffers are reused from one
// record to the next, so a document costs the Document and its fields, one byte slice
// and one string of terms, and a term map per field. Not safe for concurrent use.
type docBuilder struct {
	hs   *hashSession // nil in a plain store
	stop analysis.TokenMap

	// plain holds the plain terms of the field being built: its values, then the tokens
	// cut from them (spans into plain).
	plain []byte
	vals  []span
	toks  []span
	// out holds the document's final terms (plain ones, or hashes), field after field.
	out    []byte
	outs   []span
	fields []pendingField
	tmp    []byte
}

// pendingField is a field of the document being built: its terms are outs[first:last].
type pendingField struct {
	name        string
	first, last int
	plain       int
	distinct    bool // count a repeated term once: the field's terms are a set
}

// newDocBuilder returns a builder for documents of n's index; hs is the hashing session
// of an encrypted store, or nil.
func (n *nameIndex) newDocBuilder(hs *hashSession) *docBuilder {
	return &docBuilder{hs: hs, stop: n.stop}
}

// englishStop loads the stop words of wordsAnalyzer's stop filter (en.StopName).
func englishStop() (analysis.TokenMap, error) {
	m := analysis.NewTokenMap()
	return m, m.LoadBytes(en.EnglishStopWords)
}

// build returns the search document of a record, or nil when it has nothing to index:
// the fields, terms and counts that the mapping path (a struct of texts through
// indexMapping, kept in searchdoc_old_test.go) gives.
func (b *docBuilder) build(rec *ingest.Record, ids []ingest.Identifier) *document.Document {
	b.out, b.outs, b.fields = b.out[:0], b.outs[:0], b.fields[:0]
	anyValue := false
	nameField := fieldName
	if b.hs != nil {
		nameField = fieldTokens
	}

	// Names: the folded display name and the non-phonetic name keys.
	b.startValues()
	b.addValue(ingest.FoldName(rec.Name.Display()))
	for _, id := range ids {
		if id.Kind == ingest.KindNameKey && !slices.Contains(id.Flags, ingest.FlagPhonetic) {
			b.addValue(id.Value)
		}
	}
	anyValue = b.endSpaced(nameField) || anyValue

	b.startValues()
	for _, id := range ids {
		if id.Kind == ingest.KindNameKey && slices.Contains(id.Flags, ingest.FlagPhonetic) {
			b.addPhonetic(id.Value)
		}
	}
	anyValue = b.endKeyword(fieldPhonetic) || anyValue

	b.startValues()
	for _, id := range ids {
		if id.Kind == ingest.KindEmail {
			b.addValue(id.Value)
			b.addValue(strings.ToLower(strings.TrimSpace(id.Raw)))
		}
	}
	anyValue = b.endKeyword(fieldEmail) || anyValue

	b.startValues()
	for _, id := range ids {
		if id.Kind == ingest.KindPhone {
			b.addPhone(id)
		}
	}
	anyValue = b.endKeyword(fieldPhone) || anyValue

	b.startValues()
	for _, id := range ids {
		if id.Kind == ingest.KindAddress {
			b.addValue(ingest.FoldName(id.Raw))
			b.addValue(ingest.FoldName(id.Value))
		}
	}
	anyValue = b.endSpaced(fieldAddress) || anyValue

	b.startValues()
	for _, id := range ids {
		if id.Kind == ingest.KindPostcode {
			b.addPostcode(id.Value)
		}
	}
	anyValue = b.endKeyword(fieldPostcode) || anyValue

	if rec.CVText != "" {
		anyValue = true
		b.addCV(rec.CVText)
	}
	if !anyValue {
		return nil
	}
	return b.document(rec.RecordID)
}

func (b *docBuilder) startValues() {
	b.plain, b.vals = b.plain[:0], b.vals[:0]
}

func (b *docBuilder) addValue(v string) {
	start := len(b.plain)
	b.plain = append(b.plain, v...)
	b.vals = append(b.vals, span{int32(start), int32(len(b.plain))})
}

// endValue ends a value appended to plain since start.
func (b *docBuilder) endValue(start int) {
	b.vals = append(b.vals, span{int32(start), int32(len(b.plain))})
}

// addPhonetic adds a phonetic name key's terms, as phoneticTerms.
func (b *docBuilder) addPhonetic(key string) {
	algo, body, ok := strings.Cut(key, ":")
	if !ok || algo == "dmf" {
		return
	}
	for c := range strings.SplitSeq(body, "|") {
		if c != "" {
			start := len(b.plain)
			b.plain = append(append(append(b.plain, algo...), ':'), c...)
			b.endValue(start)
		}
	}
}

// addPhone adds a phone's terms, as phoneTerms.
func (b *docBuilder) addPhone(id ingest.Identifier) {
	start := len(b.plain)
	b.plain = appendDigits(b.plain, id.Value)
	b.endValue(start)
	start = len(b.plain)
	b.plain = appendDigits(b.plain, id.Raw)
	b.endValue(start)
	if national, ok := nationalDigits(id.Value); ok {
		b.addValue(national)
	}
}

// addPostcode adds a postcode's terms, as postcodeTerms.
func (b *docBuilder) addPostcode(v string) {
	if _, pc, ok := strings.Cut(v, ":"); ok {
		v = pc
	}
	v = strings.ToLower(v)
	start := len(b.plain)
	for i := 0; i < len(v); i++ {
		if v[i] != ' ' && v[i] != '-' {
			b.plain = append(b.plain, v[i])
		}
	}
	if !utf8.ValidString(v) {
		// compact maps runes, and so turns invalid bytes into U+FFFD; in valid UTF-8 no
		// byte of a longer rune is a space or a hyphen.
		b.plain = append(b.plain[:start], compact(v)...)
	}
	b.endValue(start)
	if outward, _, ok := strings.Cut(v, " "); ok {
		b.addValue(outward)
	}
}

// distinctValues sorts the values and drops repeats and empty ones, as uniqueNonEmpty.
func (b *docBuilder) distinctValues(vs []span) []span {
	slices.SortFunc(vs, func(x, y span) int { return bytes.Compare(b.plain[x.start:x.end], b.plain[y.start:y.end]) })
	vs = slices.CompactFunc(vs, func(x, y span) bool { return bytes.Equal(b.plain[x.start:x.end], b.plain[y.start:y.end]) })
	if len(vs) > 0 && vs[0].start == vs[0].end {
		vs = vs[1:]
	}
	return vs
}

// endKeyword ends a field whose values are terms (keyword analyzer in both stores). It
// reports whether the field had a value: the mapping path indexes a document with any.
func (b *docBuilder) endKeyword(name string) bool {
	vs := b.distinctValues(b.vals)
	if len(vs) == 0 {
		return false
	}
	b.emit(name, vs, b.plainBytes(vs), false)
	return true
}

// endSpaced ends a field of texts split on white space. In a plain store the field's
// analyzer (foldAnalyzer) splits the distinct texts and counts every token; in an
// encrypted store the distinct tokens (split as strings.Fields splits) are hashed, each
// one term.
func (b *docBuilder) endSpaced(name string) bool {
	vs := b.distinctValues(b.vals)
	if len(vs) == 0 {
		return false
	}
	b.toks = b.toks[:0]
	for _, v := range vs {
		text := b.plain[v.start:v.end]
		emit := func(start, end int) {
			b.toks = append(b.toks, span{v.start + int32(start), v.start + int32(end)})
		}
		if b.hs == nil {
			runTokenizer(notSpace).each(text, emit)
		} else {
			eachField(text, emit)
		}
	}
	toks := b.toks
	if b.hs != nil {
		toks = b.distinctValues(toks)
	}
	b.emit(name, toks, b.plainBytes(vs), false)
	return true
}

func notSpace(r rune) bool { return !unicode.IsSpace(r) }

// eachField calls fn with the byte range of every field of text as strings.Fields finds
// them: invalid UTF-8 is part of a field, where Bleve's tokenizers stop.
func eachField(text []byte, fn func(start, end int)) {
	start := -1
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(text[i:])
		}
		if unicode.IsSpace(r) {
			if start >= 0 {
				fn(start, i)
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(text))
	}
}

func (b *docBuilder) plainBytes(vs []span) int {
	n := 0
	for _, v := range vs {
		n += int(v.end - v.start)
	}
	return n
}

// addCV adds the cv field: CV words as wordsAnalyzer finds them (letters, lower-cased,
// English stop words dropped), every one counted in a plain store, the distinct ones
// hashed in an encrypted one.
func (b *docBuilder) addCV(text string) {
	b.startValues()
	runTokenizer(unicode.IsLetter).eachString(text, func(start, end int) {
		tok := text[start:end]
		at := len(b.plain)
		if isASCII(tok) {
			for i := 0; i < len(tok); i++ {
				c := tok[i]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.plain = append(b.plain, c)
			}
		} else {
			// Bleve's lower-case filter has Unicode special cases (a final sigma, wider
			// lower-case forms): use it for anything but ASCII.
			b.tmp = append(b.tmp[:0], tok...)
			low := lowercase.NewLowerCaseFilter().Filter(analysis.TokenStream{{Term: b.tmp}})[0].Term
			b.plain = append(b.plain, low...)
		}
		if _, stop := b.stop[string(b.plain[at:])]; stop {
			b.plain = b.plain[:at]
			return
		}
		b.endValue(at)
	})
	// An encrypted store indexes each distinct word once: rather than sort the words,
	// their hashes are made distinct when the field is made (document), which is the
	// same but for a collision of 80-bit hashes.
	b.emit(fieldCV, b.vals, len(text), b.hs != nil)
}

// emit adds a field with the given terms of plain: themselves in a plain store, their
// hashes in an encrypted one; distinct says to count each term once.
func (b *docBuilder) emit(name string, terms []span, plainBytes int, distinct bool) {
	if b.hs != nil && len(terms) == 0 {
		return // the mapping path leaves out an empty list of hashes
	}
	f := pendingField{name: name, first: len(b.outs), plain: plainBytes, distinct: distinct}
	for _, t := range terms {
		start := len(b.out)
		if b.hs == nil {
			b.out = append(b.out, b.plain[t.start:t.end]...)
		} else {
			b.out = b.hs.appendHash(b.out, b.plain[t.start:t.end])
		}
		b.outs = append(b.outs, span{int32(start), int32(len(b.out))})
	}
	f.last = len(b.outs)
	b.fields = append(b.fields, f)
}

// document makes the Bleve document of the fields built. The terms of all fields share
// one byte slice and one string (the term maps' keys), allocated here because the
// document outlives the builder's buffers.
func (b *docBuilder) document(id string) *document.Document {
	termBytes := bytes.Clone(b.out)
	keys := string(b.out)
	freqs := make([]index.TokenFreq, len(b.outs))
	fields := make([]termField, len(b.fields))
	doc := document.NewDocument(id)
	doc.Fields = make([]document.Field, 0, len(b.fields))
	next := 0
	for i, pf := range b.fields {
		f := &fields[i]
		f.name, f.plain = pf.name, uint64(pf.plain)
		f.freqs = make(index.TokenFrequencies, pf.last-pf.first)
		for _, t := range b.outs[pf.first:pf.last] {
			key := keys[t.start:t.end]
			if tf, ok := f.freqs[key]; ok {
				if !pf.distinct {
					tf.SetFrequency(tf.Frequency() + 1)
					f.length++
				}
				continue
			}
			f.length++
			tf := &freqs[next]
			next++
			tf.Term = termBytes[t.start:t.end:t.end]
			tf.SetFrequency(1)
			f.freqs[key] = tf
		}
		doc.Fields = append(doc.Fields, f)
	}
	return doc
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendDigits appends the ASCII digits of s, as digitsOf.
func appendDigits(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// nationalDigits returns the digits of an E.164 phone's national format ("+442079460018"
// is "020 7946 0018", so "02079460018"), as phoneTerms. phonenumbers.Parse took 24 µs of
// the 30 µs this costs with it; ingest.ParseE164 reads "+" and digits as Parse would,
// without its regular expressions, and leaves anything else to Parse.
func nationalDigits(value string) (string, bool) {
	if !strings.HasPrefix(value, "+") {
		return "", false
	}
	num, ok := ingest.ParseE164(value)
	if !ok {
		var err error
		if num, err = phonenumbers.Parse(value, ""); err != nil {
			return "", false
		}
	}
	return digitsOf(phonenumbers.Format(num, phonenumbers.NATIONAL)), true
}
