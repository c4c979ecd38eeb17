package ingest

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// profilePlatform is one platform whose profile references Profile reduces to
// "platform:handle".
type profilePlatform struct {
	name  string
	hosts []string // host names, without "www."
	// handle extracts the handle from the URL path segments (already percent-decoded and
	// lower-cased); "" when the path is not a profile.
	handle func(seg []string) string
	// valid reports whether a handle is well-formed on the platform.
	valid func(h string) bool
}

// profilePlatforms is the platforms Profile knows. Their canonical names are the prefixes
// of the values ("github:some-dev") and must never change. An immutable table.
var profilePlatforms = []profilePlatform{
	{
		name:  "github",
		hosts: []string{"github.com"},
		handle: func(seg []string) string {
			// github.com/orgs/x and /sponsors/x name the account x.
			if len(seg) >= 2 && (seg[0] == "orgs" || seg[0] == "sponsors") {
				return seg[1]
			}
			if len(seg) >= 1 && !githubReserved(seg[0]) {
				return seg[0]
			}
			return ""
		},
		// 1 to 39 letters, digits and inner single hyphens (older accounts may have a
		// trailing or doubled hyphen, so only a leading one is refused).
		valid: func(h string) bool {
			return handleChars(h, 1, 39, "-") && h[0] != '-'
		},
	},
	{
		name:  "gitlab",
		hosts: []string{"gitlab.com"},
		handle: func(seg []string) string {
			if len(seg) >= 2 && seg[0] == "users" {
				return seg[1]
			}
			if len(seg) >= 1 && seg[0] != "explore" && seg[0] != "help" && seg[0] != "-" {
				return seg[0]
			}
			return ""
		},
		valid: func(h string) bool {
			return handleChars(h, 1, 255, "-_.") && h[0] != '-' && h[0] != '.' && !strings.HasSuffix(h, ".")
		},
	},
	{
		name:  "linkedin",
		hosts: []string{"linkedin.com"}, // country subdomains (uk.linkedin.com) too, see profileHost
		handle: func(seg []string) string {
			if len(seg) >= 2 && seg[0] == "in" {
				return seg[1]
			}
			return ""
		},
		// Vanity names are 3 to 100 characters; non-Latin letters are allowed.
		valid: func(h string) bool {
			n := utf8.RuneCountInString(h)
			return n >= 3 && n <= 100 && handleUnicode(h, "-_")
		},
	},
	{
		name:  "telegram",
		hosts: []string{"t.me", "telegram.me", "telegram.dog"},
		handle: func(seg []string) string {
			if len(seg) >= 2 && seg[0] == "s" { // t.me/s/x is x's public preview
				return seg[1]
			}
			if len(seg) >= 1 && seg[0] != "joinchat" && !strings.HasPrefix(seg[0], "+") {
				return seg[0]
			}
			return ""
		},
		// 5 to 32 letters, digits and underscores, starting with a letter.
		valid: func(h string) bool {
			return handleChars(h, 5, 32, "_") && h[0] >= 'a' && h[0] <= 'z'
		},
	},
	{
		name:  "x",
		hosts: []string{"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"},
		handle: func(seg []string) string {
			if len(seg) >= 1 && !xReserved(seg[0]) {
				return seg[0]
			}
			return ""
		},
		valid: func(h string) bool { return handleChars(h, 1, 15, "_") },
	},
}

// profilePrefixes maps the "platform:handle" spellings Profile accepts to platforms.
var profilePrefixes = map[string]string{
	"github": "github", "gh": "github",
	"gitlab":   "gitlab",
	"linkedin": "linkedin",
	"telegram": "telegram", "tg": "telegram",
	"x": "x", "twitter": "x",
}

// Profile normalises an online profile reference: a URL (with or without scheme, "www.",
// query or fragment) or "platform:handle" (also "platform:@handle").
//
// GitHub, GitLab, LinkedIn (/in/ vanity names), Telegram (t.me, tg://resolve) and X
// (x.com, twitter.com) profiles become "github:some-dev", "gitlab:...", "linkedin:...",
// "telegram:...", "x:..." with the handle lower-cased, since all five match handles without
// regard to case. Any other URL is kept as host and path, lower-cased, without scheme,
// "www.", fragment or trailing slash (the query stays: for some sites it holds the account
// id). A known platform's URL whose handle is malformed is kept the same way and flagged
// invalid. Mixed-script handles are flagged mixed_script.
func Profile(raw string) (Identifier, bool) {
	s := contactFold(raw)
	if s == "" {
		return Identifier{}, false
	}
	value, valid := profileValue(s)
	if value != s {
		// Cutting a URL down to host and path can leave text that reads differently a
		// second time ("@x:" loses "@" and then reads as the X prefix form). Such input
		// keeps its cleaned text, so that every value normalises to itself.
		if again, againValid := profileValue(value); again != value || againValid != valid {
			value = s
		}
	}
	if value == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindProfile, Value: value, Raw: raw, Valid: valid}
	if !valid {
		id.Flags = []string{FlagInvalid}
	}
	if contactConfusableMix(value) {
		id.Flags = append(id.Flags, FlagMixedScript)
	}
	return id, true
}

// profileValue is Profile's value for cleaned text, and whether it is valid.
func profileValue(s string) (string, bool) {
	platform, handle, form := profileHandle(s)
	switch p := platformByName(platform); {
	case form == profileUnknown:
		return genericProfile(s), true
	case p != nil && p.valid(handle):
		return platform + ":" + handle, true
	case form == profileURL:
		return genericProfile(s), false
	}
	// "github:bad handle!" stays as written: cutting it down to a host would merge every
	// malformed handle of a platform into one value.
	return s, false
}

// profileForm is how a profile reference was written.
type profileForm int

const (
	profileUnknown profileForm = iota // no known platform
	profileURL                        // a known platform's URL
	profilePrefix                     // "platform:handle", or an app link
)

// profileHandle finds the platform and handle in cleaned, lower-cased text.
func profileHandle(s string) (platform, handle string, form profileForm) {
	// "platform:handle", "platform:@handle". A URL's "https:" is no platform.
	if prefix, rest, ok := strings.Cut(s, ":"); ok && !strings.HasPrefix(rest, "//") {
		if name, ok := profilePrefixes[strings.TrimSpace(prefix)]; ok {
			return name, strings.TrimPrefix(strings.TrimSpace(rest), "@"), profilePrefix
		}
	}
	// tg://resolve?domain=x is Telegram's app link.
	if rest, ok := strings.CutPrefix(s, "tg://resolve?"); ok {
		if q, err := url.ParseQuery(rest); err == nil {
			return "telegram", q.Get("domain"), profilePrefix
		}
		return "telegram", "", profilePrefix
	}
	host, path := splitProfileURL(s)
	path, _, _ = strings.Cut(path, "?")
	for i := range profilePlatforms {
		p := &profilePlatforms[i]
		if !profileHost(p, host) {
			continue
		}
		var seg []string
		for part := range strings.SplitSeq(path, "/") {
			if part == "" {
				continue
			}
			if dec, err := url.PathUnescape(part); err == nil {
				part = contactFold(dec)
			}
			seg = append(seg, part)
		}
		h := p.handle(seg)
		if h == "" {
			// A platform page that is no profile (github.com/features): keep it generic.
			return "", "", profileUnknown
		}
		return p.name, strings.TrimPrefix(h, "@"), profileURL
	}
	return "", "", profileUnknown
}

// profileHost reports whether host belongs to platform p.
func profileHost(p *profilePlatform, host string) bool {
	for _, h := range p.hosts {
		if host == h {
			return true
		}
	}
	// uk.linkedin.com, de.linkedin.com, ...
	return p.name == "linkedin" && strings.HasSuffix(host, ".linkedin.com")
}

func platformByName(name string) *profilePlatform {
	for i := range profilePlatforms {
		if profilePlatforms[i].name == name {
			return &profilePlatforms[i]
		}
	}
	return nil
}

// splitProfileURL splits cleaned text into host (without "www." or port) and path (with
// the query, without the fragment).
func splitProfileURL(s string) (host, path string) {
	// Every leading scheme, so that "a://b://c" and its value "c" read the same.
	for {
		i := strings.Index(s, "://")
		if i <= 0 || !urlScheme(s[:i]) {
			break
		}
		s = strings.TrimLeftFunc(s[i+3:], unicode.IsSpace)
	}
	s, _, _ = strings.Cut(s, "#")
	// The host ends at the first "/" or at a query ("example.com?id=1").
	host = s
	if i := strings.IndexAny(s, "/?"); i >= 0 {
		host, path = s[:i], strings.TrimPrefix(s[i:], "/")
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 { // user:pass@host
		host = host[at+1:]
	}
	host = strings.TrimSpace(host)
	// A port, after a host name or a bracketed IPv6 address. Nothing else is cut, so that
	// a value never loses a second "port" when normalised again.
	if c := strings.LastIndexByte(host, ':'); c > 0 && c+1 < len(host) && contactAllDigits(host[c+1:]) &&
		(!strings.Contains(host[:c], ":") || strings.HasPrefix(host, "[") && host[c-1] == ']') {
		host = host[:c]
	}
	host = strings.TrimPrefix(host, "www.")
	return host, path
}

// genericProfile is the value of a reference to an unknown platform: host and path,
// without trailing slashes.
func genericProfile(s string) string {
	host, path := splitProfileURL(s)
	path, query, _ := strings.Cut(path, "?")
	v := strings.TrimRightFunc(host+"/"+path, func(r rune) bool { return r == '/' || unicode.IsSpace(r) })
	if query = strings.TrimRightFunc(query, unicode.IsSpace); query != "" {
		v += "?" + query
	}
	return v
}

// urlScheme reports whether s is a URL scheme: a letter, then letters, digits, "+", "-", ".".
func urlScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// githubReserved reports whether a first path segment is a GitHub site page, not an
// account.
func githubReserved(s string) bool {
	switch s {
	case "about", "features", "pricing", "settings", "marketplace", "explore", "topics",
		"trending", "login", "join", "search", "notifications", "site", "security",
		"enterprise", "collections", "events", "apps", "new", "organizations":
		return true
	}
	return false
}

// xReserved reports whether a first path segment is an X page, not an account.
func xReserved(s string) bool {
	switch s {
	case "i", "home", "intent", "share", "search", "hashtag", "explore", "settings",
		"login", "signup", "messages", "notifications", "tos", "privacy":
		return true
	}
	return false
}

// handleChars reports whether h is min to max ASCII letters and digits plus the bytes in
// extra.
func handleChars(h string, min, max int, extra string) bool {
	if len(h) < min || len(h) > max {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// handleUnicode reports whether h holds only letters, digits, marks and the bytes in extra.
func handleUnicode(h string, extra string) bool {
	for _, r := range h {
		if r < utf8.RuneSelf {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.IndexByte(extra, byte(r)) >= 0) {
				return false
			}
			continue
		}
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
			return false
		}
	}
	return true
}

// Username normalises a bare handle: cleaned (no zero-width characters, NFKC), lower case,
// no leading "@". Mixed-script handles ("jsmyth-dеv" with a Cyrillic "е") are kept as they
// are and flagged mixed_script.
func Username(raw string) (Identifier, bool) {
	s := strings.TrimLeftFunc(contactFold(raw), func(r rune) bool { return r == '@' || unicode.IsSpace(r) })
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindUsername, Value: s, Raw: raw, Valid: true}
	if contactConfusableMix(s) {
		id.Flags = []string{FlagMixedScript}
	}
	return id, true
}

func (x *extraction) profiles() {
	for _, p := range x.rec.Profiles {
		x.add(Profile(p))
	}
	for _, u := range x.rec.Usernames {
		x.add(Username(u))
	}
}
