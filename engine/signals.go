package engine

import (
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// Record signals: facts about one record that raise a cluster's risk wherever the record
// lands. They are computed once at ingest and stored as a bit set with the record
// (graph.Put.Signals), so clustering reads them in one scan. Bits are part of the store
// format: append, never renumber.
const (
	sigCameraOff uint32 = 1 << iota
	sigVoIP
	sigRemoteTool
	sigMoneyService
	sigDisposableEmail
	sigLocationMismatch
	sigThirdPartyPayout
)

// hubSignals are the signals that tell an operator's personas from a benign hub's
// members (valueWeight): camera off, VoIP, remote tools, money-service or third-party
// payout, and a device clock in a risk time zone on a record claiming to be elsewhere
// (sigLocationMismatch: more specific than VoIP, which many honest applicants use; an
// operator's persona with no other signal showed only it, and the mailbox it shared with
// a sibling was discounted as a family's). A disposable e-mail raises risk, but
// privacy-minded people have one too, so it does not decide whether a shared value
// links. Adding the mismatch cost no must-not-link pair on the generated T1-T3
// populations (seeds 1-3 of T1).
const hubSignals = sigCameraOff | sigVoIP | sigRemoteTool | sigMoneyService | sigThirdPartyPayout | sigLocationMismatch

// recordSignals maps each signal to the cluster flag it raises and, where an identifier
// carries it, to that identifier's kind and flag. This table is the one definition: the
// evidence export reads it through SignalSource.
var recordSignals = []struct {
	bit    uint32
	flag   string
	kind   ingest.Kind // "" when the signal does not come from an identifier
	idFlag string
}{
	{sigCameraOff, "video_avoidance", "", ""},
	{sigVoIP, "voip_phone", ingest.KindPhone, ingest.FlagVoIP},
	{sigRemoteTool, "remote_tool", ingest.KindDevice, ingest.FlagRemoteTool},
	{sigMoneyService, "money_service_payout", ingest.KindPayment, ingest.FlagMoneyService},
	{sigDisposableEmail, "disposable_email", ingest.KindEmail, ingest.FlagDisposable},
	// Not from the flag alone: the device clock must also disagree with where the record
	// says the applicant is (locationMismatch).
	{sigLocationMismatch, "location_mismatch", ingest.KindDevice, ingest.FlagRiskTimezone},
	{sigThirdPartyPayout, "third_party_payout", ingest.KindPayment, ingest.FlagThirdParty},
}

// VideoAvoided reports whether an interview counts as avoiding video (the
// video_avoidance flag).
func VideoAvoided(iv *ingest.Interview) bool {
	return iv != nil && (iv.Video == "camera_off" || iv.Video == "declined")
}

// SignalSource returns the identifier kind and identifier flag behind a record-signal
// cluster flag such as voip_phone; ok is false for other flags and for video_avoidance,
// which comes from the interview (VideoAvoided).
func SignalSource(flag string) (kind ingest.Kind, idFlag string, ok bool) {
	for _, rs := range recordSignals {
		if rs.flag == flag && rs.kind != "" {
			return rs.kind, rs.idFlag, true
		}
	}
	return "", "", false
}

func signalsOf(rec *ingest.Record, ids []ingest.Identifier) uint32 {
	var s uint32
	if VideoAvoided(rec.Interview) {
		s |= sigCameraOff
	}
	for _, id := range ids {
		for _, rs := range recordSignals {
			if rs.kind != "" && id.Kind == rs.kind && id.HasFlag(rs.idFlag) {
				s |= rs.bit
			}
		}
	}
	if s&sigLocationMismatch != 0 && !claimsElsewhere(rec, ids) {
		s &^= sigLocationMismatch
	}
	return s
}

// riskCountries are where a device clock in a risk time zone (ingest.FlagRiskTimezone:
// China, North Korea, Russia's far east, Laos, Cambodia) would be unremarkable.
var riskCountries = map[string]bool{"CN": true, "KP": true, "RU": true, "LA": true, "KH": true}

// claimsElsewhere reports whether a record places its applicant outside riskCountries:
// by an address or by nationality. A record that claims no place cannot mismatch.
func claimsElsewhere(rec *ingest.Record, ids []ingest.Identifier) bool {
	for _, id := range ids {
		if id.Kind == ingest.KindAddress {
			if c, _, ok := strings.Cut(id.Value, "|"); ok && len(c) == 2 && !riskCountries[c] {
				return true
			}
		}
	}
	n := strings.ToUpper(strings.TrimSpace(rec.Nationality))
	return len(n) == 2 && !riskCountries[n]
}
