package ingest

import (
	"slices"
	"strings"
	"testing"
)

func TestPaymentIdentifiers(t *testing.T) {
	const visa = "card:5ee596b10501b032:1111" // golden: changing the hash orphans stored values
	tests := []struct {
		name        string
		in          Payment
		want        []string // values, the main one first
		valid       bool     // of the main identifier
		flags       []string // of the main identifier
		raw         string   // "" = the input value
		mustNotHave string   // a substring no Value or Raw may contain
	}{
		// IBAN.
		{"iban spaced", Payment{Kind: "iban", Value: "GB33 BUKB 2020 1555 5555 55"},
			[]string{"iban:GB33BUKB20201555555555", "ukacct:202015-55555555"}, true, []string{FlagBank}, "", ""},
		{"iban lower with prefix word", Payment{Kind: "IBAN", Value: "iban de89 3704 0044 0532 0130 00"},
			[]string{"iban:DE89370400440532013000"}, true, []string{FlagBank}, "", ""},
		{"iban fr with letter in bban", Payment{Kind: "iban", Value: "FR14 2004 1010 0505 0001 3M02 606"},
			[]string{"iban:FR1420041010050500013M02606"}, true, []string{FlagBank}, "", ""},
		{"iban norway shortest", Payment{Kind: "iban", Value: "NO93 8601 1117 947"},
			[]string{"iban:NO9386011117947"}, true, []string{FlagBank}, "", ""},
		{"iban bad check digits", Payment{Kind: "iban", Value: "GB34BUKB20201555555555"},
			[]string{"iban:GB34BUKB20201555555555"}, false, []string{FlagBank, FlagInvalid}, "", ""},
		{"iban wrong length", Payment{Kind: "iban", Value: "GB33BUKB2020155555555"},
			[]string{"iban:GB33BUKB2020155555555"}, false, []string{FlagBank, FlagInvalid}, "", ""},
		{"iban full-width and zero-width", Payment{Kind: "iban", Value: "ＧＢ33\u200bBUKB20201555555555"},
			[]string{"iban:GB33BUKB20201555555555", "ukacct:202015-55555555"}, true, []string{FlagBank}, "", ""},
		{"iban cyrillic homoglyph is invalid", Payment{Kind: "iban", Value: "GB33BUKB2020155555555\u0417"},
			[]string{"iban:GB33BUKB2020155555555"}, false, []string{FlagBank, FlagInvalid}, "", ""},
		{"iban in other", Payment{Kind: "other", Value: "NL91ABNA0417164300"},
			[]string{"iban:NL91ABNA0417164300"}, true, []string{FlagBank}, "", ""},
		{"iban in bank_account", Payment{Kind: "bank_account", Value: "BE68 5390 0754 7034"},
			[]string{"iban:BE68539007547034"}, true, []string{FlagBank}, "", ""},
		// UK sort code and account.
		{"sort code 8-digit account", Payment{Kind: "sort_code_account", Value: "20-00-00 55555555"},
			[]string{"ukacct:200000-55555555"}, true, []string{FlagBank}, "", ""},
		{"sort code 7-digit account padded", Payment{Kind: "sort_code_account", Value: "200000 5555555"},
			[]string{"ukacct:200000-05555555"}, true, []string{FlagBank}, "", ""},
		{"sort code too short", Payment{Kind: "sort_code_account", Value: "20-00-00 55555"},
			[]string{"ukacct:20000055555"}, false, []string{FlagBank, FlagInvalid}, "", ""},
		{"sort code in other", Payment{Kind: "other", Value: "20-00-00 55555555"},
			[]string{"ukacct:200000-55555555"}, true, []string{FlagBank}, "", ""},
		// Other bank forms.
		{"bank account", Payment{Kind: "bank_account", Value: "0001-2345 678x"},
			[]string{"bank:00012345678X"}, true, []string{FlagBank, FlagPaymentUnchecked}, "", ""},
		{"bic primary office", Payment{Kind: "swift", Value: "deut de ff xxx"},
			[]string{"bic:DEUTDEFF"}, true, []string{FlagBank}, "", ""},
		{"bic branch", Payment{Kind: "bic", Value: "NWBKGB2L123"},
			[]string{"bic:NWBKGB2L123"}, true, []string{FlagBank}, "", ""},
		{"bic bad", Payment{Kind: "bic", Value: "DEU1DEFF"},
			[]string{"bic:DEU1DEFF"}, false, []string{FlagBank, FlagInvalid}, "", ""},
		// Cards: never the number.
		{"card spaced", Payment{Kind: "card", Value: "4111 1111 1111 1111"},
			[]string{visa}, true, []string{FlagBank}, "**** **** **** 1111", "41111111"},
		{"card dashed", Payment{Kind: "credit_card", Value: "4111-1111-1111-1111"},
			[]string{visa}, true, []string{FlagBank}, "****-****-****-1111", "4111-1111"},
		{"card full-width", Payment{Kind: "card", Value: "４１１１１１１１１１１１１１１１"},
			[]string{visa}, true, []string{FlagBank}, "************1111", "41111111"},
		{"card bad luhn", Payment{Kind: "card", Value: "4111111111111112"},
			nil, false, []string{FlagBank, FlagInvalid}, "************1112", "41111111"},
		{"card in other", Payment{Kind: "other", Value: "4111111111111111"},
			[]string{visa}, true, []string{FlagBank}, "************1111", "41111111"},
		{"card in bank account", Payment{Kind: "bank_account", Value: "4111111111111111"},
			[]string{visa}, true, []string{FlagBank}, "************1111", "41111111"},
		{"card value again", Payment{Kind: "other", Value: visa},
			[]string{visa}, true, []string{FlagBank}, visa, ""},
		// Crypto.
		{"btc p2pkh", Payment{Kind: "crypto", Value: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
			[]string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, true, []string{FlagCrypto}, "", ""},
		{"btc p2pkh bad checksum", Payment{Kind: "crypto", Value: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"},
			[]string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"}, false, []string{FlagCrypto, FlagInvalid}, "", ""},
		{"btc p2sh", Payment{Kind: "crypto", Value: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
			[]string{"btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"}, true, []string{FlagCrypto}, "", ""},
		{"btc bech32 upper", Payment{Kind: "crypto", Value: "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"},
			[]string{"btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, true, []string{FlagCrypto}, "", ""},
		{"btc bech32 mixed case", Payment{Kind: "crypto", Value: "bc1qW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"},
			[]string{"btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, false, []string{FlagCrypto, FlagInvalid}, "", ""},
		{"btc taproot bech32m", Payment{Kind: "crypto", Value: "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
			[]string{"btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"}, true, []string{FlagCrypto}, "", ""},
		{"btc v0 with bech32m checksum", Payment{Kind: "crypto", Value: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"},
			[]string{"btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"}, false, []string{FlagCrypto, FlagInvalid}, "", ""},
		{"btc uri", Payment{Kind: "other", Value: "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1"},
			[]string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, true, []string{FlagCrypto}, "", ""},
		{"eth eip55", Payment{Kind: "crypto", Value: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
			[]string{"eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}, true, []string{FlagCrypto}, "", ""},
		{"eth eip55 second vector", Payment{Kind: "crypto", Value: "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"},
			[]string{"eth:0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb"}, true, []string{FlagCrypto}, "", ""},
		{"eth all lower", Payment{Kind: "crypto", Value: "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"},
			[]string{"eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"}, true, []string{FlagCrypto}, "", ""},
		{"eth all upper", Payment{Kind: "crypto", Value: "0XFB6916095CA1DF60BB79CE92CE3EA74C37C5D359"},
			[]string{"eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"}, true, []string{FlagCrypto}, "", ""},
		{"eth bad checksum", Payment{Kind: "crypto", Value: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"},
			[]string{"eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}, false, []string{FlagCrypto, FlagInvalid}, "", ""},
		{"eth in other", Payment{Kind: "other", Value: " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed "},
			[]string{"eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}, true, []string{FlagCrypto}, "", ""},
		{"tron", Payment{Kind: "usdt", Value: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
			[]string{"trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}, true, []string{FlagCrypto}, "", ""},
		{"tron bad checksum", Payment{Kind: "crypto", Value: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"},
			[]string{"trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"}, false, []string{FlagCrypto, FlagInvalid}, "", ""},
		{"tron zero-width", Payment{Kind: "crypto", Value: "TR7NHqjeKQxGTCi8q8\u200bZY4pL8otSzgjLj6t"},
			[]string{"trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}, true, []string{FlagCrypto}, "", ""},
		{"crypto unknown chain", Payment{Kind: "crypto", Value: "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"},
			[]string{"crypto:7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"}, true, []string{FlagCrypto, FlagPaymentUnchecked}, "", ""},
		{"base58-looking handle in other is not a wallet", Payment{Kind: "other", Value: "Tanyasmith1234567890abcdefghjk"},
			[]string{"other:tanyasmith1234567890abcdefghjk"}, true, nil, "", ""},
		// Money services.
		{"paypal email", Payment{Kind: "PayPal", Value: " Someone@X.com "},
			[]string{"paypal:someone@x.com"}, true, []string{FlagMoneyService}, "", ""},
		{"paypal.me link", Payment{Kind: "paypal", Value: "https://www.paypal.me/JSmyth/"},
			[]string{"paypal:jsmyth"}, true, []string{FlagMoneyService}, "", ""},
		{"transferwise is wise", Payment{Kind: "TransferWise", Value: "j.smyth@gmail.com"},
			[]string{"wise:j.smyth@gmail.com"}, true, []string{FlagMoneyService}, "", ""},
		{"revolut tag", Payment{Kind: "revolut", Value: "@JonS94"},
			[]string{"revolut:jons94"}, true, []string{FlagMoneyService}, "", ""},
		{"payoneer prefixed in other", Payment{Kind: "other", Value: "payoneer:J@X.COM"},
			[]string{"payoneer:j@x.com"}, true, []string{FlagMoneyService}, "", ""},
		{"skrill", Payment{Kind: "skrill", Value: "jon@x.com"},
			[]string{"skrill:jon@x.com"}, true, []string{FlagMoneyService}, "", ""},
		// Other.
		{"other email", Payment{Kind: "", Value: "Jon@Example.com"},
			[]string{"other:jon@example.com"}, true, nil, "", ""},
		{"unknown kind is other", Payment{Kind: "barter", Value: "Goats 12"},
			[]string{"other:goats12"}, true, nil, "", ""},
		{"empty", Payment{Kind: "iban", Value: " \u200b "}, []string{}, false, nil, "", ""},
		{"handle that is only an at sign", Payment{Kind: "paypal", Value: "@"}, []string{}, false, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := PaymentIdentifiers(tc.in)
			if tc.want != nil && len(tc.want) == 0 {
				if len(ids) != 0 {
					t.Fatalf("got %v, want none", ids)
				}
				return
			}
			if len(ids) == 0 {
				t.Fatal("no identifiers")
			}
			var got []string
			for _, id := range ids {
				if id.Kind != KindPayment {
					t.Errorf("kind %q", id.Kind)
				}
				got = append(got, id.Value)
				if tc.mustNotHave != "" && (strings.Contains(id.Value, tc.mustNotHave) || strings.Contains(id.Raw, tc.mustNotHave)) {
					t.Errorf("%q leaks into value %q or raw %q", tc.mustNotHave, id.Value, id.Raw)
				}
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("values = %q, want %q", got, tc.want)
			}
			if tc.want == nil && !strings.HasPrefix(got[0], "card:") {
				t.Errorf("value = %q, want a card value", got[0])
			}
			if ids[0].Valid != tc.valid || !slices.Equal(ids[0].Flags, tc.flags) {
				t.Errorf("valid=%v flags=%v, want valid=%v flags=%v", ids[0].Valid, ids[0].Flags, tc.valid, tc.flags)
			}
			raw := tc.raw
			if raw == "" {
				raw = tc.in.Value
			}
			if ids[0].Raw != raw {
				t.Errorf("raw = %q, want %q", ids[0].Raw, raw)
			}
		})
	}
}

// TestPaymentCardNeverStored feeds card numbers through every kind and checks that no
// identifier keeps more than the last four digits.
func TestPaymentCardNeverStored(t *testing.T) {
	pans := []string{"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000"}
	kinds := []string{"card", "other", "", "bank_account", "iban", "crypto"}
	for _, pan := range pans {
		for _, kind := range kinds {
			for _, v := range []string{pan, pan[:4] + " " + pan[4:8] + " " + pan[8:]} {
				for _, id := range PaymentIdentifiers(Payment{Kind: kind, Value: v}) {
					head := pan[:len(pan)-4]
					if strings.Contains(id.Value, head) || strings.Contains(strings.ReplaceAll(id.Raw, " ", ""), head) {
						t.Errorf("kind %q: %q kept in value %q raw %q", kind, pan, id.Value, id.Raw)
					}
				}
			}
		}
	}
}

func TestPaymentLongInput(t *testing.T) {
	v := strings.Repeat("GB33BUKB20201555555555", 50000)
	id, ok := PaymentAccount(Payment{Kind: "iban", Value: v})
	if !ok || id.Valid || len(id.Raw) > maxPaymentBytes || len(id.Value) > maxPaymentBytes+16 {
		t.Errorf("ok=%v valid=%v raw %d bytes value %d bytes", ok, id.Valid, len(id.Raw), len(id.Value))
	}
}

func TestIBANLengthTable(t *testing.T) {
	for cc, n := range ibanLengths {
		if len(cc) != 2 || !pcAllUpper(cc) || n < 15 || n > 34 {
			t.Errorf("bad entry %q: %d", cc, n)
		}
	}
}

// FuzzPaymentAccount checks that no input panics, that a value normalises to itself
// (given back whole with kind "other", and without its prefix under a kind of the same
// scheme), and that a card number never survives in Value or Raw.
func FuzzPaymentAccount(f *testing.F) {
	for _, s := range []string{"GB33 BUKB 2020 1555 5555 55", "20-00-00 5555555", "4111 1111 1111 1111",
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
		"https://paypal.me/x/", "DEUTDEFFXXX", "bitcoin:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy?x=1",
		"ＧＢ33\u200bBUKB20201555555555", "@@", "other:iban :x"} {
		for _, k := range []string{"", "iban", "sort_code_account", "card", "crypto", "paypal", "bic", "bank_account"} {
			f.Add(k, s)
		}
	}
	f.Fuzz(func(t *testing.T, kind, value string) {
		id, ok := PaymentAccount(Payment{Kind: kind, Value: value})
		if !ok {
			return
		}
		again, ok := PaymentAccount(Payment{Kind: "other", Value: id.Value})
		if !ok || again.Value != id.Value {
			t.Fatalf("(%q, %q) = %q; again %q (%v)", kind, value, id.Value, again.Value, ok)
		}
		if k, rest, ok := paymentPrefix(id.Value); ok && k == paymentKind(kind) && k != "other" {
			if r, ok := PaymentAccount(Payment{Kind: kind, Value: rest}); !ok || r.Value != id.Value {
				t.Fatalf("(%q, %q) = %q; unprefixed %q (%v)", kind, value, id.Value, r.Value, ok)
			}
		}
		if strings.HasPrefix(id.Value, "card:") {
			c, _ := paymentAlnum(value)
			if len(c) > 8 && pcAllDigits(c) && strings.Contains(strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, id.Raw), c[:len(c)-4]) {
				t.Fatalf("card digits kept in raw %q", id.Raw)
			}
		}
	})
}

func TestThirdPartyHolder(t *testing.T) {
	for _, c := range []struct {
		holder string
		name   Name
		want   bool
	}{
		{"Bluepeak Consulting LLC", Name{Full: "Kenji Sato"}, true},
		{"John Brown", Name{Given: "Kenji", Family: "Sato"}, true},
		{"Kenji Sato", Name{Full: "Mr Kenji SATO"}, false},
		{"Ann and Bob Smith", Name{Full: "Bob Smith"}, false}, // a joint account
		{"", Name{Full: "Kenji Sato"}, false},
		{"Kenji Sato", Name{}, false},
	} {
		if got := thirdPartyHolder(c.holder, c.name); got != c.want {
			t.Errorf("thirdPartyHolder(%q, %+v) = %v, want %v", c.holder, c.name, got, c.want)
		}
	}
}

func TestAccountIdentifier(t *testing.T) {
	ids := Identifiers(&Record{Source: "Workday", PersonaID: " u123 "})
	i := slices.IndexFunc(ids, func(id Identifier) bool { return id.Kind == KindAccount })
	if i < 0 || ids[i].Value != "workday/u123" {
		t.Fatalf("account identifier %v, want workday/u123", ids)
	}
	if slices.ContainsFunc(Identifiers(&Record{Source: "workday"}), func(id Identifier) bool { return id.Kind == KindAccount }) {
		t.Fatalf("account identifier without a persona_id")
	}
}
