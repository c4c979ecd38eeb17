package ingest

import "strings"

// FlagRemoteTool marks a device with remote-access software (AnyDesk, TeamViewer, ...), a
// laptop-farm signal (DOMAIN.md 2.7).
const FlagRemoteTool = "remote_tool"

// DeviceFingerprint normalises a device's fingerprint hash: trimmed and lower-cased, since
// fingerprinting SDKs disagree on hex case. A device without a fingerprint yields nothing.
func DeviceFingerprint(d Device) (Identifier, bool) {
	fp := strings.ToLower(strings.TrimSpace(d.Fingerprint))
	if fp == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindDevice, Value: fp, Raw: d.Fingerprint, Valid: true}
	if len(d.RemoteTools) > 0 {
		id.Flags = []string{FlagRemoteTool}
	}
	return id, true
}

func (x *extraction) devices() {
	for _, d := range x.rec.Devices {
		x.add(DeviceFingerprint(d))
	}
}
