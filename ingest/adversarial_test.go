package ingest

import (
	"strings"
	"testing"
)

// adversarialCase is one hostile input to one normaliser, with the identifier it must
// give. The five families the issue names are covered for every normaliser: homoglyphs
// (Cyrillic or Greek letters that look Latin), zero-width characters, full-width
// digits, mixed scripts, and very long input. Where a disguise should be seen through,
// the value equals the plain input's; where it must not be (a homoglyph domain is another
// domain), the value differs and says so.
type adversarialCase struct {
	kind, family string
	run          func() (Identifier, bool)
	ok           bool // false: no identifier at all
	value        string
	valid        bool
	prefix       bool // value is only the start of the (very long) value
}

// longText is input far beyond any real field, to check that normalisers bound their work
// and their output.
var longText = strings.Repeat("a1 ", 100_000)

func adversarialCases() []adversarialCase {
	email := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return Email(s) } }
	phone := func(s, r string) func() (Identifier, bool) { return func() (Identifier, bool) { return Phone(s, r) } }
	addr := func(a Address) func() (Identifier, bool) { return func() (Identifier, bool) { return AddressKey(a) } }
	postcode := func(s, c string) func() (Identifier, bool) {
		return func() (Identifier, bool) { return Postcode(s, c) }
	}
	pay := func(k, v string) func() (Identifier, bool) {
		return func() (Identifier, bool) { return PaymentAccount(Payment{Kind: k, Value: v}) }
	}
	name := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return NameKey(s) } }
	device := func(s string) func() (Identifier, bool) {
		return func() (Identifier, bool) { return DeviceFingerprint(Device{Fingerprint: s}) }
	}
	ip := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return IPAddress(s) } }
	profile := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return Profile(s) } }
	doc := func(k, n, c string) func() (Identifier, bool) {
		return func() (Identifier, bool) { return DocumentNumber(Document{Kind: k, Number: n, Country: c}, "") }
	}
	photo := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return PhotoHash(s) } }
	dob := func(s string) func() (Identifier, bool) { return func() (Identifier, bool) { return DateOfBirth(s) } }
	// cvPhone is the first phone CVIdentifiers finds in text.
	cvPhone := func(text string) func() (Identifier, bool) {
		return func() (Identifier, bool) {
			for _, id := range CVIdentifiers(text, "GB") {
				if id.Kind == KindPhone {
					return id, true
				}
			}
			return Identifier{}, false
		}
	}
	cvEmail := func(text string) func() (Identifier, bool) {
		return func() (Identifier, bool) {
			for _, id := range CVIdentifiers(text, "GB") {
				if id.Kind == KindEmail {
					return id, true
				}
			}
			return Identifier{}, false
		}
	}
	return []adversarialCase{
		{"email", "homoglyph", email("jon@gm\u0430il.com"), true, "jon@xn--gmil-63d.com", true, false},
		{"email", "zero-width", email("jo\u200bn@gm\u200cail.com"), true, "jon@gmail.com", true, false},
		{"email", "full-width", email("ｊｏｎ１２＠ｇｍａｉｌ．ｃｏｍ"), true, "jon12@gmail.com", true, false},
		{"email", "mixed scripts", email("иван.petrov@yandex.ru"), true, "иван.petrov@yandex.ru", true, false},
		{"email", "long", email(longText + "@example.com"), true, "a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1", false, true},
		{"phone", "homoglyph", phone("+44 79ll 123456", "GB"), true, "+4479123456", false, false},
		{"phone", "zero-width", phone("+44\u200b7911\u200d123456", ""), true, "+447911123456", true, false},
		{"phone", "full-width", phone("＋４４ ７９１１ １２３４５６", ""), true, "+447911123456", true, false},
		{"phone", "mixed scripts", phone("+44 ٧٩١١ 123456", ""), true, "+447911123456", true, false},
		{"phone", "long", phone(longText, "GB"), true, "1111111111111111111111111111111111111111111111111111111111111111", false, false},
		{"address", "homoglyph", addr(Address{Text: "10 H\u0456gh St, Leeds LS1 4AB"}), true, "GB|LS1 4AB|10||high street", true, false},
		{"address", "zero-width", addr(Address{Text: "10 Hi\u200bgh St\u00ad, Leeds LS1\u200b 4AB"}), true, "GB|LS1 4AB|10||high street", true, false},
		{"address", "full-width", addr(Address{Text: "１０ High St, Leeds ＬＳ１ ４ＡＢ"}), true, "GB|LS1 4AB|10||high street", true, false},
		{"address", "mixed scripts", addr(Address{Text: "ул. Тверская 7, Moscow 125009", Country: "RU"}), true, "RU||7||125009 moscow тверская ул", true, false},
		{"address", "long", addr(Address{Text: longText + " LS1 4AB"}), true, "||||a a1", true, false},
		{"postcode", "homoglyph", postcode("LS1 4\u0410B", "GB"), true, "GB:LS14АB", false, false},
		{"postcode", "zero-width", postcode("LS1\u200b4AB", "GB"), true, "GB:LS1 4AB", true, false},
		{"postcode", "full-width", postcode("ＬＳ１ ４ＡＢ", "GB"), true, "GB:LS1 4AB", true, false},
		{"postcode", "mixed scripts", postcode("１０１１５", "DE"), true, "DE:10115", true, false},
		{"postcode", "long", postcode(longText, "GB"), true, "GB:A1A1A1A1A1A1A1A1", false, false},
		{"payment", "homoglyph", pay("iban", "G\u0412 33 BUKB 2020 1555 5555 55"), true, "iban:G33BUKB20201555555555", false, false},
		{"payment", "zero-width", pay("iban", "GB33\u200bBUKB\u2060 2020 1555 5555 55"), true, "iban:GB33BUKB20201555555555", true, false},
		{"payment", "full-width", pay("iban", "ＧＢ３３ＢＵＫＢ２０２０１５５５５５５５５５"), true, "iban:GB33BUKB20201555555555", true, false},
		{"payment", "mixed scripts", pay("card", "4111 ١١١١ 1111 1111"), true, "card:5ee596b10501b032:1111", true, false},
		{"payment", "long", pay("iban", longText), true, "iban:A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A", false, true},
		{"name", "homoglyph", name("J\u043ehn Sm\u0456th"), true, "john smith", true, false},
		{"name", "zero-width", name("Jo\u200bhn Smi\u200dth"), true, "john smith", true, false},
		{"name", "full-width", name("ＪＯＨＮ ＳＭＩＴＨ"), true, "john smith", true, false},
		{"name", "mixed scripts", name("Иван Smith 王"), true, "ivan smith wang", true, false},
		{"name", "long", name(longText), true, "a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1", true, false},
		{"device", "homoglyph", device("C3A1-F0E4-B2D4-97\u04206"), true, "c3a1-f0e4-b2d4-97р6", true, false},
		{"device", "zero-width", device("C3A1\u200b-F0E4-B2D4-9786"), true, "c3a1f0e4b2d49786", true, false},
		{"device", "full-width", device("Ｃ３Ａ１-Ｆ０Ｅ４-Ｂ２Ｄ４-９７８６"), true, "c3a1f0e4b2d49786", true, false},
		{"device", "mixed scripts", device("устройство-42"), true, "устройство-42", true, false},
		{"device", "long", device(longText), true, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", true, true},
		{"ip", "homoglyph", ip("2001:db8::\u0430"), true, "2001:db8::а", false, false},
		{"ip", "zero-width", ip("81.2.\u200b69.160"), true, "81.2.69.160", true, false},
		{"ip", "full-width", ip("８１．２．６９．１６０"), true, "81.2.69.160", true, false},
		{"ip", "mixed scripts", ip("81.2.٦٩.160"), true, "81.2.٦٩.160", false, false},
		{"ip", "long", ip(longText), true, "a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1", false, true},
		{"profile", "homoglyph", profile("https://github.com/j\u0455myth"), true, "github.com/jѕmyth", false, false},
		{"profile", "zero-width", profile("https://github.com/js\u200bmyth"), true, "github:jsmyth", true, false},
		{"profile", "full-width", profile("ｇｉｔｈｕｂ．ｃｏｍ／ｊｓｍｙｔｈ１２"), true, "github:jsmyth12", true, false},
		{"profile", "mixed scripts", profile("t.me/ivan_петров"), true, "t.me/ivan_петров", false, false},
		{"profile", "long", profile("https://github.com/" + strings.Repeat("a", 100_000)), true, "github.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, true},
		{"document", "homoglyph", doc("passport", "\u0410B1234567", "GB"), true, "passport:GB:AB1234567", true, false},
		{"document", "zero-width", doc("passport", "AB12\u200b34567", "GB"), true, "passport:GB:AB1234567", true, false},
		{"document", "full-width", doc("passport", "ＡＢ１２３４５６７", "GB"), true, "passport:GB:AB1234567", true, false},
		{"document", "mixed scripts", doc("passport", "АБ1234567", "RU"), true, "passport:RU:AБ1234567", true, false},
		{"document", "long", doc("passport", longText, "GB"), true, "passport:GB:A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", true, true},
		{"photo", "homoglyph", photo("c3a1f0e4b2d4978\u0431"), true, "c3a1f0e4b2d4978б", false, false},
		{"photo", "zero-width", photo("c3a1f0e4\u200bb2d49786"), true, "c3a1f0e4b2d49786", true, false},
		{"photo", "full-width", photo("ｃ３ａ１ｆ０ｅ４ｂ２ｄ４９７８６"), true, "c3a1f0e4b2d49786", true, false},
		{"photo", "mixed scripts", photo("c3a1f0e4b2d4978٦"), true, "c3a1f0e4b2d4978٦", false, false},
		{"photo", "long", photo(strings.Repeat("f", 100_000)), true, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false, true},
		{"dob", "homoglyph", dob("15 Jun\u0435 1994"), true, "15 junе 1994", false, false},
		{"dob", "zero-width", dob("1994-06\u200b-15"), true, "1994-06-15", true, false},
		{"dob", "full-width", dob("１９９４－０６－１５"), true, "1994-06-15", true, false},
		{"dob", "mixed scripts", dob("١٩٩٤-06-15"), true, "1994-06-15", true, false},
		{"dob", "long", dob(longText), true, "a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1 a1", false, true},
		{"cv", "homoglyph", cvEmail("Contact: jon@gm\u0430il.com"), true, "jon@xn--gmil-63d.com", true, false},
		{"cv", "zero-width", cvPhone("Call +44\u200b7911\u200b123456 anytime"), true, "+447911123456", true, false},
		{"cv", "full-width", cvPhone("Phone ＋４４ ７９１１ １２３４５６."), true, "+447911123456", true, false},
		{"cv", "mixed scripts", cvEmail("Связь: ivan.petrov@yandex.ru, Telegram"), true, "ivan.petrov@yandex.ru", true, false},
		{"cv", "long", cvPhone(longText + " +44 7911 123456"), true, "+447911123456", true, false},
	}
}

func TestAdversarialInputs(t *testing.T) {
	for _, tc := range adversarialCases() {
		t.Run(tc.kind+"/"+tc.family, func(t *testing.T) {
			id, ok := tc.run()
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, id)
			}
			if tc.prefix && !strings.HasPrefix(id.Value, tc.value) || !tc.prefix && id.Value != tc.value {
				t.Errorf("value %.100q, want %q (prefix only: %v)", id.Value, tc.value, tc.prefix)
			}
			if id.Valid != tc.valid {
				t.Errorf("valid = %v, want %v", id.Valid, tc.valid)
			}
			if id.Valid == id.HasFlag(FlagInvalid) {
				t.Errorf("valid %v but flags %v", id.Valid, id.Flags)
			}
			// Whatever a normaliser gives, what reaches the store is bounded, and a value
			// that had to be cut is not a valid one.
			b := boundIdentifier(id)
			if len(b.Value) > MaxIdentifierValueBytes {
				t.Errorf("bounded value is %d bytes", len(b.Value))
			}
			if len(id.Value) > MaxIdentifierValueBytes && (b.Valid || !b.HasFlag(FlagInvalid)) {
				t.Errorf("value of %d bytes bounded but still valid: %+v", len(id.Value), b.Flags)
			}
		})
	}
}

// Found by FuzzDoubleMetaphone: a capital whose lower case is ASCII (Turkish İ, the
// Kelvin sign) was dropped, while its lower case was read, so a word's code depended on
// its case.
func TestDoubleMetaphoneUnicodeCapitals(t *testing.T) {
	for _, tc := range []struct{ upper, lower string }{{"İVAN", "ivan"}, {"\u212aAREN", "karen"}} {
		p1, a1 := DoubleMetaphone(tc.upper)
		p2, a2 := DoubleMetaphone(tc.lower)
		if p1 != p2 || a1 != a2 || p1 == "" {
			t.Errorf("DoubleMetaphone(%q) = %s/%s, of %q %s/%s", tc.upper, p1, a1, tc.lower, p2, a2)
		}
	}
}

// Found by FuzzPaymentAccount: NFKC turns "΄" (Greek tonos) into a space and a combining
// acute; with the space removed the acute joined the letter before it only on the next
// normalisation, so an "other" value was not its own canonical form.
func TestPaymentOtherCombiningMark(t *testing.T) {
	id, ok := PaymentAccount(Payment{Kind: "other", Value: "abcA΄"})
	if !ok || id.Value != "other:abc\u00e1" {
		t.Fatalf("value %q (%v), want %q", id.Value, ok, "other:abc\u00e1")
	}
	if again, ok := PaymentAccount(Payment{Kind: "other", Value: id.Value}); !ok || again.Value != id.Value {
		t.Fatalf("not idempotent: %q -> %q", id.Value, again.Value)
	}
}
