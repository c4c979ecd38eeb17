package ingest

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// FoldName folds a personal name for matching: compatibility-normalised (full-width and
// ligature forms), diacritics removed, lower case, punctuation to spaces, single spaces.
// "  José-María  O'Neil " becomes "jose maria o neil".
func FoldName(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	space := false
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		space = true
	}
	return b.String()
}

// NameKey is the name_key identifier of a name: its folded tokens in sorted order, so
// that "Smyth, Jon" and "Jon Smyth" meet. A weak identifier: many people share names.
func NameKey(name string) (Identifier, bool) {
	f := FoldName(name)
	if f == "" {
		return Identifier{}, false
	}
	toks := strings.Fields(f)
	slices.Sort(toks)
	return Identifier{Kind: KindNameKey, Value: strings.Join(toks, " "), Raw: name, Valid: true}, true
}

func (x *extraction) names() {
	x.add(NameKey(x.rec.Name.Display()))
}
