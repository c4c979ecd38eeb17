package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// E-mail flags.
const (
	// FlagDisposable marks an address at a throwaway-inbox service (DisposableDomain).
	FlagDisposable = "disposable"
	// FlagFreeProvider marks an address at a free webmail provider (Gmail, Outlook, Yahoo,
	// Proton, ...): the rule for genuine applicants and operators alike, so a weak signal
	// alone, but it tells the engine that the domain itself is no evidence.
	FlagFreeProvider = "free_provider"
	// FlagMixedScript marks a value one of whose words mixes letters of scripts that pass
	// for each other (Latin, Cyrillic, Greek), as in "gmаil.com" with a Cyrillic "а": a
	// homoglyph made to dodge exact matching. Set by e-mail, profile, username and document
	// normalisers.
	FlagMixedScript = "mixed_script"
)

// E-mail length limits (RFC 5321 section 4.5.3.1), in bytes.
const (
	maxEmailLocal = 64
	maxEmailLen   = 254
)

// emailIDNA converts e-mail domains to ASCII: UTS 46 lookup mapping (case, width, NFC),
// letters-digits-hyphen labels, DNS label and name lengths, and the bidi rule. A Profile is
// immutable, so one shared value is safe.
var emailIDNA = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// mailProvider is how one mail provider folds addresses onto mailboxes.
type mailProvider struct {
	canonical string // the domain all of the provider's alias domains fold to; "" keeps it
	dropDots  bool   // dots in the local part are ignored (Gmail)
	tagSep    byte   // a sub-address tag starts at this byte: '+' or '-'; 0 for none
	free      bool   // a free webmail service (FlagFreeProvider)
}

// mailProviders lists the providers whose aliasing rules are documented, by ASCII domain.
// Folding matters because "+1", "+2" variants of one mailbox registered as different
// personas are a ring signal (DOMAIN.md S06). An immutable table.
var mailProviders = map[string]mailProvider{
	// Gmail ignores dots and "+tag"; googlemail.com is the same namespace.
	"gmail.com":      {dropDots: true, tagSep: '+', free: true},
	"googlemail.com": {canonical: "gmail.com", dropDots: true, tagSep: '+', free: true},
	// Microsoft consumer mail: "+tag" sub-addressing, dots significant.
	"outlook.com":   {tagSep: '+', free: true},
	"outlook.fr":    {tagSep: '+', free: true},
	"outlook.de":    {tagSep: '+', free: true},
	"hotmail.com":   {tagSep: '+', free: true},
	"hotmail.co.uk": {tagSep: '+', free: true},
	"hotmail.fr":    {tagSep: '+', free: true},
	"hotmail.de":    {tagSep: '+', free: true},
	"hotmail.it":    {tagSep: '+', free: true},
	"hotmail.es":    {tagSep: '+', free: true},
	"live.com":      {tagSep: '+', free: true},
	"live.co.uk":    {tagSep: '+', free: true},
	"live.fr":       {tagSep: '+', free: true},
	"msn.com":       {tagSep: '+', free: true},
	// Apple: an @me.com or @mac.com address always has the @icloud.com address of the same
	// name on the same account.
	"icloud.com": {tagSep: '+', free: true},
	"me.com":     {canonical: "icloud.com", tagSep: '+', free: true},
	"mac.com":    {canonical: "icloud.com", tagSep: '+', free: true},
	// Proton: every account has its name at proton.me and protonmail.com (and .ch, and
	// pm.me on paid plans), all one mailbox.
	"proton.me":      {tagSep: '+', free: true},
	"protonmail.com": {canonical: "proton.me", tagSep: '+', free: true},
	"protonmail.ch":  {canonical: "proton.me", tagSep: '+', free: true},
	"pm.me":          {canonical: "proton.me", tagSep: '+', free: true},
	// Fastmail: "+tag"; its many domains are separate namespaces, so no folding.
	"fastmail.com": {tagSep: '+'},
	"fastmail.fm":  {tagSep: '+'},
	// Yahoo "disposable addresses" are base-keyword@yahoo.com.
	"yahoo.com":    {tagSep: '-', free: true},
	"yahoo.co.uk":  {tagSep: '-', free: true},
	"yahoo.fr":     {tagSep: '-', free: true},
	"yahoo.de":     {tagSep: '-', free: true},
	"yahoo.es":     {tagSep: '-', free: true},
	"yahoo.it":     {tagSep: '-', free: true},
	"yahoo.ca":     {tagSep: '-', free: true},
	"yahoo.com.au": {tagSep: '-', free: true},
	"yahoo.co.in":  {tagSep: '-', free: true},
	// Yandex and Zoho document "+tag" too.
	"yandex.com": {tagSep: '+', free: true},
	"yandex.ru":  {tagSep: '+', free: true},
	"zoho.com":   {tagSep: '+', free: true},
}

// freeMailDomains are free webmail domains without folding rules (the ones with rules,
// above, are free too). An immutable set.
var freeMailDomains = map[string]struct{}{
	"aol.com": {}, "gmx.com": {}, "gmx.net": {}, "gmx.de": {}, "web.de": {}, "mail.com": {},
	"ymail.com": {}, "rocketmail.com": {}, "yahoo.co.jp": {}, "ya.ru": {}, "mail.ru": {},
	"zohomail.com": {}, "tutanota.com": {}, "tuta.io": {}, "tutamail.com": {}, "skiff.com": {},
	"qq.com": {}, "163.com": {}, "126.com": {}, "sina.com": {}, "naver.com": {},
	"hanmail.net": {}, "daum.net": {}, "rediffmail.com": {}, "inbox.ru": {}, "bk.ru": {},
	"list.ru": {}, "ukr.net": {}, "seznam.cz": {}, "wp.pl": {}, "o2.pl": {}, "interia.pl": {},
	"libero.it": {}, "orange.fr": {}, "laposte.net": {}, "t-online.de": {},
}

// Email normalises an e-mail address:
//   - format characters (zero-width spaces and joiners, bidi controls) are removed and the
//     text put in NFKC, so full-width "ｊｏｎ＠ｇｍａｉｌ．ｃｏｍ" reads as jon@gmail.com;
//   - a "Name <addr>" wrapper and "mailto:" are dropped, and everything is lower-cased;
//   - the domain is converted to punycode (IDNA lookup rules), so a Unicode domain and its
//     xn-- form are one value;
//   - provider rules fold aliases onto the mailbox: Gmail dots and "+tag", googlemail.com
//     to gmail.com, "+tag" at Outlook, iCloud, Proton and Fastmail (me.com, mac.com to
//     icloud.com; protonmail.com, pm.me to proton.me), Yahoo "-keyword".
//
// Flags: disposable, free_provider, mixed_script (homoglyphs are kept, not mapped to
// Latin: "gmаil.com" with a Cyrillic "а" is another domain, and the flag says so). An
// address that is not local@domain with a valid local part and a dotted, IDNA-valid domain
// is kept as its cleaned, lower-cased text and flagged invalid.
func Email(raw string) (Identifier, bool) {
	s := emailClean(raw)
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindEmail, Raw: raw, Value: s}
	value, flags, ok := canonicalEmail(s)
	if !ok {
		id.Flags = append(flags, FlagInvalid)
		return id, true
	}
	id.Value, id.Flags, id.Valid = value, flags, true
	return id, true
}

// emailClean is the text an e-mail normalises from, and an invalid one's value: cleaned,
// lower-cased, without a "Name <...>" wrapper or "mailto:" prefix. Idempotent.
func emailClean(raw string) string {
	s := contactFold(raw)
	// "Jon Smyth <jon@x.com>": the address is after the last "<", up to the next ">". The
	// result holds neither bracket, so a second pass finds nothing to unwrap.
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	for {
		t := strings.TrimSpace(strings.TrimPrefix(s, "mailto:"))
		if t == s {
			return s
		}
		s = t
	}
}

// canonicalEmail applies the address rules to cleaned text. It returns the flags it could
// establish even when the address is invalid.
func canonicalEmail(s string) (value string, flags []string, ok bool) {
	if len(s) > maxEmailLen {
		return "", nil, false
	}
	local, domain, found := strings.Cut(s, "@")
	if !found || strings.Contains(domain, "@") || !validLocalPart(local) {
		return "", nil, false
	}
	if contactConfusableMix(local) {
		flags = append(flags, FlagMixedScript)
	}
	domain = strings.TrimSuffix(domain, ".")
	ascii, err := emailIDNA.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || contactAllDigits(ascii[strings.LastIndexByte(ascii, '.')+1:]) {
		return "", flags, false
	}
	if !contactASCII(domain) || strings.Contains(ascii, "xn--") {
		// Judge the Unicode form, so that the xn-- value gets the same flag when normalised
		// again.
		if uni, err := emailIDNA.ToUnicode(ascii); err == nil && contactConfusableMix(uni) {
			flags = contactAppendFlag(flags, FlagMixedScript)
		}
	}
	free := false
	if p, known := mailProviders[ascii]; known {
		free = p.free
		if p.canonical != "" {
			ascii = p.canonical
		}
		if p.tagSep != 0 {
			local, _, _ = strings.Cut(local, string(p.tagSep))
		}
		if p.dropDots {
			local = strings.ReplaceAll(local, ".", "")
		}
		// "+tag@gmail.com" or ".-x@yahoo.com" leave no mailbox behind.
		if !validLocalPart(local) {
			return "", flags, false
		}
	} else if _, known := freeMailDomains[ascii]; known {
		free = true
	}
	if free {
		flags = append(flags, FlagFreeProvider)
	}
	if DisposableDomain(ascii) {
		flags = append(flags, FlagDisposable)
	}
	return local + "@" + ascii, flags, true
}

// validLocalPart reports whether local is a dot-atom local part (RFC 5322 atext, with
// RFC 6531 UTF-8 letters, digits and marks) of at most 64 bytes. Quoted local parts are not
// accepted: no real applicant uses one, and they let a single mailbox take many spellings.
func validLocalPart(local string) bool {
	if local == "" || len(local) > maxEmailLocal || local[0] == '.' || local[len(local)-1] == '.' ||
		strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		switch {
		case r >= utf8.RuneSelf:
			if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
				return false
			}
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r):
		default:
			return false
		}
	}
	return true
}

func contactAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// contactAppendFlag appends f unless flags holds it already.
func contactAppendFlag(flags []string, f string) []string {
	for _, g := range flags {
		if g == f {
			return flags
		}
	}
	return append(flags, f)
}

func (x *extraction) emails() {
	for _, e := range x.rec.Emails {
		x.add(Email(e))
	}
}

// contactASCII reports whether s is all ASCII, the common case that needs no Unicode work.
func contactASCII(s string) bool { return nameASCII(s) }

// contactClean is the first step of every contact and device normaliser: format characters
// (Unicode Cf: zero-width space, joiners, word joiner, BOM, soft hyphen, bidi controls)
// removed, since they are invisible and only ever make one value look like another; NFKC,
// so full-width and other compatibility forms become plain letters and digits; invalid
// UTF-8 replaced by U+FFFD; outer space trimmed. Homoglyphs from other scripts survive:
// they are different letters, and callers flag them (contactConfusableMix). Idempotent.
func contactClean(s string) string {
	if contactASCII(s) {
		return strings.TrimSpace(s)
	}
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFKC.String(s))
}

// contactFold is contactClean and lower case. Idempotent.
func contactFold(s string) string {
	s = contactClean(s)
	if contactASCII(s) {
		return strings.ToLower(s)
	}
	return strings.TrimSpace(norm.NFKC.String(strings.ToLower(s)))
}

// contactConfusableMix reports whether one word of s (a run of letters, marks and digits)
// mixes Latin, Cyrillic and Greek letters, the scripts whose letters pass for each other.
// Whole-word confusables ("раураl" all in Cyrillic) are not caught.
func contactConfusableMix(s string) bool {
	if contactASCII(s) {
		return false
	}
	var latin, cyrillic, greek bool
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'):
			latin = true
		case r < utf8.RuneSelf && '0' <= r && r <= '9':
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic = true
		case unicode.Is(unicode.Greek, r):
			greek = true
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		default: // a separator ends the word
			latin, cyrillic, greek = false, false, false
		}
		if latin && (cyrillic || greek) || cyrillic && greek {
			return true
		}
	}
	return false
}
