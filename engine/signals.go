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

// recordSignals maps each signal to the cluster flag it raises.
var recordSignals = []struct {
	bit  uint32
	flag string
}{
	{sigCameraOff, "video_avoidance"},
	{sigVoIP, "voip_phone"},
	{sigRemoteTool, "remote_tool"},
	{sigMoneyService, "money_service_payout"},
}

func signalsOf(rec *ingest.Record, ids []ingest.Identifier) uint32 {
	var s uint32
	if rec.Interview != nil && (rec.Interview.Video == "camera_off" || rec.Interview.Video == "declined") {
		s |= sigCameraOff
	}
	for _, id := range ids {
		switch {
		case id.Kind == ingest.KindPhone && id.HasFlag(ingest.FlagVoIP):
			s |= sigVoIP
		case id.Kind == ingest.KindDevice && id.HasFlag(ingest.FlagRemoteTool):
			s |= sigRemoteTool
		case id.Kind == ingest.KindPayment && id.HasFlag(ingest.FlagMoneyService):
			s |= sigMoneyService
		}
	}
	return s
}
