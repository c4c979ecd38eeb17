package ingest

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Payment flags.
const (
	FlagBank         = "bank"
	FlagMoneyService = "money_service"
	FlagCrypto       = "crypto"
	// FlagPaymentUnchecked marks a value whose scheme has no check here (an unknown
	// chain, a domestic account number): kept as given, vouched for by nothing.
	FlagPaymentUnchecked = "unchecked"
	// FlagPaymentFromIBAN marks the UK sort code and account read out of a GB IBAN, so
	// that the IBAN form and the domestic form of one account meet.
	FlagPaymentFromIBAN = "from_iban"
	// FlagThirdParty marks an account whose named holder shares no name token with the
	// record's own name: pay to a facilitator, a company or a collector rather than to
	// the employee (DOMAIN.md S19). A joint account ("Ann and Bob Smith") is not one.
	FlagThirdParty = "third_party"
)

// maxPaymentBytes caps the payment value that is examined; the longest real value (a
// 34-character IBAN, a 90-character bech32 address, an e-mail handle) is far shorter.
const maxPaymentBytes = 256

// maxPaymentValueBytes caps a normalised value. It is below maxPaymentBytes so that a
// value given back is read whole, which keeps normalisation idempotent for junk too.
const maxPaymentValueBytes = 240

// PaymentAccount normalises a payout account to its main identifier, "scheme:value".
// See PaymentIdentifiers.
func PaymentAccount(p Payment) (Identifier, bool) {
	ids := PaymentIdentifiers(p)
	if len(ids) == 0 {
		return Identifier{}, false
	}
	return ids[0], true
}

// PaymentIdentifiers normalises a payout account. The first identifier is the account;
// a valid GB IBAN adds its sort code and account ("ukacct:...", flag "from_iban").
//
// Values are prefixed by scheme:
//
//	iban:GB33BUKB20201555555555   ISO 13616 mod-97 and per-country length
//	ukacct:200000-55555555        UK sort code and account (7-digit accounts padded)
//	bank:<UPPER ALNUM>            other bank account numbers (unchecked)
//	bic:DEUTDEFF                  ISO 9362; the "XXX" primary-office branch is dropped
//	card:<hash16>:<last4>         never the number itself; Raw is masked too
//	btc: ltc: eth: trx:           checksummed wallet addresses (see cryptoDetect)
//	crypto:<value>                a wallet of a chain not recognised (unchecked)
//	paypal:someone@x.com          money services: lower-cased handle
//	other:<lower compact>         anything else
//
// When the kind is "crypto" or "other" (or missing), the scheme is read from the value's
// shape. A value that already carries a scheme prefix keeps it, so normalising a Value
// again (with any kind) returns it unchanged. A Luhn-valid number with a card network's
// prefix given as a bank account or "other" is treated as a card and hashed: the same
// number still meets itself, and no card number is ever stored.
func PaymentIdentifiers(p Payment) []Identifier {
	raw := pcCap(strings.ToValidUTF8(p.Value, "\uFFFD"), maxPaymentBytes)
	spaced := paymentClean(raw)
	v := strings.ReplaceAll(spaced, " ", "")
	if v == "" {
		return nil
	}
	kind := paymentKind(p.Kind)
	if k, rest, ok := paymentPrefix(v); ok {
		kind, v, spaced = k, rest, rest
		if v == "" {
			return nil
		}
	}
	id := Identifier{Kind: KindPayment, Raw: raw, Valid: true}
	if c, _ := paymentAlnum(v); kind != "sort_code_account" && paymentIsCard(c) {
		// A card number under any other kind is still a card number: hash it.
		kind = "card"
	}
	var extra []Identifier
	switch kind {
	case "iban", "sort_code_account", "bank_account", "bic":
		extra = paymentBank(&id, kind, v)
	case "card":
		if !paymentCard(&id, v) {
			return nil
		}
	case "crypto":
		paymentCrypto(&id, v, true)
	case "other":
		extra = paymentOther(&id, v, spaced)
	default:
		h := paymentHandle(v)
		if h == "" {
			return nil
		}
		id.Value = kind + ":" + h
		id.Flags = []string{FlagMoneyService}
	}
	if id.Value == "" {
		return nil
	}
	id.Value = pcCap(id.Value, maxPaymentValueBytes)
	return append([]Identifier{id}, extra...)
}

func (x *extraction) payments() {
	for _, p := range x.rec.Payments {
		third := thirdPartyHolder(p.Holder, x.rec.Name)
		for _, id := range PaymentIdentifiers(p) {
			if third {
				id.Flags = append(slices.Clip(id.Flags), FlagThirdParty)
			}
			x.add(id, true)
		}
	}
}

// thirdPartyHolder reports whether an account holder is someone other than the person
// the record names: no name token in common. Unknown either way is not third party.
func thirdPartyHolder(holder string, n Name) bool {
	h, own := nameTokens(holder), nameTokens(n.Display())
	if len(h) == 0 || len(own) == 0 {
		return false
	}
	for _, t := range h {
		if slices.Contains(own, t) {
			return false
		}
	}
	return true
}

// paymentClean folds compatibility forms (full-width digits and letters become ASCII),
// removes format characters (zero-width space, joiners, BOM, soft hyphen) and control
// characters, and turns every run of white space into one space, trimmed. Case is kept:
// base58 addresses depend on it.
func paymentClean(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// paymentKinds maps folded kind names (lower case, letters and digits only) to the
// canonical kind. Read-only.
var paymentKinds = map[string]string{
	"iban": "iban", "sortcodeaccount": "sort_code_account", "sortcode": "sort_code_account",
	"ukaccount": "sort_code_account", "ukacct": "sort_code_account",
	"bankaccount": "bank_account", "bank": "bank_account", "account": "bank_account",
	"accountnumber": "bank_account", "acct": "bank_account",
	"bic": "bic", "swift": "bic", "swiftbic": "bic", "swiftcode": "bic",
	"card": "card", "creditcard": "card", "debitcard": "card", "pan": "card",
	"crypto": "crypto", "wallet": "crypto", "cryptowallet": "crypto", "btc": "crypto",
	"bitcoin": "crypto", "eth": "crypto", "ethereum": "crypto", "usdt": "crypto",
	"trx": "crypto", "tron": "crypto", "ltc": "crypto", "litecoin": "crypto",
	"other": "other", "": "other",
	"paypal": "paypal", "payoneer": "payoneer", "wise": "wise", "transferwise": "wise",
	"revolut": "revolut", "skrill": "skrill", "neteller": "neteller", "venmo": "venmo",
	"cashapp": "cashapp", "zelle": "zelle", "westernunion": "westernunion",
	"moneygram": "moneygram", "remitly": "remitly", "airtm": "airtm", "payeer": "payeer",
	"perfectmoney": "perfectmoney", "webmoney": "webmoney", "alipay": "alipay",
	"wechatpay": "wechatpay", "wechat": "wechatpay", "paysera": "paysera",
	"worldremit": "worldremit",
}

// paymentKind canonicalises the kind field; an unknown kind is read as "other", so the
// value's shape decides.
func paymentKind(k string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	if c, ok := paymentKinds[b.String()]; ok {
		return c
	}
	return "other"
}

// paymentPrefix splits a scheme prefix off a cleaned value: the schemes of this
// package's own values ("iban:", "ukacct:", "eth:", "paypal:", ...) and payment URIs
// ("bitcoin:", "ethereum:"; their query and chain id are dropped).
func paymentPrefix(v string) (kind, rest string, ok bool) {
	i := strings.IndexByte(v, ':')
	if i <= 0 || i > 14 {
		return "", "", false
	}
	scheme, rest := strings.ToLower(v[:i]), v[i+1:]
	switch scheme {
	case "iban", "bic", "card", "other":
		return scheme, rest, true
	case "ukacct":
		return "sort_code_account", rest, true
	case "bank":
		return "bank_account", rest, true
	case "crypto", "btc", "ltc", "eth", "trx":
		return "crypto", rest, true
	case "bitcoin", "litecoin", "ethereum", "tron":
		if j := strings.IndexAny(rest, "?@/"); j >= 0 {
			rest = rest[:j]
		}
		return "crypto", rest, true
	}
	if k, ok := paymentKinds[scheme]; ok && paymentIsService(k) {
		return k, rest, true
	}
	return "", "", false
}

// paymentIsService reports whether a canonical kind is a money service.
func paymentIsService(kind string) bool {
	switch kind {
	case "iban", "sort_code_account", "bank_account", "bic", "card", "crypto", "other":
		return false
	}
	return true
}

// paymentAlnum is v upper-cased with everything but ASCII letters and digits removed
// (spaces, dashes, dots, slashes), and reports whether anything else was found.
func paymentAlnum(v string) (string, bool) {
	var b strings.Builder
	clean := true
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == '-' || r == '.' || r == '/' || r == '_':
		default:
			clean = false
		}
	}
	return b.String(), clean
}

// paymentIsCard reports whether a compact value is a card number: 12 to 19 digits,
// Luhn-valid, with a card network's issuer prefix.
func paymentIsCard(c string) bool {
	return len(c) >= 12 && len(c) <= 19 && pcAllDigits(c) && cardLuhn(c) && cardNetworkPrefix(c)
}

// paymentBank normalises the bank kinds, and returns the identifiers derived from it.
func paymentBank(id *Identifier, kind, v string) []Identifier {
	c, clean := paymentAlnum(v)
	if kind != "bic" {
		c = strings.TrimPrefix(c, "IBAN")
	}
	if c == "" {
		return nil
	}
	id.Flags = []string{FlagBank}
	if ibanShape(c) && ibanCheck(c) {
		id.Value = "iban:" + c
		if sc, acct, ok := ukAccountFromIBAN(c); ok {
			return []Identifier{{Kind: KindPayment, Value: "ukacct:" + sc + "-" + acct, Raw: id.Raw,
				Valid: true, Flags: []string{FlagBank, FlagPaymentFromIBAN}}}
		}
		return nil
	}
	switch kind {
	case "iban":
		if paymentIsCard(c) {
			paymentCard(id, c)
			return nil
		}
		id.Value, id.Valid = "iban:"+c, false
	case "sort_code_account":
		if pcAllDigits(c) && (len(c) == 13 || len(c) == 14) {
			id.Value = "ukacct:" + c[:6] + "-" + strings.Repeat("0", 14-len(c)) + c[6:]
			return nil
		}
		if paymentIsCard(c) {
			paymentCard(id, c)
			return nil
		}
		id.Value, id.Valid = "ukacct:"+c, false
	case "bank_account":
		if paymentIsCard(c) {
			paymentCard(id, c)
			return nil
		}
		id.Value = "bank:" + c
		id.Flags = append(id.Flags, FlagPaymentUnchecked)
	case "bic":
		if b, ok := bicCheck(c); ok {
			id.Value = "bic:" + b
			return nil
		}
		id.Value, id.Valid = "bic:"+c, false
	}
	// Stray characters (other than spaces, dashes, dots, slashes) make a value suspect,
	// but the value itself is the compact form, so normalising it again gives the same.
	if !clean {
		id.Valid = false
	}
	if !id.Valid && !id.HasFlag(FlagInvalid) {
		id.Flags = append(id.Flags, FlagInvalid)
	}
	return nil
}

// paymentCard normalises a card number to "card:<hash16>:<last4>" and masks Raw. It
// reports false when fewer than four digits are left.
func paymentCard(id *Identifier, v string) bool {
	id.Flags = []string{FlagBank}
	if lv := strings.ToLower(v); cardHashShape(lv) {
		id.Value = "card:" + lv
		return true
	}
	var d strings.Builder
	other := false
	for _, r := range v {
		if x, ok := addrDigit(r); ok {
			d.WriteByte(x)
		} else if r != '-' && r != '.' && r != '/' {
			other = true
		}
	}
	pan := d.String()
	id.Raw = cardMask(norm.NFKC.String(id.Raw))
	if len(pan) < 4 {
		id.Value = ""
		return false
	}
	id.Value = "card:" + cardValue(pan)
	if other || len(pan) < 12 || len(pan) > 19 || !cardLuhn(pan) {
		id.Valid = false
		id.Flags = append(id.Flags, FlagInvalid)
	}
	return true
}

// paymentCrypto normalises a wallet address. With anyShape, a value that matches no
// chain is kept as "crypto:<value>" (flag "unchecked"); the kind said it was a wallet.
func paymentCrypto(id *Identifier, v string, anyShape bool) bool {
	r, ok := cryptoDetect(v)
	if !ok {
		if !anyShape {
			return false
		}
		id.Value = "crypto:" + v
		id.Flags = []string{FlagCrypto, FlagPaymentUnchecked}
		return true
	}
	id.Value = r.scheme + ":" + r.value
	id.Flags = []string{FlagCrypto}
	if !r.valid {
		id.Valid = false
		id.Flags = append(id.Flags, FlagInvalid)
	}
	return true
}

// paymentOther reads the scheme of an "other" value from its shape: a valid IBAN, a
// wallet (bech32 and hex shapes even when invalid, since their case is folded and a
// second pass would otherwise find them valid; base58 only with a valid checksum, since
// many handles are base58-shaped), a card number, a UK sort code and account
// written with the sort code apart ("20-00-00 55555555"), an upper-case BIC; otherwise
// "other:" and the lower-cased value.
func paymentOther(id *Identifier, v, spaced string) []Identifier {
	c, clean := paymentAlnum(v)
	if clean && ibanShape(strings.TrimPrefix(c, "IBAN")) && ibanCheck(strings.TrimPrefix(c, "IBAN")) {
		return paymentBank(id, "iban", c)
	}
	if r, ok := cryptoDetect(v); ok {
		lv := strings.ToLower(v)
		if r.valid || r.scheme == "eth" || strings.HasPrefix(lv, "bc1") || strings.HasPrefix(lv, "ltc1") {
			paymentCrypto(id, v, false)
			return nil
		}
	}
	if clean && paymentIsCard(c) {
		paymentCard(id, c)
		return nil
	}
	if clean && pcAllDigits(c) && (len(c) == 13 || len(c) == 14) && paymentSortCodeApart(spaced) {
		return paymentBank(id, "sort_code_account", c)
	}
	if clean && v == strings.ToUpper(v) {
		if _, ok := bicCheck(c); ok && len(c) == len(v) {
			return paymentBank(id, "bic", c)
		}
	}
	// NFC again: removing the spaces can leave a combining mark beside a letter ("A΄" is
	// "A", a space and U+0301 after NFKC), and the value must be what normalising it
	// again gives.
	id.Value = "other:" + norm.NFC.String(strings.ToLower(v))
	return nil
}

// paymentSortCodeApart reports whether the first six digits of v are set apart from the
// rest by a separator, as sort codes are written ("20-00-00 55555555", "200000/55555555").
func paymentSortCodeApart(v string) bool {
	digits := 0
	for i := 0; i < len(v); i++ {
		switch {
		case pcIsDigit(v[i]):
			digits++
		case digits == 6 && i+1 < len(v) && pcIsDigit(v[i+1]):
			return true
		}
	}
	return false
}

// paymentHandle normalises a money-service handle: lower case, the service's link forms
// ("https://paypal.me/x", "wise.com/pay/me/x", "revolut.me/x") and a leading "@" or "$"
// (Revolut tags, Cash App cashtags) removed.
func paymentHandle(v string) string {
	h := strings.ToLower(v)
	h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
	h = strings.TrimPrefix(h, "www.")
	for _, p := range [...]string{"paypal.me/", "paypal.com/paypalme/", "wise.com/pay/me/",
		"revolut.me/", "cash.app/", "venmo.com/u/", "venmo.com/", "payoneer.com/"} {
		if rest, ok := strings.CutPrefix(h, p); ok {
			h = rest
			break
		}
	}
	h = strings.TrimRight(h, "/")
	if !strings.Contains(h, "@") || strings.HasPrefix(h, "@") {
		h = strings.TrimLeft(h, "@$")
	}
	return h
}
