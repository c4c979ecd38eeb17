package ingest

import "strings"

// AddressKey normalises a postal address to a matching key: the folded text of its parts
// with the country in front. A first cut: issue "Normalisation in depth" adds abbreviation
// tables, house and flat numbers and postcode validation.
func AddressKey(a Address) (Identifier, bool) {
	text := a.Text
	if text == "" {
		text = strings.Join([]string{a.Line1, a.Line2, a.City, a.Region, a.Postcode}, " ")
	}
	key := FoldName(text)
	if key == "" {
		return Identifier{}, false
	}
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	id := Identifier{Kind: KindAddress, Value: country + "|" + key, Raw: text, Valid: true}
	if a.Kind != "" {
		id.Flags = []string{strings.ToLower(a.Kind)}
	}
	return id, true
}

func (x *extraction) addresses() {
	for _, a := range x.rec.Addresses {
		x.add(AddressKey(a))
	}
}
