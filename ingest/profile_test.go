package ingest

import (
	"strings"
	"testing"
)

func TestProfile(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 10000)
	tests := []normCase{
		{"GitHub URL", "https://github.com/JSmyth-Dev/", "github:jsmyth-dev", true, nil},
		{"GitHub repository URL", "github.com/jsmyth-dev/some-repo", "github:jsmyth-dev", true, nil},
		{"GitHub www, query", "http://www.github.com/jsmyth-dev?tab=repositories", "github:jsmyth-dev", true, nil},
		{"GitHub prefix form", "github:jsmyth-dev", "github:jsmyth-dev", true, nil},
		{"GitHub short prefix with @", "gh:@JSmyth-Dev", "github:jsmyth-dev", true, nil},
		{"GitHub organisation", "https://github.com/orgs/acme-ltd/people", "github:acme-ltd", true, nil},
		{"GitHub site page is no profile", "https://github.com/features/", "github.com/features", true, nil},
		{"GitHub handle with leading hyphen", "https://github.com/-bad", "github.com/-bad", false, []string{FlagInvalid}},
		{"GitHub handle too long", "github.com/" + strings.Repeat("a", 40), "github.com/" + strings.Repeat("a", 40), false, []string{FlagInvalid}},
		{"GitHub malformed prefix form kept whole", "github:bad handle!", "github:bad handle!", false, []string{FlagInvalid}},
		{"GitLab URL", "https://gitlab.com/JSmyth.Dev", "gitlab:jsmyth.dev", true, nil},
		{"GitLab users path", "gitlab.com/users/jsmyth/projects", "gitlab:jsmyth", true, nil},
		{"LinkedIn vanity URL", "https://www.linkedin.com/in/Jon-Smyth/", "linkedin:jon-smyth", true, nil},
		{"LinkedIn country host and tracking query", "https://uk.linkedin.com/in/jon-smyth?trk=people", "linkedin:jon-smyth", true, nil},
		{"LinkedIn percent-encoded name", "linkedin.com/in/j%C3%B6rg-m%C3%BCller", "linkedin:jörg-müller", true, nil},
		{"LinkedIn company page stays a URL", "https://www.linkedin.com/company/acme/", "linkedin.com/company/acme", true, nil},
		{"Telegram t.me", "t.me/JSmyth_Dev", "telegram:jsmyth_dev", true, nil},
		{"Telegram telegram.me", "https://telegram.me/jsmyth_dev", "telegram:jsmyth_dev", true, nil},
		{"Telegram prefix form", "telegram:@jsmyth_dev", "telegram:jsmyth_dev", true, nil},
		{"Telegram app link", "tg://resolve?domain=jsmyth_dev", "telegram:jsmyth_dev", true, nil},
		{"Telegram preview page", "https://t.me/s/jsmyth_dev", "telegram:jsmyth_dev", true, nil},
		{"Telegram invite link stays a URL", "https://t.me/joinchat/AAAAAEk", "t.me/joinchat/aaaaaek", true, nil},
		{"Telegram handle too short", "telegram:@abc", "telegram:@abc", false, []string{FlagInvalid}},
		{"Twitter URL", "https://twitter.com/JSmyth", "x:jsmyth", true, nil},
		{"X URL", "x.com/jsmyth", "x:jsmyth", true, nil},
		{"Twitter status URL", "https://mobile.twitter.com/jsmyth/status/123", "x:jsmyth", true, nil},
		{"Twitter prefix form", "twitter:@jsmyth", "x:jsmyth", true, nil},
		{"X handle too long", "x.com/" + strings.Repeat("a", 16), "x.com/" + strings.Repeat("a", 16), false, []string{FlagInvalid}},
		{"X site page", "https://x.com/i/flow/login", "x.com/i/flow/login", true, nil},
		{"unknown site: host and path", "https://Example.com/Users/JSmyth/#about", "example.com/users/jsmyth", true, nil},
		{"unknown site keeps its query", "https://www.facebook.com/profile.php?id=100012345", "facebook.com/profile.php?id=100012345", true, nil},
		{"unknown site with port", "http://example.com:8080/u/jon", "example.com/u/jon", true, nil},
		{"unknown scheme:handle kept", "Skype:jon.smyth", "skype:jon.smyth", true, nil},
		{"URL inside a query is not a scheme", "example.com/r?u=https://x.com/a", "example.com/r?u=https://x.com/a", true, nil},
		{"Cyrillic e in a GitHub handle", "https://github.com/jsmyth-d\u0435v", "github.com/jsmyth-d\u0435v", false, []string{FlagInvalid, FlagMixedScript}},
		{"zero-width in a handle", "https://github.com/jsmyth\u200b-dev", "github:jsmyth-dev", true, nil},
		{"full-width URL", "ｇｉｔｈｕｂ．ｃｏｍ／ＪＳｍｙｔｈ", "github:jsmyth", true, nil},
		{"very long URL", long, strings.TrimPrefix(long, "https://"), true, nil},
	}
	runNormCases(t, Profile, KindProfile, tests)
	for _, raw := range []string{"", "  ", "\u200b", "https://"} {
		if id, ok := Profile(raw); ok {
			t.Errorf("Profile(%q) = %+v, want nothing", raw, id)
		}
	}
}

func TestUsername(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		want      string
		wantFlags []string
	}{
		{"at sign and case", "@JonSmyth94", "jonsmyth94", nil},
		{"doubled at sign and spaces", "  @@ jsmyth ", "jsmyth", nil},
		{"full-width", "ＪＳｍｙｔｈ＿ｄｅｖ", "jsmyth_dev", nil},
		{"zero-width joiner", "js\u200dmyth", "jsmyth", nil},
		{"Cyrillic e among Latin", "jsmyth-d\u0435v", "jsmyth-d\u0435v", []string{FlagMixedScript}},
		{"all Cyrillic is not mixed", "\u0434\u0436\u043e\u043d", "\u0434\u0436\u043e\u043d", nil},
		{"Greek omicron among Latin", "j\u03bfn", "j\u03bfn", []string{FlagMixedScript}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Username(tt.raw)
			if !ok || got.Kind != KindUsername || got.Value != tt.want || !got.Valid || !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("Username(%q) = %+v, %v; want %q flags %v", tt.raw, got, ok, tt.want, tt.wantFlags)
			}
		})
	}
	for _, raw := range []string{"", "@", " @ ", "\ufeff"} {
		if id, ok := Username(raw); ok {
			t.Errorf("Username(%q) = %+v, want nothing", raw, id)
		}
	}
}

func FuzzProfile(f *testing.F) {
	for _, s := range []string{
		"https://github.com/JSmyth-Dev/", "github:bad handle!", "gh:@x", "tg://resolve?domain=abcde",
		"tg://resolve?%zz", "linkedin.com/in/j%C3%B6rg", "linkedin.com/in/%zz", "x.com/i", "user:pass@host:80/x",
		"example.com?id=1", "http://[::1]:80/x", "t.me/+invite", "ｇｉｔｈｕｂ．ｃｏｍ／ｘ", "github.com//x",
		"skype:jon", "https://x.com/a#b?c", "github.com/%2e%2e", "a://b://c", "github:", "github.com/orgs",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if id, ok := Profile(raw); ok {
			again, ok := Profile(id.Value)
			if !ok || again.Value != id.Value || again.Valid != id.Valid {
				t.Fatalf("Profile not idempotent: %q -> %+v -> %+v (ok %v)", raw, id, again, ok)
			}
		}
		if id, ok := Username(raw); ok {
			again, ok := Username(id.Value)
			if !ok || again.Value != id.Value {
				t.Fatalf("Username not idempotent: %q -> %q -> %q (ok %v)", raw, id.Value, again.Value, ok)
			}
		}
	})
}
