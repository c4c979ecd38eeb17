package graph

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Tokenizers of the search index. They split exactly as Bleve's whitespace and letter
// tokenizers do, but allocate for the tokens found: Bleve's reserve room for 1,024
// tokens per field value, which for a record's dozen short values came to 44 KB of
// garbage per record and made the tokenizer the biggest allocator of a whole ingest.
const (
	spaceTokenizer  = "pg_space"
	letterTokenizer = "pg_letter"
)

// Bleve resolves tokenizers by name from its process-wide registry, so they are
// registered once, at init, as Bleve's own are.
func init() {
	for name, isToken := range map[string]func(rune) bool{
		spaceTokenizer:  func(r rune) bool { return !unicode.IsSpace(r) },
		letterTokenizer: unicode.IsLetter,
	} {
		if err := registry.RegisterTokenizer(name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
			return runTokenizer(isToken), nil
		}); err != nil {
			panic(err) // a name registered twice: a build defect
		}
	}
}

// runTokenizer makes tokens of the maximal runs of runes for which it returns true. Like
// Bleve's character tokenizers, it stops at the first invalid UTF-8 sequence.
type runTokenizer func(rune) bool

func (isToken runTokenizer) Tokenize(input []byte) analysis.TokenStream {
	n := 0
	isToken.each(input, func(int, int) { n++ })
	if n == 0 {
		return nil
	}
	toks := make([]analysis.Token, n)
	rv := make(analysis.TokenStream, n)
	i := 0
	isToken.each(input, func(start, end int) {
		toks[i] = analysis.Token{Term: input[start:end], Start: start, End: end, Position: i + 1, Type: analysis.AlphaNumeric}
		rv[i] = &toks[i]
		i++
	})
	return rv
}

// each calls fn with the byte range of every token of input.
func (isToken runTokenizer) each(input []byte, fn func(start, end int)) {
	start, end := 0, 0
	for offset := 0; ; {
		r, size := utf8.DecodeRune(input[offset:])
		if r == utf8.RuneError {
			break
		}
		if isToken(r) {
			end = offset + size
		} else {
			if end > start {
				fn(start, end)
			}
			start = offset + size
			end = start
		}
		offset += size
	}
	if end > start {
		fn(start, end)
	}
}

// eachString is each over a string.
func (isToken runTokenizer) eachString(input string, fn func(start, end int)) {
	start, end := 0, 0
	for offset := 0; ; {
		var r rune
		size := 1
		if offset < len(input) && input[offset] < utf8.RuneSelf {
			r = rune(input[offset])
		} else if r, size = utf8.DecodeRuneInString(input[offset:]); r == utf8.RuneError {
			break
		}
		if isToken(r) {
			end = offset + size
		} else {
			if end > start {
				fn(start, end)
			}
			start = offset + size
			end = start
		}
		offset += size
	}
	if end > start {
		fn(start, end)
	}
}
