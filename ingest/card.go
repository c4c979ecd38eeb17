package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// cardHashDomain separates card-number hashes from any other SHA-256 use of the same
// digits.
const cardHashDomain = "personagraph/card/v1\x00"

// cardValue is the canonical form of a card number without the number itself: a
// truncated SHA-256 of the PAN (16 hex digits, 64 bits: collisions stay negligible for
// any realistic population) and the last four digits, "3f2a...:1111".
//
// # Caveat
//
// An unkeyed hash of a PAN can be reversed by enumeration: with the last four known and
// a Luhn digit, a given issuer prefix leaves about 10^5 to 10^8 candidates. The hash keeps
// the number out of logs, exports and the UI; it is not protection against someone who
// holds the store. A deployment that needs that should key the hash (HMAC with a secret
// kept outside the store) before values are written.
func cardValue(pan string) string {
	sum := sha256.Sum256([]byte(cardHashDomain + pan))
	return hex.EncodeToString(sum[:8]) + ":" + pan[len(pan)-4:]
}

// cardLuhn reports whether a digit string passes the Luhn check.
func cardLuhn(d string) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// cardNetworkPrefix reports whether a PAN starts with the issuer prefix of a major card
// network (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners, Maestro). It decides
// whether a Luhn-valid number given as a bank account is really a card and must be hashed.
func cardNetworkPrefix(d string) bool {
	if len(d) < 4 {
		return false
	}
	switch d[0] {
	case '4':
		return true
	case '5':
		return true // Mastercard 51-55, Maestro 50 and 56-59
	case '2':
		p := d[:4]
		return p >= "2221" && p <= "2720"
	case '3':
		return d[1] == '4' || d[1] == '7' || d[1] == '5' || d[1] == '6' || d[1] == '0' || d[1] == '8'
	case '6':
		return true // Discover, UnionPay, Maestro 6x
	}
	return false
}

// cardHashShape reports whether s is already a canonical card value ("<16 hex>:<4 digits>").
func cardHashShape(s string) bool {
	if len(s) != 21 || s[16] != ':' || !pcAllDigits(s[17:]) {
		return false
	}
	for i := 0; i < 16; i++ {
		if c := s[i]; !pcIsDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// cardMask hides every digit of raw but the last four, keeping the layout ("**** ****
// **** 1111"), so that Raw never holds a card number either.
func cardMask(raw string) string {
	total := 0
	for _, r := range raw {
		if _, ok := addrDigit(r); ok {
			total++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range raw {
		if _, ok := addrDigit(r); ok {
			seen++
			if seen <= total-4 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
