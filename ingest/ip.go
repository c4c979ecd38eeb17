package ingest

import (
	"net/netip"
	"strings"
)

// IP flags. A special-purpose address is valid but says little about who used it: a
// private or CGNAT address is shared by a household or a carrier's customers, a reserved
// one by nobody on the Internet.
const (
	// FlagPrivate marks RFC 1918 and IPv6 unique-local (fc00::/7) addresses.
	FlagPrivate = "private"
	// FlagCGNAT marks carrier-grade NAT space (100.64.0.0/10): thousands of subscribers
	// behind one address, a benign hub.
	FlagCGNAT = "cgnat"
	// FlagReserved marks every other special-purpose range: loopback, link-local,
	// documentation, benchmarking, multicast, "this network", future use. The narrower
	// flags below say which, where it matters.
	FlagReserved      = "reserved"
	FlagLoopback      = "loopback"
	FlagLinkLocal     = "link_local"
	FlagDocumentation = "documentation"
)

// Prefix lengths of the ip_prefix identifier: a /24 is the usual unit an IPv4 provider
// assigns to one site or one VPN exit pool; a /48 is one IPv6 site.
const (
	ipv4PrefixBits = 24
	ipv6PrefixBits = 48
)

// ipRange is one special-purpose range and its flags.
type ipRange struct {
	prefix netip.Prefix
	flags  []string
}

// specialIPRanges is the IANA IPv4 and IPv6 special-purpose registries, as far as they
// matter for linking applicants. The ranges do not overlap. An immutable table.
var specialIPRanges = []ipRange{
	{netip.MustParsePrefix("0.0.0.0/8"), []string{FlagReserved}},
	{netip.MustParsePrefix("10.0.0.0/8"), []string{FlagPrivate}},
	{netip.MustParsePrefix("100.64.0.0/10"), []string{FlagCGNAT}},
	{netip.MustParsePrefix("127.0.0.0/8"), []string{FlagReserved, FlagLoopback}},
	{netip.MustParsePrefix("169.254.0.0/16"), []string{FlagReserved, FlagLinkLocal}},
	{netip.MustParsePrefix("172.16.0.0/12"), []string{FlagPrivate}},
	{netip.MustParsePrefix("192.0.0.0/24"), []string{FlagReserved}},
	{netip.MustParsePrefix("192.0.2.0/24"), []string{FlagReserved, FlagDocumentation}},
	{netip.MustParsePrefix("192.88.99.0/24"), []string{FlagReserved}},
	{netip.MustParsePrefix("192.168.0.0/16"), []string{FlagPrivate}},
	{netip.MustParsePrefix("198.18.0.0/15"), []string{FlagReserved}},
	{netip.MustParsePrefix("198.51.100.0/24"), []string{FlagReserved, FlagDocumentation}},
	{netip.MustParsePrefix("203.0.113.0/24"), []string{FlagReserved, FlagDocumentation}},
	{netip.MustParsePrefix("224.0.0.0/4"), []string{FlagReserved}},
	{netip.MustParsePrefix("240.0.0.0/4"), []string{FlagReserved}},
	{netip.MustParsePrefix("::/127"), []string{FlagReserved, FlagLoopback}}, // :: and ::1
	{netip.MustParsePrefix("100::/64"), []string{FlagReserved}},
	{netip.MustParsePrefix("2001::/23"), []string{FlagReserved}},
	{netip.MustParsePrefix("2001:db8::/32"), []string{FlagReserved, FlagDocumentation}},
	{netip.MustParsePrefix("3fff::/20"), []string{FlagReserved, FlagDocumentation}},
	{netip.MustParsePrefix("fc00::/7"), []string{FlagPrivate}},
	{netip.MustParsePrefix("fe80::/10"), []string{FlagReserved, FlagLinkLocal}},
	{netip.MustParsePrefix("fec0::/10"), []string{FlagReserved}},
	{netip.MustParsePrefix("ff00::/8"), []string{FlagReserved}},
}

// IPAddress normalises an IP address to its canonical text form: IPv4-mapped IPv6
// unmapped, IPv6 compressed and lower-case, zone dropped. It also takes "[v6]", "v4:port",
// "[v6]:port" and full-width digits. Special-purpose addresses are flagged (private, cgnat,
// reserved, ...). Unparseable input is kept cleaned and lower-cased and flagged invalid;
// IPv4 with leading zeros ("010.1.1.1") is unparseable, since it is octal to some tools and
// decimal to others.
func IPAddress(raw string) (Identifier, bool) {
	s := contactFold(raw)
	if s == "" {
		return Identifier{}, false
	}
	addr, ok := parseIP(s)
	if !ok {
		return Identifier{Kind: KindIP, Value: s, Raw: raw, Flags: []string{FlagInvalid}}, true
	}
	return Identifier{Kind: KindIP, Value: addr.String(), Raw: raw, Valid: true, Flags: ipFlags(addr)}, true
}

// IPPrefix is the ip_prefix identifier of an address: its /24 (IPv4) or /48 (IPv6) as
// "203.0.113.0/24", flagged like the address. Several personas behind one VPN exit pool or
// one laptop farm's line share a prefix even when the addresses rotate. raw may also be a
// prefix at least that long, so that a prefix value normalises to itself; anything else
// yields false.
func IPPrefix(raw string) (Identifier, bool) {
	s := contactFold(raw)
	addr, ok := parseIP(s)
	if !ok {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Bits() < ipPrefixBits(p.Addr().Unmap()) {
			return Identifier{}, false
		}
		addr = p.Addr().Unmap()
	}
	p, err := addr.Prefix(ipPrefixBits(addr))
	if err != nil {
		return Identifier{}, false
	}
	return Identifier{Kind: KindIPPrefix, Value: p.String(), Raw: raw, Valid: true, Flags: ipFlags(p.Addr())}, true
}

func ipPrefixBits(a netip.Addr) int {
	if a.Is4() {
		return ipv4PrefixBits
	}
	return ipv6PrefixBits
}

// parseIP parses cleaned text as an address, with or without brackets and port.
func parseIP(s string) (netip.Addr, bool) {
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.WithZone("").Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			if addr, err := netip.ParseAddr(inner); err == nil && addr.Is6() {
				return addr.WithZone("").Unmap(), true
			}
		}
	}
	return netip.Addr{}, false
}

// ipFlags is the flags of the special-purpose range holding addr, nil for a global one.
func ipFlags(addr netip.Addr) []string {
	for _, r := range specialIPRanges {
		if r.prefix.Contains(addr) {
			// A copy: callers may append to an identifier's flags.
			return append([]string(nil), r.flags...)
		}
	}
	return nil
}

func (x *extraction) ips() {
	for _, ip := range x.rec.IPs {
		id, ok := IPAddress(ip.IP)
		x.add(id, ok)
		if ok && id.Valid {
			x.add(IPPrefix(id.Value))
		}
	}
}
