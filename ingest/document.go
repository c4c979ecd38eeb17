package ingest

import (
	"strings"
	"unicode"
)

// DocumentNumber normalises an identity document to "kind:country:number": the number
// upper-cased with everything but letters and digits removed, the country defaulting to
// the record's nationality. Kind and country are part of the value because two countries'
// passports may share a number.
func DocumentNumber(d Document, nationality string) (Identifier, bool) {
	num := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, d.Number)
	if num == "" {
		return Identifier{}, false
	}
	kind := strings.ToLower(strings.TrimSpace(d.Kind))
	if kind == "" {
		kind = "other"
	}
	country := strings.ToUpper(strings.TrimSpace(d.Country))
	if country == "" {
		country = strings.ToUpper(strings.TrimSpace(nationality))
	}
	return Identifier{Kind: KindDocument, Value: kind + ":" + country + ":" + num, Raw: d.Number, Valid: true}, true
}

func (x *extraction) documents() {
	for _, d := range x.rec.Documents {
		x.add(DocumentNumber(d, x.rec.Nationality))
	}
}
