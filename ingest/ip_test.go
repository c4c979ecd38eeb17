package ingest

import (
	"strings"
	"testing"
)

func TestIPAddress(t *testing.T) {
	tests := []normCase{
		{"global IPv4", " 81.2.69.160 ", "81.2.69.160", true, nil},
		{"documentation IPv4", "203.0.113.7", "203.0.113.7", true, []string{FlagReserved, FlagDocumentation}},
		{"private 10/8", "10.1.2.3", "10.1.2.3", true, []string{FlagPrivate}},
		{"private 172.16/12", "172.31.255.1", "172.31.255.1", true, []string{FlagPrivate}},
		{"172.32 is global", "172.32.0.1", "172.32.0.1", true, nil},
		{"private 192.168/16", "192.168.1.10", "192.168.1.10", true, []string{FlagPrivate}},
		{"CGNAT low edge", "100.64.0.1", "100.64.0.1", true, []string{FlagCGNAT}},
		{"CGNAT high edge", "100.127.255.254", "100.127.255.254", true, []string{FlagCGNAT}},
		{"just past CGNAT", "100.128.0.1", "100.128.0.1", true, nil},
		{"loopback", "127.0.0.1", "127.0.0.1", true, []string{FlagReserved, FlagLoopback}},
		{"link-local", "169.254.10.1", "169.254.10.1", true, []string{FlagReserved, FlagLinkLocal}},
		{"benchmarking", "198.19.0.1", "198.19.0.1", true, []string{FlagReserved}},
		{"multicast", "224.0.0.251", "224.0.0.251", true, []string{FlagReserved}},
		{"broadcast", "255.255.255.255", "255.255.255.255", true, []string{FlagReserved}},
		{"this network", "0.0.0.0", "0.0.0.0", true, []string{FlagReserved}},
		{"IPv6 compressed and lower-cased", "2A00:1450:4009:0820:0000:0000:0000:200E", "2a00:1450:4009:820::200e", true, nil},
		{"IPv6 documentation", "2001:DB8::1", "2001:db8::1", true, []string{FlagReserved, FlagDocumentation}},
		{"IPv6 loopback", "::1", "::1", true, []string{FlagReserved, FlagLoopback}},
		{"IPv6 unique local", "fd12:3456:789a::1", "fd12:3456:789a::1", true, []string{FlagPrivate}},
		{"IPv6 link-local with zone", "fe80::1%eth0", "fe80::1", true, []string{FlagReserved, FlagLinkLocal}},
		{"IPv4-mapped IPv6", "::ffff:81.2.69.160", "81.2.69.160", true, nil},
		{"IPv4 with port", "81.2.69.160:443", "81.2.69.160", true, nil},
		{"IPv6 in brackets with port", "[2a00:1450::1]:443", "2a00:1450::1", true, nil},
		{"IPv6 in brackets", "[2a00:1450::1]", "2a00:1450::1", true, nil},
		{"full-width digits", "８１．２．６９．１６０", "81.2.69.160", true, nil},
		{"zero-width characters", "81.2\u200b.69.160", "81.2.69.160", true, nil},
		{"leading zeros are ambiguous", "010.1.1.1", "010.1.1.1", false, []string{FlagInvalid}},
		{"octet out of range", "256.1.1.1", "256.1.1.1", false, []string{FlagInvalid}},
		{"CIDR is no address", "81.2.69.0/24", "81.2.69.0/24", false, []string{FlagInvalid}},
		{"host name", "Example.COM", "example.com", false, []string{FlagInvalid}},
		{"Arabic-Indic digits are not an address", "\u0668\u0661.2.69.160", "\u0668\u0661.2.69.160", false, []string{FlagInvalid}},
		{"very long", strings.Repeat("1.", 5000), strings.Repeat("1.", 5000), false, []string{FlagInvalid}},
	}
	runNormCases(t, IPAddress, KindIP, tests)
	if id, ok := IPAddress(" \u200b "); ok {
		t.Errorf("IPAddress(blank) = %+v, want nothing", id)
	}
}

func TestIPPrefix(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		want      string
		wantOK    bool
		wantFlags []string
	}{
		{"IPv4 /24", "81.2.69.160", "81.2.69.0/24", true, nil},
		{"documentation IPv4", "203.0.113.7", "203.0.113.0/24", true, []string{FlagReserved, FlagDocumentation}},
		{"CGNAT", "100.64.3.4", "100.64.3.0/24", true, []string{FlagCGNAT}},
		{"IPv6 /48", "2a00:1450:4009:820::200e", "2a00:1450:4009::/48", true, nil},
		{"IPv4-mapped uses /24", "::ffff:81.2.69.160", "81.2.69.0/24", true, nil},
		{"a /24 is its own prefix", "81.2.69.0/24", "81.2.69.0/24", true, nil},
		{"a longer prefix is cut to /24", "81.2.69.128/25", "81.2.69.0/24", true, nil},
		{"an IPv6 /64 is cut to /48", "2a00:1450:4009:820::/64", "2a00:1450:4009::/48", true, nil},
		{"a /16 is too wide", "81.2.0.0/16", "", false, nil},
		{"garbage", "not an ip", "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := IPPrefix(tt.raw)
			if ok != tt.wantOK {
				t.Fatalf("IPPrefix(%q) ok = %v, want %v", tt.raw, ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if got.Kind != KindIPPrefix || got.Value != tt.want || !got.Valid {
				t.Errorf("IPPrefix(%q) = %+v, want %q", tt.raw, got, tt.want)
			}
			if !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("IPPrefix(%q) flags = %v, want %v", tt.raw, got.Flags, tt.wantFlags)
			}
		})
	}
}

// TestIPFlagsNotShared checks that flags handed out are copies: appending to one
// identifier's flags must not change the range table.
func TestIPFlagsNotShared(t *testing.T) {
	a, _ := IPAddress("10.0.0.1")
	a.Flags = append(a.Flags[:1], "tampered")
	b, _ := IPAddress("10.0.0.2")
	if !sameFlags(b.Flags, []string{FlagPrivate}) {
		t.Errorf("flags after tampering = %v", b.Flags)
	}
}

func FuzzIPAddress(f *testing.F) {
	for _, s := range []string{
		"203.0.113.7", "2001:DB8::1", "fe80::1%eth0", "::ffff:1.2.3.4", "[::1]:80", "1.2.3.4:65535",
		"８１．２．６９．１６０", "010.1.1.1", "81.2.69.0/24", "::ffff:1.2.3.0/120", "[::ffff:1.2.3.4]", "1.2.3.4%x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, ok := IPAddress(raw)
		if !ok {
			return
		}
		again, ok := IPAddress(id.Value)
		if !ok || again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %q -> %+v -> %+v", raw, id, again)
		}
		if !id.Valid {
			return
		}
		p, ok := IPPrefix(raw)
		if !ok {
			t.Fatalf("valid address %q has no prefix", id.Value)
		}
		if p2, ok := IPPrefix(p.Value); !ok || p2.Value != p.Value {
			t.Fatalf("prefix not idempotent: %q -> %q -> %q (ok %v)", raw, p.Value, p2.Value, ok)
		}
	})
}
