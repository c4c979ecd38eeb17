package ingest

import (
	"net/netip"
	"strings"
)

// IPAddress normalises an IP address to its canonical text form (IPv4-mapped IPv6
// unmapped). Unparseable input is kept trimmed and flagged invalid.
func IPAddress(raw string) (Identifier, bool) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Identifier{}, false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return Identifier{Kind: KindIP, Value: strings.ToLower(s), Raw: raw, Flags: []string{FlagInvalid}}, true
	}
	return Identifier{Kind: KindIP, Value: addr.Unmap().String(), Raw: raw, Valid: true}, true
}

func (x *extraction) ips() {
	for _, ip := range x.rec.IPs {
		x.add(IPAddress(ip.IP))
	}
}
