package ingest

import (
	"slices"
	"strings"
)

// Device flags.
const (
	// FlagRemoteTool marks a device with remote-access software (AnyDesk, TeamViewer, ...)
	// or IP-KVM hardware, a laptop-farm signal (DOMAIN.md S24, S25). The known tools are
	// flagged by name too (RemoteTool).
	FlagRemoteTool = "remote_tool"
	// FlagRiskTimezone marks a device clock set to a time zone where DPRK IT-worker cells
	// are reported to work: North Korea, China, the Russian Far East, Laos, Cambodia
	// (DOMAIN.md sections 1 and 2.8). Weak alone: millions of genuine people live there.
	FlagRiskTimezone = "risk_timezone"
	// FlagKoreanLanguage marks a device whose languages include Korean, a weak signal
	// when the persona claims no tie to Korea (DOMAIN.md S03).
	FlagKoreanLanguage = "korean_language"
)

// remoteTools maps spellings of remote-access tools (lower case, spaces, hyphens and dots
// removed) to their canonical names, which are also their flags. An immutable table.
var remoteTools = map[string]string{
	"anydesk":                "anydesk",
	"teamviewer":             "teamviewer",
	"rustdesk":               "rustdesk",
	"chromeremotedesktop":    "chrome_remote_desktop",
	"crd":                    "chrome_remote_desktop",
	"googleremotedesktop":    "chrome_remote_desktop",
	"remotedesktop":          "rdp",
	"rdp":                    "rdp",
	"mstsc":                  "rdp",
	"microsoftremotedesktop": "rdp",
	"splashtop":              "splashtop",
	"screenconnect":          "screenconnect",
	"connectwisecontrol":     "screenconnect",
	"connectwise":            "screenconnect",
	"logmein":                "logmein",
	"goto":                   "logmein",
	"gotoresolve":            "logmein",
	"gotomypc":               "logmein",
	"remotepc":               "remotepc",
	"parsec":                 "parsec",
	"vnc":                    "vnc",
	"realvnc":                "vnc",
	"tightvnc":               "vnc",
	"ultravnc":               "vnc",
	"tigervnc":               "vnc",
	"ammyy":                  "ammyy",
	"ammyyadmin":             "ammyy",
	"supremo":                "supremo",
	"zohoassist":             "zoho_assist",
	"nomachine":              "nomachine",
	"radmin":                 "radmin",
	"dwservice":              "dwservice",
	"atera":                  "atera",
	"meshcentral":            "meshcentral",
	"ipkvm":                  "ip_kvm",
	"kvm":                    "ip_kvm",
	"pikvm":                  "ip_kvm",
	"tinypilot":              "ip_kvm",
	"jetkvm":                 "ip_kvm",
	"glinetkvm":              "ip_kvm",
	"glkvm":                  "ip_kvm",
}

// riskTimezones are the IANA zones behind FlagRiskTimezone, lower-cased, including the
// old aliases some clients still report. An immutable set.
var riskTimezones = map[string]struct{}{
	"asia/pyongyang": {}, "asia/shanghai": {}, "asia/chongqing": {}, "asia/chungking": {},
	"asia/harbin": {}, "asia/urumqi": {}, "prc": {}, "asia/vladivostok": {},
	"asia/khabarovsk": {}, "asia/vientiane": {}, "asia/phnom_penh": {},
}

// DeviceFingerprint normalises a device's fingerprint hash: cleaned (no zero-width
// characters, NFKC) and lower-cased, since fingerprinting SDKs disagree on hex case; a
// hex fingerprint written in groups ("AB:CD:..", a UUID) loses its separators. A device
// without a fingerprint yields nothing.
//
// Flags: remote_tool and the canonical name of each known tool (anydesk, teamviewer,
// rustdesk, chrome_remote_desktop, ip_kvm, ...), risk_timezone, korean_language. The time
// zone and languages are attributes of the observation, not identifiers: thousands of
// unrelated people share "Asia/Shanghai" or "en-US,ko", so they are flags here and never
// values to link on.
func DeviceFingerprint(d Device) (Identifier, bool) {
	fp := contactFold(d.Fingerprint)
	if fp == "" {
		return Identifier{}, false
	}
	if h := strings.Map(func(r rune) rune {
		if r == ':' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, fp); len(h) >= 16 && photoHexDigits(h) {
		fp = h
	}
	id := Identifier{Kind: KindDevice, Value: fp, Raw: d.Fingerprint, Valid: true}
	if tools := RemoteTools(d.RemoteTools); len(tools) > 0 {
		id.Flags = append([]string{FlagRemoteTool}, tools...)
	} else if hasRemoteTool(d.RemoteTools) {
		id.Flags = []string{FlagRemoteTool}
	}
	if _, ok := riskTimezones[strings.ToLower(strings.TrimSpace(d.Timezone))]; ok {
		id.Flags = append(id.Flags, FlagRiskTimezone)
	}
	if koreanLanguage(d.Languages) {
		id.Flags = append(id.Flags, FlagKoreanLanguage)
	}
	return id, true
}

// RemoteTool is the canonical name of a remote-access tool ("AnyDesk" and "any-desk" are
// "anydesk"; "Chrome Remote Desktop" and "CRD" are "chrome_remote_desktop"), and "" for a
// name it does not know.
func RemoteTool(name string) string {
	return remoteTools[remoteToolKey(name)]
}

// RemoteTools is the sorted, de-duplicated canonical names of the known tools in names.
func RemoteTools(names []string) []string {
	var out []string
	for _, n := range names {
		if t := RemoteTool(n); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hasRemoteTool reports whether names holds any tool at all, known or not; "none", "no"
// and the like say there is none.
func hasRemoteTool(names []string) bool {
	for _, n := range names {
		switch remoteToolKey(n) {
		case "", "none", "no", "false", "null", "na", "nil", "0":
		default:
			return true
		}
	}
	return false
}

// remoteToolKey is a tool name folded for lookup: lower case, without spaces, hyphens,
// underscores, dots, slashes or a trailing ".exe".
func remoteToolKey(name string) string {
	k := strings.TrimSuffix(contactFold(name), ".exe")
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '/', '\t':
			return -1
		}
		return r
	}, k)
}

// koreanLanguage reports whether an Accept-Language style list ("en-US,ko;q=0.9") holds
// Korean.
func koreanLanguage(langs string) bool {
	for tag := range strings.SplitSeq(strings.ToLower(langs), ",") {
		tag, _, _ = strings.Cut(tag, ";")
		primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
		primary, _, _ = strings.Cut(primary, "_")
		if primary == "ko" || primary == "kor" {
			return true
		}
	}
	return false
}

func (x *extraction) devices() {
	for _, d := range x.rec.Devices {
		x.add(DeviceFingerprint(d))
	}
}
