package graph

// The mapping path of indexing, as it was before searchdoc.go: a searchDoc struct that
// Bleve's mapping walks and analyses. Kept to check that the prebuilt documents index
// the same terms (TestDocPathsAgree) and to benchmark against.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/personagraph/personagraph/ingest"
)

// searchDoc is what is indexed per record. Every field is a list of terms or texts;
// empty ones are left out of the document.
type searchDoc struct {
	Folded   []string `json:"folded,omitempty"`
	Tokens   []string `json:"tokens,omitempty"`
	Phonetic []string `json:"phonetic,omitempty"`
	Email    []string `json:"email,omitempty"`
	Phone    []string `json:"phone,omitempty"`
	Address  []string `json:"address,omitempty"`
	Postcode []string `json:"postcode,omitempty"`
	CV       []string `json:"cv,omitempty"`
}

func (d *searchDoc) empty() bool {
	return len(d.Folded)+len(d.Tokens)+len(d.Phonetic)+len(d.Email)+len(d.Phone)+len(d.Address)+len(d.Postcode)+len(d.CV) == 0
}

// oldBuildDoc derives a record's plain search document from its name, CV text and
// identifiers.
func oldBuildDoc(rec *ingest.Record, ids []ingest.Identifier) *searchDoc {
	d := &searchDoc{}
	if f := ingest.FoldName(rec.Name.Display()); f != "" {
		d.Folded = append(d.Folded, f)
	}
	if rec.CVText != "" {
		d.CV = []string{rec.CVText}
	}
	for _, id := range ids {
		switch id.Kind {
		case ingest.KindNameKey:
			if slices.Contains(id.Flags, ingest.FlagPhonetic) {
				d.Phonetic = append(d.Phonetic, phoneticTerms(id.Value)...)
			} else {
				d.Folded = append(d.Folded, id.Value)
			}
		case ingest.KindEmail:
			d.Email = append(d.Email, id.Value, strings.ToLower(strings.TrimSpace(id.Raw)))
		case ingest.KindPhone:
			d.Phone = append(d.Phone, oldPhoneTerms(id)...)
		case ingest.KindAddress:
			d.Address = append(d.Address, ingest.FoldName(id.Raw), ingest.FoldName(id.Value))
		case ingest.KindPostcode:
			d.Postcode = append(d.Postcode, oldPostcodeTerms(id.Value)...)
		}
	}
	for _, f := range []*[]string{&d.Folded, &d.Phonetic, &d.Email, &d.Phone, &d.Address, &d.Postcode} {
		*f = uniqueNonEmpty(*f)
	}
	return d
}

// oldPhoneTerms are the digit strings a phone is found by: its E.164 number without the
// plus, its national number with the trunk prefix ("02079460018"), and the raw digits.
func oldPhoneTerms(id ingest.Identifier) []string {
	out := []string{digitsOf(id.Value), digitsOf(id.Raw)}
	if strings.HasPrefix(id.Value, "+") {
		if num, err := phonenumbers.Parse(id.Value, ""); err == nil {
			out = append(out, digitsOf(phonenumbers.Format(num, phonenumbers.NATIONAL)))
		}
	}
	return out
}

// oldPostcodeTerms turns a postcode identifier ("GB:LS1 4AB") into its compact form and
// its outward part ("ls14ab", "ls1").
func oldPostcodeTerms(v string) []string {
	if _, pc, ok := strings.Cut(v, ":"); ok {
		v = pc
	}
	v = strings.ToLower(v)
	out := []string{compact(v)}
	if outward, _, ok := strings.Cut(v, " "); ok {
		out = append(out, outward)
	}
	return out
}

// oldHashDoc replaces every term of a plain document by its keyed hash. Text fields are
// tokenised first, the way their analyzers would: folded names and addresses on spaces,
// CV text with wordsAnalyzer.
func (n *nameIndex) oldHashDoc(d *searchDoc) *searchDoc {
	h := &searchDoc{
		Tokens:   oldAll(n.hasher, oldTokensOf(d.Folded)),
		Phonetic: oldAll(n.hasher, d.Phonetic),
		Email:    oldAll(n.hasher, d.Email),
		Phone:    oldAll(n.hasher, d.Phone),
		Address:  oldAll(n.hasher, oldTokensOf(d.Address)),
		Postcode: oldAll(n.hasher, d.Postcode),
	}
	for _, t := range d.CV {
		h.CV = append(h.CV, analysedTerms(n.cv, t)...)
	}
	h.CV = oldAll(n.hasher, uniqueNonEmpty(h.CV))
	return h
}

// oldTokensOf splits space-separated texts into their distinct tokens.
func oldTokensOf(texts []string) []string {
	var out []string
	for _, t := range texts {
		out = append(out, strings.Fields(t)...)
	}
	return uniqueNonEmpty(out)
}

// oldIndexRecords is indexRecords of the mapping path.
func (n *nameIndex) oldIndexRecords(puts []Put) error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	b := n.idx.NewBatch()
	for _, p := range puts {
		doc := oldBuildDoc(p.Record, p.Identifiers)
		if doc.empty() {
			b.Delete(p.Record.RecordID)
			continue
		}
		var v any = doc
		if n.hasher != nil {
			v = n.oldHashDoc(doc)
		}
		if err := b.Index(p.Record.RecordID, v); err != nil {
			return fmt.Errorf("graph: index record %q: %w", p.Record.RecordID, err)
		}
	}
	if err := n.idx.Batch(b); err != nil {
		return fmt.Errorf("graph: index batch: %w", err)
	}
	return nil
}

// oldAll hashes tokens one HMAC at a time (tokenHasher.hash), independently of the
// hashing session the document builder uses.
func oldAll(h *tokenHasher, tokens []string) []string {
	if len(tokens) == 0 {
		return nil
	}
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = h.hash(t)
	}
	return out
}
