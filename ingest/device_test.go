package ingest

import (
	"slices"
	"strings"
	"testing"
)

func TestDeviceFingerprint(t *testing.T) {
	tests := []struct {
		name      string
		dev       Device
		want      string
		wantFlags []string
	}{
		{"hex, upper case", Device{Fingerprint: " C3A1F0E4B2D49786 "}, "c3a1f0e4b2d49786", nil},
		{"hex in groups", Device{Fingerprint: "C3A1-F0E4-B2D4-9786"}, "c3a1f0e4b2d49786", nil},
		{"UUID", Device{Fingerprint: "550E8400-E29B-41D4-A716-446655440000"}, "550e8400e29b41d4a716446655440000", nil},
		{"colon-separated hex", Device{Fingerprint: "c3:a1:f0:e4:b2:d4:97:86"}, "c3a1f0e4b2d49786", nil},
		{"short grouped hex keeps separators", Device{Fingerprint: "AB:CD"}, "ab:cd", nil},
		{"visitor id, not hex", Device{Fingerprint: "nTxJ28Gt4CegeAwdWELL"}, "ntxj28gt4cegeawdwell", nil},
		{"full-width", Device{Fingerprint: "Ｃ３Ａ１Ｆ０Ｅ４Ｂ２Ｄ４９７８６"}, "c3a1f0e4b2d49786", nil},
		{"zero-width", Device{Fingerprint: "c3a1f0e4\u200bb2d49786"}, "c3a1f0e4b2d49786", nil},
		{"known remote tools", Device{Fingerprint: "fp1", RemoteTools: []string{"AnyDesk", "TeamViewer", "anydesk.exe"}},
			"fp1", []string{FlagRemoteTool, "anydesk", "teamviewer"}},
		{"tool spellings", Device{Fingerprint: "fp1", RemoteTools: []string{"Chrome Remote Desktop", "Rust-Desk", "ConnectWise Control", "PiKVM"}},
			"fp1", []string{FlagRemoteTool, "chrome_remote_desktop", "rustdesk", "screenconnect", "ip_kvm"}},
		{"unknown tool still flagged", Device{Fingerprint: "fp1", RemoteTools: []string{"SomeNewTool"}}, "fp1", []string{FlagRemoteTool}},
		{"none means none", Device{Fingerprint: "fp1", RemoteTools: []string{"none", "", "N/A"}}, "fp1", nil},
		{"risk time zone", Device{Fingerprint: "fp1", Timezone: "Asia/Shanghai"}, "fp1", []string{FlagRiskTimezone}},
		{"Pyongyang, any case", Device{Fingerprint: "fp1", Timezone: " asia/pyongyang "}, "fp1", []string{FlagRiskTimezone}},
		{"Vladivostok", Device{Fingerprint: "fp1", Timezone: "Asia/Vladivostok"}, "fp1", []string{FlagRiskTimezone}},
		{"Seoul is not flagged", Device{Fingerprint: "fp1", Timezone: "Asia/Seoul"}, "fp1", nil},
		{"London is not flagged", Device{Fingerprint: "fp1", Timezone: "Europe/London"}, "fp1", nil},
		{"Korean language", Device{Fingerprint: "fp1", Languages: "en-US,ko;q=0.9"}, "fp1", []string{FlagKoreanLanguage}},
		{"Korean, region tag", Device{Fingerprint: "fp1", Languages: "ko-KR"}, "fp1", []string{FlagKoreanLanguage}},
		{"no Korean", Device{Fingerprint: "fp1", Languages: "en-GB,en;q=0.8,kok"}, "fp1", nil},
		{"everything", Device{Fingerprint: "fp1", Timezone: "Asia/Shanghai", Languages: "ko", RemoteTools: []string{"RDP"}},
			"fp1", []string{FlagRemoteTool, "rdp", FlagRiskTimezone, FlagKoreanLanguage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DeviceFingerprint(tt.dev)
			if !ok {
				t.Fatalf("DeviceFingerprint(%+v) yielded nothing", tt.dev)
			}
			if got.Kind != KindDevice || got.Value != tt.want || !got.Valid || got.Raw != tt.dev.Fingerprint {
				t.Errorf("DeviceFingerprint(%+v) = %+v, want %q", tt.dev, got, tt.want)
			}
			if !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("DeviceFingerprint(%+v) flags = %v, want %v", tt.dev, got.Flags, tt.wantFlags)
			}
		})
	}
	for _, d := range []Device{{}, {Fingerprint: " \u200b "}, {RemoteTools: []string{"anydesk"}, Timezone: "Asia/Shanghai"}} {
		if id, ok := DeviceFingerprint(d); ok {
			t.Errorf("DeviceFingerprint(%+v) = %+v, want nothing", d, id)
		}
	}
}

func TestRemoteTool(t *testing.T) {
	tests := map[string]string{
		"AnyDesk": "anydesk", "any desk": "anydesk", "ANYDESK.EXE": "anydesk", "ａｎｙｄｅｓｋ": "anydesk",
		"TeamViewer": "teamviewer", "RustDesk": "rustdesk", "Chrome Remote Desktop": "chrome_remote_desktop",
		"CRD": "chrome_remote_desktop", "chrome-remote-desktop": "chrome_remote_desktop",
		"mstsc": "rdp", "Splashtop": "splashtop", "ScreenConnect": "screenconnect", "LogMeIn": "logmein",
		"RealVNC": "vnc", "TinyPilot": "ip_kvm", "IP-KVM": "ip_kvm", "Zoho Assist": "zoho_assist",
		"Slack": "", "": "", "any\u200bdesk": "anydesk",
	}
	for name, want := range tests {
		if got := RemoteTool(name); got != want {
			t.Errorf("RemoteTool(%q) = %q, want %q", name, got, want)
		}
	}
	got := RemoteTools([]string{"TeamViewer", "AnyDesk", "anydesk", "Slack"})
	if want := []string{"anydesk", "teamviewer"}; !slices.Equal(got, want) {
		t.Errorf("RemoteTools = %v, want %v", got, want)
	}
}

func FuzzDeviceFingerprint(f *testing.F) {
	for _, s := range []string{"C3A1-F0E4-B2D4-9786", "nTxJ28Gt4CegeAwdWELL", "ab:cd", "Ｃ３", "\u200b", "a b", strings.Repeat("f-", 20)} {
		f.Add(s, "AnyDesk", "Asia/Shanghai")
	}
	f.Fuzz(func(t *testing.T, fp, tool, tz string) {
		id, ok := DeviceFingerprint(Device{Fingerprint: fp, RemoteTools: []string{tool}, Timezone: tz, Languages: tool})
		if !ok {
			return
		}
		again, ok := DeviceFingerprint(Device{Fingerprint: id.Value})
		if !ok || again.Value != id.Value {
			t.Fatalf("not idempotent: %q -> %q -> %q (ok %v)", fp, id.Value, again.Value, ok)
		}
		if t2 := RemoteTool(tool); t2 != "" && RemoteTool(t2) != t2 {
			t.Fatalf("RemoteTool not idempotent: %q -> %q -> %q", tool, t2, RemoteTool(t2))
		}
	})
}
