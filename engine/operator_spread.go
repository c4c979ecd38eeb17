package engine

import (
	"hash/fnv"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// collectorWallet reports whether a payout value is a wallet that gathers pay for
// walletCollectorHolders or more person clusters: a ring's deposit address (DOMAIN.md
// S18: 21 developers' pay converging on one exchange deposit address; S21 fan-in), which
// is ring evidence and links only beside another kind, like any collector. A wallet costs
// nothing to make and names no one, so an operator has no reason to keep one for three
// personas; a bank or money-service account is opened in a name, and one in a persona's
// own name re-used by siblings stays the operator's until collectorHolders.
func collectorWallet(ek evidenceKind, value string, holders []int32) bool {
	return ek.kind == ingest.KindPayment && len(holders) >= walletCollectorHolders && walletValue(value)
}

// walletCollectorHolders is how many person clusters one wallet may pay before it reads
// as a collector: two personas paid to one address are an operator's (S18), a third
// makes it a fan-in.
const walletCollectorHolders = 3

// walletValue reports whether a stored payment value is a crypto address: the schemes
// ingest gives wallets (ingest/payment.go: btc, ltc, eth, trx, and crypto for an
// unrecognised chain).
func walletValue(v string) bool {
	scheme, _, ok := strings.Cut(v, ":")
	if !ok {
		return false
	}
	switch scheme {
	case "btc", "ltc", "eth", "trx", "crypto":
		return true
	}
	return false
}

// oneIdentity reports whether a value of kind ek is an identity's rather than an
// operator's: exactly two person clusters hold it, they give one name, and only one of
// them carries a risk signal. That is a persona on a stolen identity and the identity's
// owner (DOMAIN.md M6: the victim's real profile, e-mail or phone turns up beside the
// persona's), the pair the person layer keeps apart (stolenIdentity); joining them as
// one operator undid that. Only the identifiers a person owns count: a device, payout
// account, IP or photo shared with a namesake is infrastructure, judged as any other.
func oneIdentity(ek evidenceKind, holders []int32, names map[int32][]uint64, sig map[int32]uint32) bool {
	switch ek.kind {
	case ingest.KindProfile, ingest.KindEmail, ingest.KindPhone, ingest.KindDocument:
	default:
		return false
	}
	if len(holders) != 2 {
		return false
	}
	a, b := holders[0], holders[1]
	if (sig[a]&hubSignals != 0) == (sig[b]&hubSignals != 0) {
		return false
	}
	for _, n := range names[a] {
		if n != 0 && slices.Contains(names[b], n) {
			return true
		}
	}
	return false
}

// nameHash is the hash of a record's plain name key (features.name); 0 for none.
func nameHash(name string) uint64 {
	if name == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// homeLandline reports whether a phone that holders who all gave one address share is
// that home's line (DOMAIN.md 6.5: a household's landline): some holder shows no risk
// signal but the VoIP flag, which is the shared number's own and says nothing about
// who its holders are. At a farm address every hire on it would show the camera off,
// remote tools or a third party's payout as well.
func homeLandline(ek evidenceKind, holders []int32, sig map[int32]uint32) bool {
	if ek.kind != ingest.KindPhone {
		return false
	}
	for _, h := range holders {
		if sig[h]&hubSignals&^sigVoIP == 0 {
			return true
		}
	}
	return false
}
