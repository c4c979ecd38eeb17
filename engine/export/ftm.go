package export

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// ftmEntity is a FollowTheMoney entity as Aleph and the ftm tool read it, one per line.
type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// ftmID is an entity id: the SHA-1 of its kind and key, so the same persona, account
// or address gets the same id in every export and Aleph merges rather than duplicates
// them across exports.
func ftmID(kind, key string) string {
	h := sha1.Sum([]byte(kind + "\x00" + key))
	return hex.EncodeToString(h[:])
}

// ftmSet collects entities by id.
type ftmSet struct{ m map[string]*ftmEntity }

// entity returns the entity with an id, creating it with a schema.
func (s *ftmSet) entity(id, schema string) *ftmEntity {
	e, ok := s.m[id]
	if !ok {
		e = &ftmEntity{ID: id, Schema: schema, Properties: map[string][]string{}}
		s.m[id] = e
	}
	return e
}

// add appends non-empty values to a property.
func (e *ftmEntity) add(prop string, values ...string) {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			e.Properties[prop] = append(e.Properties[prop], v)
		}
	}
}

var ftmDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// WriteFtM writes the cluster as FollowTheMoney entities, one JSON object per line, for
// Aleph (`ftm` / `alephclient write-entities`):
//
//   - a Person per persona (person cluster), with every name, e-mail, phone, address and
//     document number its records presented;
//   - an Address per address value (addressEntity of its persons);
//   - a BankAccount per bank, card or money-service payout (IBAN, UK account, Payoneer,
//     Wise, ...) with an Ownership from each holding person;
//   - a CryptoWallet per wallet address, with its holders;
//   - a UserAccount per e-mail address, profile and username, with its owners;
//   - an Identification per identity document, with its holders;
//   - an UnknownLink between the persons sharing a value that has no entity of its own
//     (device, phone, photo, CV text, IP), with the value in the description: from the
//     first holding person to each other one.
//
// Entities come sorted by schema and id, properties sorted with duplicates removed.
func WriteFtM(w io.Writer, ev *Evidence) error {
	s := &ftmSet{m: map[string]*ftmEntity{}}
	personOf := map[string]string{} // record id -> Person entity id
	for _, m := range ev.Members {
		pid := ftmID("person", m.Persona)
		personOf[m.RecordID] = pid
		p := s.entity(pid, "Person")
		r := &m.rec
		p.add("name", m.Name)
		p.add("firstName", r.Name.Given)
		p.add("lastName", r.Name.Family)
		p.add("nationality", strings.ToLower(r.Nationality))
		p.add("description", "personagraph persona "+m.Persona+" in "+ev.Cluster.Level+" cluster "+ev.Cluster.ID)
		p.add("keywords", m.RecordID)
		for _, id := range m.Identifiers {
			ftmIdentifier(s, p, id)
		}
	}
	ftmLinks(s, ev, personOf)
	es := make([]*ftmEntity, 0, len(s.m))
	for _, e := range s.m {
		for k, v := range e.Properties {
			slices.Sort(v)
			e.Properties[k] = slices.Compact(v)
		}
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b *ftmEntity) int {
		return cmp.Or(strings.Compare(a.Schema, b.Schema), strings.Compare(a.ID, b.ID))
	})
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range es {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("export: ftm: %w", err)
		}
	}
	return nil
}

// ftmIdentifier adds one identifier of a person's record: as a property of the person
// and, for kinds with a schema, as an entity tied to the person.
func ftmIdentifier(s *ftmSet, p *ftmEntity, id ingest.Identifier) {
	raw := cmp.Or(id.Raw, id.Value)
	switch id.Kind {
	case ingest.KindDOB:
		if ftmDate.MatchString(id.Value) {
			p.add("birthDate", id.Value)
		}
	case ingest.KindPhone:
		p.add("phone", id.Value)
	case ingest.KindEmail:
		p.add("email", raw)
		a := s.entity(ftmID("email", id.Value), "UserAccount")
		a.add("email", raw)
		if _, domain, ok := strings.Cut(id.Value, "@"); ok {
			a.add("service", domain)
		}
		a.add("owner", p.ID)
	case ingest.KindProfile, ingest.KindUsername:
		service, handle := splitProfile(id.Value)
		if id.Kind == ingest.KindUsername {
			service, handle = "", id.Value
		}
		a := s.entity(ftmID(string(id.Kind), id.Value), "UserAccount")
		a.add("name", id.Value)
		a.add("username", handle)
		a.add("service", service)
		a.add("owner", p.ID)
	case ingest.KindAddress:
		a := s.entity(ftmID("address", id.Value), "Address")
		a.add("full", raw)
		if parts := strings.Split(id.Value, "|"); len(parts) >= 2 && len(parts[0]) == 2 {
			a.add("country", strings.ToLower(parts[0]))
			a.add("postalCode", parts[1])
		}
		p.add("address", raw)
		p.add("addressEntity", a.ID)
	case ingest.KindDocument:
		kind, rest, _ := strings.Cut(id.Value, ":")
		country, number, _ := strings.Cut(rest, ":")
		d := s.entity(ftmID("document", id.Value), "Identification")
		d.add("type", kind)
		d.add("number", number)
		d.add("country", strings.ToLower(country))
		d.add("holder", p.ID)
		p.add("idNumber", number)
		if kind == "passport" {
			p.add("passportNumber", number)
		}
	case ingest.KindPayment:
		if !id.HasFlag(ingest.FlagPaymentFromIBAN) { // the IBAN's own account is the same account
			ftmPayment(s, p, id)
		}
	}
}

// cryptoSchemes are the payment value schemes of wallet addresses (ingest/payment.go).
var cryptoSchemes = map[string]string{"btc": "BTC", "ltc": "LTC", "eth": "ETH", "trx": "TRX", "crypto": ""}

// ftmPayment adds a payout account: a CryptoWallet held by the person, or a BankAccount
// the person owns (FtM has no holder property on accounts; ownership is an Ownership).
func ftmPayment(s *ftmSet, p *ftmEntity, id ingest.Identifier) {
	scheme, rest, ok := strings.Cut(id.Value, ":")
	if !ok {
		scheme, rest = "other", id.Value
	}
	if sym, ok := cryptoSchemes[scheme]; ok {
		wlt := s.entity(ftmID("payment", id.Value), "CryptoWallet")
		wlt.add("name", id.Value)
		wlt.add("publicKey", rest)
		wlt.add("currencySymbol", sym)
		wlt.add("holder", p.ID)
		return
	}
	acct := s.entity(ftmID("payment", id.Value), "BankAccount")
	acct.add("name", id.Value)
	switch scheme {
	case "iban":
		acct.add("iban", rest)
		acct.add("accountNumber", rest)
	case "bic":
		acct.add("bic", rest)
	case "ukacct":
		acct.add("accountNumber", rest)
		acct.add("accountType", "UK sort code and account")
	case "bank":
		acct.add("accountNumber", rest)
	case "card":
		// Only a hash and the last four digits are ever stored.
		acct.add("accountType", "card")
		acct.add("accountNumber", rest)
	default: // money services: paypal, payoneer, wise, revolut, other
		acct.add("accountNumber", rest)
		acct.add("bankName", scheme)
		if id.HasFlag(ingest.FlagMoneyService) {
			acct.add("accountType", "money service")
		}
	}
	own := s.entity(ftmID("ownership", p.ID+"\x00"+acct.ID), "Ownership")
	own.add("owner", p.ID)
	own.add("asset", acct.ID)
	own.add("role", "payout account")
}

// ftmLinkKinds are the kinds WriteFtM turns into UnknownLinks when shared: those with no
// entity of their own, and strong enough to name.
var ftmLinkKinds = map[string]bool{"device": true, "phone": true, "photo": true, "cv_shingle_band": true, "ip": true}

// ftmLinks ties the persons sharing each value of a kind in ftmLinkKinds.
func ftmLinks(s *ftmSet, ev *Evidence, personOf map[string]string) {
	for _, v := range ev.Values {
		if !ftmLinkKinds[v.Kind] {
			continue
		}
		var persons []string
		for _, r := range v.Records {
			persons = append(persons, personOf[r])
		}
		slices.Sort(persons)
		persons = slices.Compact(persons)
		if len(persons) < 2 {
			continue // shared inside one persona: nothing to link
		}
		for _, other := range persons[1:] {
			l := s.entity(ftmID("link", persons[0]+"\x00"+other+"\x00"+v.Key()), "UnknownLink")
			l.add("subject", persons[0])
			l.add("object", other)
			l.add("role", "shared "+strings.ReplaceAll(v.Kind, "_", " "))
			l.add("description", v.Key())
		}
	}
}

// splitProfile splits a profile value into service and handle: "github:jsmyth" is
// ("github", "jsmyth"); a generic "example.com/u/jsmyth" is ("example.com", the value).
func splitProfile(v string) (string, string) {
	if service, handle, ok := strings.Cut(v, ":"); ok && !strings.Contains(service, "/") {
		return service, handle
	}
	host, _, _ := strings.Cut(v, "/")
	return host, v
}
