package ingest

import (
	"strings"
	"unicode"
)

// Payment flags.
const (
	FlagBank         = "bank"
	FlagMoneyService = "money_service"
	FlagCrypto       = "crypto"
)

// PaymentAccount normalises a payout account to "scheme:value". Bank identifiers lose
// spaces, dashes and case; money-service handles (often e-mails) are lower-cased; crypto
// addresses keep their case where it is significant (base58) and lose it where it is not
// (hex and bech32).
func PaymentAccount(p Payment) (Identifier, bool) {
	kind := strings.ToLower(strings.TrimSpace(p.Kind))
	if kind == "" {
		kind = "other"
	}
	v := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, p.Value)
	if v == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindPayment, Raw: p.Value, Valid: true}
	switch kind {
	case "iban", "sort_code_account", "bank_account", "card":
		v = strings.ToUpper(v)
		id.Flags = []string{FlagBank}
	case "payoneer", "wise", "paypal", "revolut", "skrill":
		v = strings.ToLower(v)
		id.Flags = []string{FlagMoneyService}
	case "crypto":
		lv := strings.ToLower(v)
		if strings.HasPrefix(lv, "0x") || strings.HasPrefix(lv, "bc1") {
			v = lv
		}
		id.Flags = []string{FlagCrypto}
	}
	id.Value = kind + ":" + v
	return id, true
}

func (x *extraction) payments() {
	for _, p := range x.rec.Payments {
		x.add(PaymentAccount(p))
	}
}
