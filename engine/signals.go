package engine

import "github.com/personagraph/personagraph/ingest"

// Record signals: facts about one record that raise a cluster's risk wherever the record
// lands. They are computed once at ingest and stored as a bit set with the record
// (graph.Put.Signals), so clustering reads them in one scan. Bits are part of the store
// format: append, never renumber.
const (
	sigCameraOff uint32 = 1 << iota
	sigVoIP
	sigRemoteTool
	sigMoneyService
)

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
	return s
}
