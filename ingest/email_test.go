package ingest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// sameFlags reports whether two flag lists hold the same flags, in any order.
func sameFlags(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestEmail(t *testing.T) {
	long := strings.Repeat("a", 10000) + "@example.com"
	tests := []normCase{
		{"plain mixed case", " Jon.Smyth@Example.COM ", "jon.smyth@example.com", true, nil},
		{"gmail dots and plus tag", "Jon.Smyth+jobs@gmail.com", "jonsmyth@gmail.com", true, []string{FlagFreeProvider}},
		{"googlemail folds to gmail", "j.o.n+1@GoogleMail.com", "jon@gmail.com", true, []string{FlagFreeProvider}},
		{"outlook plus tag, dots kept", "jon.smyth+x@outlook.com", "jon.smyth@outlook.com", true, []string{FlagFreeProvider}},
		{"hotmail plus tag", "jon+2@hotmail.co.uk", "jon@hotmail.co.uk", true, []string{FlagFreeProvider}},
		{"live plus tag", "jon+2@live.com", "jon@live.com", true, []string{FlagFreeProvider}},
		{"me.com folds to icloud", "Jon+a@me.com", "jon@icloud.com", true, []string{FlagFreeProvider}},
		{"mac.com folds to icloud", "jon@mac.com", "jon@icloud.com", true, []string{FlagFreeProvider}},
		{"protonmail folds to proton.me", "jon+x@protonmail.com", "jon@proton.me", true, []string{FlagFreeProvider}},
		{"pm.me folds to proton.me", "jon@pm.me", "jon@proton.me", true, []string{FlagFreeProvider}},
		{"fastmail plus tag, not free", "jon+x@fastmail.com", "jon@fastmail.com", true, nil},
		{"yahoo minus keyword", "jon-jobs@yahoo.co.uk", "jon@yahoo.co.uk", true, []string{FlagFreeProvider}},
		{"yahoo keeps plus", "jon+x@yahoo.com", "jon+x@yahoo.com", true, []string{FlagFreeProvider}},
		{"unknown domain keeps plus and dots", "jon.s+x@example.com", "jon.s+x@example.com", true, nil},
		{"free provider without rules", "jon.smyth@gmx.de", "jon.smyth@gmx.de", true, []string{FlagFreeProvider}},
		{"IDN domain to punycode", "jon@Bücher.de", "jon@xn--bcher-kva.de", true, nil},
		{"punycode domain unchanged", "jon@XN--BCHER-KVA.DE", "jon@xn--bcher-kva.de", true, nil},
		{"trailing dot on domain", "jon@example.com.", "jon@example.com", true, nil},
		{"full-width forms", "ｊｏｎ．ｓｍｙｔｈ＠ｇｍａｉｌ．ｃｏｍ", "jonsmyth@gmail.com", true, []string{FlagFreeProvider}},
		{"zero-width characters", "jo\u200bn@gm\u200dail\u2060.com", "jon@gmail.com", true, []string{FlagFreeProvider}},
		{"BOM and bidi controls", "\ufeffjon@example.com\u202e", "jon@example.com", true, nil},
		{"Cyrillic a in gmail domain", "jon@gm\u0430il.com", "jon@xn--gmil-63d.com", true, []string{FlagMixedScript}},
		{"Cyrillic o in local part", "j\u043en@example.com", "j\u043en@example.com", true, []string{FlagMixedScript}},
		{"whole-Cyrillic domain is not mixed", "jon@\u0433\u043c\u0430\u0438\u043b.com", "jon@xn--80afqmc.com", true, nil},
		{"punycode homoglyph keeps its flag", "jon@xn--gmil-63d.com", "jon@xn--gmil-63d.com", true, []string{FlagMixedScript}},
		{"disposable domain", "throwaway@Mailinator.com", "throwaway@mailinator.com", true, []string{FlagDisposable}},
		{"disposable wildcard subdomain", "x@anything.33mail.com", "x@anything.33mail.com", true, []string{FlagDisposable}},
		{"disposable homoglyph domain from the list", "x@gma\u0131l.net", "x@xn--gmal-nza.net", true, []string{FlagDisposable}},
		{"display name wrapper", "Jon Smyth <Jon@Example.com>", "jon@example.com", true, nil},
		{"mailto prefix", "mailto:jon@example.com", "jon@example.com", true, nil},
		{"no at sign", "jon.smyth", "jon.smyth", false, []string{FlagInvalid}},
		{"two at signs", "Jon@@example.com", "jon@@example.com", false, []string{FlagInvalid}},
		{"domain without dot", "jon@localhost", "jon@localhost", false, []string{FlagInvalid}},
		{"IP literal domain", "jon@1.2.3.4", "jon@1.2.3.4", false, []string{FlagInvalid}},
		{"space in local part", "jon smyth@example.com", "jon smyth@example.com", false, []string{FlagInvalid}},
		{"leading dot", ".jon@example.com", ".jon@example.com", false, []string{FlagInvalid}},
		{"double dot", "jon..s@example.com", "jon..s@example.com", false, []string{FlagInvalid}},
		{"empty label", "jon@example..com", "jon@example..com", false, []string{FlagInvalid}},
		{"underscore in domain", "jon@ex_ample.com", "jon@ex_ample.com", false, []string{FlagInvalid}},
		{"only a plus tag at gmail", "+jobs@gmail.com", "+jobs@gmail.com", false, []string{FlagInvalid}},
		{"only a keyword at yahoo", "-x@yahoo.com", "-x@yahoo.com", false, []string{FlagInvalid}},
		{"label over 63 bytes", "jon@" + strings.Repeat("b", 64) + ".com", "jon@" + strings.Repeat("b", 64) + ".com", false, []string{FlagInvalid}},
		{"very long input", strings.ToUpper(long), long, false, []string{FlagInvalid}},
		{"invalid UTF-8 kept readable", "jon\xff@example.com", "jon\ufffd@example.com", false, []string{FlagInvalid}},
	}
	runNormCases(t, Email, KindEmail, tests)
}

func TestEmailEmpty(t *testing.T) {
	for _, raw := range []string{"", "   ", "\u200b\u200d", "\ufeff", "mailto:", "<>"} {
		if id, ok := Email(raw); ok {
			t.Errorf("Email(%q) = %+v, want nothing", raw, id)
		}
	}
}

// TestEmailHomoglyphDoesNotMatch checks that a look-alike address stays a different
// value from the address it imitates.
func TestEmailHomoglyphDoesNotMatch(t *testing.T) {
	latin, _ := Email("jon.smyth@gmail.com")
	for _, raw := range []string{"jon.smyth@gm\u0430il.com", "j\u043en.smyth@gmail.com", "jon.smyth@gmai\u04cf.com"} {
		fake, _ := Email(raw)
		if fake.Value == latin.Value {
			t.Errorf("Email(%q) = %q, the same value as the Latin address", raw, fake.Value)
		}
	}
}

func TestDisposableListsLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		set  map[string]struct{}
	}{
		{"index", disposableIndexJSON, disposableDomains().exact},
		{"wildcard", disposableWildcardJSON, disposableDomains().wildcard},
	} {
		var list []string
		if err := json.Unmarshal([]byte(tc.data), &list); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(list) < 100 {
			t.Fatalf("%s: %d domains, want the whole list", tc.name, len(list))
		}
		missing := 0
		for _, d := range list {
			if _, ok := tc.set[asciiDomain(d)]; !ok {
				missing++
				if missing < 5 {
					t.Errorf("%s: %q not in the loaded set", tc.name, d)
				}
			}
		}
		if missing > 0 {
			t.Errorf("%s: %d of %d domains missing", tc.name, missing, len(list))
		}
	}
}

func TestDisposableDomain(t *testing.T) {
	tests := []struct {
		domain string
		want   bool
	}{
		{"mailinator.com", true},
		{"MAILINATOR.COM.", true},
		{"guerrillamail.com", true},
		{"33mail.com", true},
		{"jon.33mail.com", true},      // wildcard
		{"a.b.33mail.com", true},      // wildcard, deeper
		{"x.10minutemail.com", false}, // exact entry only
		{"x.mailinator.com", true},    // mailinator is a wildcard too
		{"gma\u0131l.net", true},      // Unicode entry
		{"xn--gmal-nza.net", true},    // the same in punycode
		{"gmail.com", false},
		{"example.com", false},
		{"", false},
		{"com", false},
	}
	for _, tt := range tests {
		if got := DisposableDomain(tt.domain); got != tt.want {
			t.Errorf("DisposableDomain(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"Jon.Smyth+jobs@gmail.com", "jon@gm\u0430il.com", "ｊｏｎ＠ｇｍａｉｌ．ｃｏｍ", "jo\u200bn@example.com",
		"Jon <jon@x.com>", "mailto:mailto: a@b.co", "<<a@b.co>>", "a.-x@yahoo.com", "jon@Bücher.de",
		"x@xn--gmal-nza.net", "\xff@\xfe.com", "İ@example.com", "ß@straße.de", "a@b", "@", "a@b@c.d",
		"a@\u0660\u0661.com", "\u0130\u0307@x.co", "x@\ufe52com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, ok := Email(raw)
		if !ok {
			return
		}
		again, ok := Email(id.Value)
		if !ok {
			t.Fatalf("Email(%q) = %q, which yields nothing", raw, id.Value)
		}
		if again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %q -> %q (valid %v) -> %q (valid %v)", raw, id.Value, id.Valid, again.Value, again.Valid)
		}
	})
}

// TestIdentifiersContactKinds runs Identifiers on one realistic record and checks every
// kind the contact and device normalisers produce.
func TestIdentifiersContactKinds(t *testing.T) {
	line := `{"record_id": "upwork:app:000123", "source": "upwork", "observed_at": "2026-03-07T14:22:05Z",
	"nationality": "GB", "date_of_birth": "15/06/1994",
	"documents": [{"kind": "Driving License", "number": "smyth 906154 j99ab", "country": "uk"},
	              {"kind": "NINO", "number": "ab 12 34 56 c"}],
	"emails": ["Jon.Smyth+jobs@gmail.com", "throwaway@mailinator.com"],
	"phones": ["07911 123456", "+44 20 7946 0018"],
	"devices": [{"fingerprint": "C3A1-F0E4-B2D4-9786", "timezone": "Asia/Shanghai", "languages": "en-US,ko;q=0.9", "remote_tools": ["AnyDesk", "Chrome Remote Desktop"]}],
	"ips": ["203.0.113.7", {"ip": "2001:DB8::1", "at": "2026-03-07T14:00:00Z"}],
	"profiles": ["https://github.com/JSmyth-Dev/", "https://www.linkedin.com/in/jon-smyth?trk=x", "telegram:@jsmyth_dev"],
	"usernames": ["@JonSmyth94"],
	"photo_hash": "0xC3A1F0E4B2D49786"}`
	rec, err := Parse([]byte(line), 1)
	if err != nil {
		t.Fatal(err)
	}
	ids := Identifiers(rec)
	want := []struct {
		kind  Kind
		value string
		flags []string
	}{
		{KindDOB, "1994-06-15", nil},
		{KindDocument, "driving_licence:GB:SMYTH906154J99AB", nil},
		{KindDocument, "ni_number:GB:AB123456", nil},
		{KindEmail, "jonsmyth@gmail.com", []string{FlagFreeProvider}},
		{KindEmail, "throwaway@mailinator.com", []string{FlagDisposable}},
		{KindPhone, "+447911123456", []string{FlagMobile}},
		{KindPhone, "+442079460018", []string{FlagFixedLine}},
		{KindDevice, "c3a1f0e4b2d49786", []string{FlagRemoteTool, "anydesk", "chrome_remote_desktop", FlagRiskTimezone, FlagKoreanLanguage}},
		{KindIP, "203.0.113.7", []string{FlagReserved, FlagDocumentation}},
		{KindIPPrefix, "203.0.113.0/24", []string{FlagReserved, FlagDocumentation}},
		{KindIP, "2001:db8::1", []string{FlagReserved, FlagDocumentation}},
		{KindIPPrefix, "2001:db8::/48", []string{FlagReserved, FlagDocumentation}},
		{KindProfile, "github:jsmyth-dev", nil},
		{KindProfile, "linkedin:jon-smyth", nil},
		{KindProfile, "telegram:jsmyth_dev", nil},
		{KindUsername, "jonsmyth94", nil},
		{KindPhoto, "c3a1f0e4b2d49786", nil},
	}
	for _, w := range want {
		i := slices.IndexFunc(ids, func(id Identifier) bool { return id.Kind == w.kind && id.Value == w.value })
		if i < 0 {
			t.Errorf("no %s %q in %+v", w.kind, w.value, ids)
			continue
		}
		if !ids[i].Valid || !sameFlags(ids[i].Flags, w.flags) {
			t.Errorf("%s %q: valid %v flags %v, want valid, flags %v", w.kind, w.value, ids[i].Valid, ids[i].Flags, w.flags)
		}
	}
	// Nothing but the names' keys beyond what is listed: the contact kinds yield no extras.
	for _, id := range ids {
		if id.Kind == KindNameKey || id.Kind == KindAddress || id.Kind == KindPostcode || id.Kind == KindPayment {
			continue
		}
		if !slices.ContainsFunc(want, func(w struct {
			kind  Kind
			value string
			flags []string
		}) bool {
			return w.kind == id.Kind && w.value == id.Value
		}) {
			t.Errorf("unexpected identifier %+v", id)
		}
	}
}

func TestSplitJSONStrings(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		want   []string
		wantOK bool
	}{
		{"plain", "[\n  \"a.com\",\n  \"b.net\"\n]\n", []string{"a.com", "b.net"}, true},
		{"empty", "[]", []string{}, true},
		{"escape needs a real decoder", `["a\u002ecom"]`, nil, false},
		{"not an array", `{"a": 1}`, nil, false},
		{"unterminated string", `["a.com`, nil, false},
		{"missing comma", `["a" "b"]`, nil, false},
		{"trailing text", `["a"] x`, nil, false},
		{"number", `[1]`, nil, false},
	}
	for _, tt := range tests {
		got, ok := splitJSONStrings(tt.data)
		if ok != tt.wantOK || ok && !slices.Equal(got, tt.want) {
			t.Errorf("%s: splitJSONStrings(%q) = %q, %v; want %q, %v", tt.name, tt.data, got, ok, tt.want, tt.wantOK)
		}
	}
	// The fallback decoder reads what the fast path refuses.
	set := parseDomainList(`["A\u002eCOM", "b\u00fccher.de"]`)
	for _, d := range []string{"a.com", "xn--bcher-kva.de"} {
		if _, ok := set[d]; !ok {
			t.Errorf("parseDomainList with escapes: %q missing from %v", d, set)
		}
	}
}
