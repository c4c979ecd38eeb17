package ingest

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FlagPhonetic marks a name_key identifier built from phonetic codes rather than from the
// folded spelling: a weaker match, meant for blocking and scoring, not for linking alone.
const FlagPhonetic = "phonetic"

// nameMaxTokens caps the tokens a name key is built from, so a hostile multi-megabyte
// "name" yields a bounded key. Real names have fewer than ten.
const nameMaxTokens = 12

// FoldName folds a personal name for matching, to lower-case tokens separated by single
// spaces:
//
//   - Unicode NFKC first, so full-width letters and ligatures become plain letters;
//   - invisible format characters (zero-width space and joiners, soft hyphen, bidi
//     controls) and apostrophes are removed without splitting the word, because they are
//     how a name is disguised ("Jo\u200bhn") or spelled inconsistently ("O'Neil", "ONeil");
//   - case folded, Latin look-alike Cyrillic and Greek letters inside Latin words mapped
//     to Latin ("Smіth" with a Cyrillic і is "smith"), other scripts transliterated (see
//     translit.go), diacritics removed and special letters spelled out (ß ss, æ ae, ø o,
//     ł l, đ d, þ th);
//   - every other character separates tokens.
//
// "  José-María  O'Neil " becomes "jose maria oneil", "Иван Петров" becomes "ivan petrov"
// and "王小明" becomes "wang xiaoming". FoldName is idempotent.
func FoldName(s string) string {
	if nameASCII(s) {
		return nameTokenise(s)
	}
	s = norm.NFKC.String(s)
	s = nameTranslitPass(s)
	s = nameStripMarks(s)
	// A second pass catches letters the mark removal exposed (ӣ is и plus a macron).
	s = nameTranslitPass(s)
	return nameTokenise(s)
}

// nameASCII reports whether s is ASCII: the fast path, which needs no normalisation.
// It looks at eight bytes at a time, since it runs over every CV text.
func nameASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		if (w[0]|w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nameWordRune reports whether r belongs inside a word for transliteration: letters,
// marks, digits, and the invisible or apostrophe characters that are dropped in place.
func nameWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || nameDropRune(r)
}

// nameDropRune reports whether r is removed without separating words: format characters
// (category Cf: zero-width space, joiners, soft hyphen, bidi marks, BOM) and apostrophes.
func nameDropRune(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', '‘', 'ʻ', '\u034F':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// nameTranslitPass lower-cases and transliterates each word of s; separators become
// spaces.
func nameTranslitPass(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	run := make([]rune, 0, 32)
	ukrainian := translitUkrainian(s)
	flush := func() {
		if len(run) > 0 {
			translitRun(&b, run, ukrainian)
			run = run[:0]
		}
	}
	for _, r := range s {
		switch {
		case nameDropRune(r):
		case nameWordRune(r):
			run = append(run, r)
		default:
			flush()
			b.WriteByte(' ')
		}
	}
	flush()
	return b.String()
}

// nameStripMarks removes combining marks (diacritics): NFD, drop category Mn, NFC.
func nameStripMarks(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// nameTokenise keeps letters, digits (as ASCII) and spacing marks, lower-cases ASCII,
// drops apostrophes and format characters, and joins the tokens with single spaces.
func nameTokenise(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case nameDropRune(r):
			continue
		case unicode.IsDigit(r):
			r = '0' + nameDigitValue(r)
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			r = unicode.ToLower(r)
		case unicode.IsLetter(r) || unicode.IsMark(r):
		default:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// nameDigitValue is the value of a Unicode decimal digit: decimal digits come in
// contiguous runs of ten starting at a zero.
func nameDigitValue(r rune) rune {
	if r >= '0' && r <= '9' {
		return r - '0'
	}
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return r - z
		}
	}
	return 0
}

// nameHonorifics are titles, post-nominals and generational suffixes: dropped from name
// keys, since "Dr Jon Smyth" and "Jon Smyth Jr" are the same persona name. Words that are
// also common names (ma, don, md for Mohammad) are not listed.
var nameHonorifics = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "mstr": true,
	"dr": true, "prof": true, "sir": true, "dame": true, "rev": true, "revd": true,
	"hon": true, "madam": true, "madame": true, "mme": true, "mlle": true, "herr": true,
	"frau": true, "sig": true, "sra": true, "srta": true, "jr": true, "jnr": true,
	"sr": true, "snr": true, "ii": true, "iii": true, "iv": true, "esq": true,
	"phd": true, "mba": true, "msc": true, "bsc": true, "capt": true,
}

// nameTokens folds a name and returns its tokens without honorifics, at most
// nameMaxTokens of them, in input order.
func nameTokens(name string) []string {
	toks := strings.Fields(FoldName(name))
	out := toks[:0]
	for _, t := range toks {
		if nameHonorifics[t] {
			continue
		}
		out = append(out, t)
		if len(out) == nameMaxTokens {
			break
		}
	}
	return out
}

// NameKey is the name_key identifier of a name: its folded tokens without honorifics, in
// sorted order, so that "Smyth, Jon" and "Dr Jon Smyth" meet. A weak identifier: many
// people share names. NameKey of a key's own value returns that value.
func NameKey(name string) (Identifier, bool) {
	toks := nameTokens(name)
	if len(toks) == 0 {
		return Identifier{}, false
	}
	slices.Sort(toks)
	return Identifier{Kind: KindNameKey, Value: strings.Join(toks, " "), Raw: name, Valid: true}, true
}

// NameKeys returns every name_key identifier of a name, de-duplicated:
//
//   - the folded key of NameKey ("jon smyth");
//   - "dm:" and the sorted Double Metaphone primary codes of the tokens ("dm:JN|SM0"),
//     and, when some token has a different alternate code, "dm:" with the alternates;
//     both share the "dm:" space so one record's primary meets another's alternate;
//   - "ny:" and the sorted NYSIIS codes ("ny:JAN|SNYT");
//   - with a known family name (Given and Family, or a Full name written "Family,
//     Given"): "dmf:" and the family name's primary codes with the given name's initial
//     ("dmf:SM0/j"), which lets "J. Smyth" meet "John Smith".
//
// When Given and Family are set and hold other tokens than Full (a middle name, a
// nickname), the keys of "Given Family" are added too. Phonetic keys carry FlagPhonetic.
func NameKeys(n Name) []Identifier {
	display := n.Display()
	toks := nameTokens(display)
	ids := nameKeysOf(nil, toks, display)
	var family, given []string
	if n.Given != "" && n.Family != "" {
		// Without a full name the display form is this very string: no other tokens.
		if structured := n.Given + " " + n.Family; structured != display {
			if st := nameTokens(structured); !nameSameTokens(st, toks) {
				ids = nameKeysOf(ids, st, structured)
			}
		}
		family, given = nameTokens(n.Family), nameTokens(n.Given)
	} else if fam, giv, ok := strings.Cut(n.Full, ","); ok {
		family, given = nameTokens(fam), nameTokens(giv)
	}
	if len(family) > 0 && len(given) > 0 {
		var codes []string
		for _, t := range family {
			if p, _ := DoubleMetaphone(t); p != "" {
				codes = append(codes, p)
			}
		}
		initial, _ := utf8.DecodeRuneInString(given[0])
		if len(codes) > 0 {
			slices.Sort(codes)
			ids = append(ids, Identifier{
				Kind:  KindNameKey,
				Value: "dmf:" + strings.Join(codes, "|") + "/" + string(initial),
				Raw:   display,
				Valid: true,
				Flags: []string{FlagPhonetic},
			})
		}
	}
	slices.SortFunc(ids, func(a, b Identifier) int { return strings.Compare(a.Value, b.Value) })
	return slices.CompactFunc(ids, func(a, b Identifier) bool { return a.Value == b.Value })
}

// nameKeysOf appends the folded, Double Metaphone and NYSIIS keys of tokens to ids.
func nameKeysOf(ids []Identifier, toks []string, raw string) []Identifier {
	if len(toks) == 0 {
		return ids
	}
	sorted := slices.Clone(toks)
	slices.Sort(sorted)
	ids = append(ids, Identifier{Kind: KindNameKey, Value: strings.Join(sorted, " "), Raw: raw, Valid: true})
	var prim, alt, ny []string
	differ := false
	for _, t := range toks {
		p, a := DoubleMetaphone(t)
		if p != "" || a != "" {
			prim = append(prim, p)
			alt = append(alt, a)
			differ = differ || a != p
		}
		if c := NYSIIS(t); c != "" {
			ny = append(ny, c)
		}
	}
	phonetic := func(prefix string, codes []string) {
		if len(codes) == 0 {
			return
		}
		slices.Sort(codes)
		ids = append(ids, Identifier{
			Kind:  KindNameKey,
			Value: nameJoinCodes(prefix, codes),
			Raw:   raw,
			Valid: true,
			Flags: []string{FlagPhonetic},
		})
	}
	phonetic("dm:", prim)
	if differ {
		phonetic("dm:", alt)
	}
	phonetic("ny:", ny)
	return ids
}

// nameJoinCodes is prefix followed by codes joined with "|", built in one allocation.
func nameJoinCodes(prefix string, codes []string) string {
	if len(codes) == 0 {
		return prefix
	}
	n := len(prefix) + len(codes) - 1
	for _, c := range codes {
		n += len(c)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i, c := range codes {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(c)
	}
	return b.String()
}

// nameSameTokens reports whether a and b hold the same tokens, in any order.
func nameSameTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.Equal(a, b) {
		return true
	}
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	return slices.Equal(sa, sb)
}

func (x *extraction) names() {
	for _, id := range NameKeys(x.rec.Name) {
		x.add(id, true)
	}
}
