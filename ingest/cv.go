package ingest

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// KindCVShingleBand is the kind of a CV text's MinHash LSH band keys ("b03:9f2c1a..."),
// derived from its sketch (CVBandValues): records sharing one are candidates for
// near-duplicate CV comparison. Band keys are evidence, not identifiers: CVIdentifiers
// no longer returns them (cvband.go says why), though stores written before 2026-11-26
// hold some in their records' identifier lists.
const KindCVShingleBand Kind = "cv_shingle_band"

// KindCVSketch is a CV text's whole MinHash signature, 16 bits of each of its
// MinHashSize minima in hex. Its LSH bands (CVBandValues) find near-duplicate CVs, and
// those that share no band (a template's siblings around Jaccard 0.5 often share none)
// are still compared by it, pair by pair, where other evidence ties two personas
// (engine). It identifies nobody alone, so it has no postings.
const KindCVSketch Kind = "cv_sketch"

// FlagFromCV marks an e-mail, phone or profile found in free CV text rather than in a
// structured field: weaker provenance, since the text may quote someone else's contact.
const FlagFromCV = "from_cv"

const (
	// cvMaxBytes caps the CV text scanned for contacts and shingles.
	cvMaxBytes = 1 << 20
	// cvMinShingles is the number of shingles below which no band keys are emitted: short
	// texts ("Senior Go engineer, 5 years") are shared by many honest applicants, and a
	// near-empty signature matches every other one.
	cvMinShingles = 8
)

var (
	// cvProfileHosts are the sites where personas keep profiles. A host is matched only
	// as a whole label ("dropbox.com/" does not hold "x.com/") and followed by a path.
	cvProfileHosts = []string{
		"github.com/", "gitlab.com/", "bitbucket.org/", "linkedin.com/", "t.me/", "telegram.me/",
		"twitter.com/", "x.com/", "stackoverflow.com/", "upwork.com/", "freelancer.com/",
		"fiverr.com/", "toptal.com/", "kaggle.com/", "leetcode.com/", "hackerrank.com/",
		"medium.com/", "dev.to/", "behance.net/", "dribbble.com/", "codepen.io/",
		"facebook.com/", "instagram.com/", "wellfound.com/", "angel.co/",
	}
	// cvTelegramRE finds "Telegram: @handle" and "tg: @handle".
	cvTelegramRE = regexp.MustCompile(`(?i)\b(?:telegram|tg)\s*[:\-]?\s*@([a-z0-9_]{4,32})\b`)
	// cvObfuscated undoes "john [at] example [dot] com" and "(at)", "{dot}" forms.
	cvObfuscated = strings.NewReplacer(
		" [at] ", "@", "[at]", "@", " (at) ", "@", "(at)", "@", " {at} ", "@", "{at}", "@",
		" [dot] ", ".", "[dot]", ".", " (dot) ", ".", "(dot)", ".", " {dot} ", ".", "{dot}", ".",
		" [AT] ", "@", "[AT]", "@", " (AT) ", "@", "(AT)", "@",
		" [DOT] ", ".", "[DOT]", ".", " (DOT) ", ".", "(DOT)", ".",
	)
)

// CVIdentifiers returns the identifiers of a CV's free text: e-mails, phones (national
// numbers read in region) and profile URLs found in it, each flagged FlagFromCV, and the
// MinHash sketch of its shingles (kind KindCVSketch) when it is long enough.
// Only the first MiB of text is read. Contacts are normalised by Email, Phone and Profile.
func CVIdentifiers(text, region string) []Identifier {
	if len(text) > cvMaxBytes {
		text = text[:cvMaxBytes]
	}
	ids := cvContacts(text, region)
	var sig [MinHashSize]uint64
	if minHash(text, &sig) >= cvMinShingles {
		ids = append(ids, Identifier{Kind: KindCVSketch, Value: cvSketch(&sig), Valid: true})
	}
	return ids
}

// cvContacts extracts the contacts of text, de-duplicated by kind and value.
//
// The scanners are hand-written rather than regular expressions: Go's regexp runs its
// NFA over the whole text when a pattern has no literal prefix, which cost about a
// millisecond per 3 kB CV for the four patterns, against a budget of tens of microseconds
// per record.
func cvContacts(text, region string) []Identifier {
	clean := cvClean(text)
	var ids []Identifier
	add := func(id Identifier, ok bool) {
		if !ok || id.Value == "" {
			return
		}
		if slices.ContainsFunc(ids, func(o Identifier) bool { return o.Kind == id.Kind && o.Value == id.Value }) {
			return
		}
		id.Flags = append(slices.Clip(id.Flags), FlagFromCV)
		ids = append(ids, id)
	}
	emails := cvEmailSpans(clean)
	seen := map[string]bool{}
	for _, m := range emails {
		raw := clean[m[0]:m[1]]
		if key := "e" + cvASCIILower(raw); !seen[key] {
			seen[key] = true
			add(Email(raw))
		}
	}
	for _, m := range cvProfileSpans(clean) {
		add(Profile(clean[m[0]:m[1]]))
	}
	if strings.Contains(clean, "@") && (cvContainsFold(clean, "telegram") || cvContainsFold(clean, "tg")) {
		for _, m := range cvTelegramRE.FindAllStringSubmatch(clean, -1) {
			add(Profile("telegram:@" + m[1]))
		}
	}
	for _, m := range cvPhoneSpans(clean) {
		if cvInside(m, emails) {
			continue // digits of an address, not a number
		}
		s := clean[m[0]:m[1]]
		if cvYearRange(s) {
			continue // "2019-2022" in an employment history: by far the commonest false start
		}
		key := "p" + phoneKeyDigits(s)
		if seen[key] {
			continue
		}
		seen[key] = true
		if id, ok := Phone(s, region); ok && id.Valid {
			add(id, true)
		}
	}
	return ids
}

// phoneKeyDigits is the digits of s, with a leading "+" kept: two candidates with the same
// key normalise alike, so Phone (the costly step) runs once for both.
func phoneKeyDigits(s string) string {
	var b strings.Builder
	if strings.HasPrefix(s, "+") {
		b.WriteByte('+')
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// cvEmailLocal and cvEmailDomain report whether a rune may appear in the local part or
// the domain of an address found in free text.
func cvEmailLocal(r rune) bool {
	return r < utf8.RuneSelf && strings.ContainsRune("._%+-", r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func cvEmailDomain(r rune) bool {
	return r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// cvEmailSpans returns the [start, end) spans of e-mail addresses in s: around each "@",
// the longest local part to the left and domain to the right, trimmed of dots and dashes
// at their outer ends, with a dotted domain whose last label has two or more letters.
func cvEmailSpans(s string) [][2]int {
	var spans [][2]int
	for off := 0; ; {
		k := strings.IndexByte(s[off:], '@')
		if k < 0 {
			return spans
		}
		at := off + k
		off = at + 1
		start := at
		for start > 0 {
			r, n := utf8.DecodeLastRuneInString(s[:start])
			if !cvEmailLocal(r) {
				break
			}
			start -= n
		}
		for start < at && s[start] == '.' {
			start++
		}
		end := at + 1
		for end < len(s) {
			r, n := utf8.DecodeRuneInString(s[end:])
			if !cvEmailDomain(r) {
				break
			}
			end += n
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if start == at || end == at+1 {
			continue
		}
		dot := strings.LastIndexByte(s[at+1:end], '.')
		if dot <= 0 {
			continue
		}
		tld := s[at+1+dot+1 : end]
		if utf8.RuneCountInString(tld) < 2 || strings.IndexFunc(tld, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue
		}
		spans = append(spans, [2]int{start, end})
		off = end
	}
}

// cvASCIILower lower-cases the ASCII letters of s, keeping every byte offset.
func cvASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// cvLowerByte lower-cases an ASCII letter; other bytes are unchanged.
func cvLowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// cvHasSuffixFold reports whether s ends with lower (lower-case ASCII), ignoring the
// case of ASCII letters in s: strings.HasSuffix(cvASCIILower(s), lower) without the copy.
func cvHasSuffixFold(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	s = s[len(s)-len(lower):]
	for i := 0; i < len(lower); i++ {
		if cvLowerByte(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

// cvContainsFold reports whether s contains lower (lower-case ASCII, not empty), ignoring
// the case of ASCII letters in s.
func cvContainsFold(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		if cvLowerByte(s[i]) == lower[0] && cvHasSuffixFold(s[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// cvURLByte reports whether an ASCII byte may continue a URL in free text.
func cvURLByte(c byte) bool {
	return c > ' ' && c < utf8.RuneSelf && strings.IndexByte("<>\"'()[]{}|\\^`,;", c) < 0
}

func cvAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// cvProfileSpans returns the spans of profile URLs in s: a known host (in any ASCII
// case), up to two subdomain labels and a scheme before it, and a non-empty path. It
// looks at each "/" of the text, which free text has few of, and asks whether a known
// host ends there. Letters are compared lower-cased byte by byte rather than on a
// lower-cased copy of the whole text, which cost a CV-sized allocation per record.
func cvProfileSpans(s string) [][2]int {
	var spans [][2]int
	for off := 0; ; {
		k := strings.IndexByte(s[off:], '/')
		if k < 0 {
			return spans
		}
		slash := off + k
		off = slash + 1
		at := -1
		for _, host := range cvProfileHosts {
			if cvHasSuffixFold(s[:slash+1], host) {
				at = slash + 1 - len(host)
				break
			}
		}
		if at < 0 || at > 0 && (cvAlnum(cvLowerByte(s[at-1])) || s[at-1] == '-') {
			continue // "dropbox.com/" is not "x.com/"
		}
		start := at
		for labels := 0; labels < 2 && start > 1 && s[start-1] == '.'; labels++ {
			j := start - 1
			for j > 0 && (cvAlnum(cvLowerByte(s[j-1])) || s[j-1] == '-') {
				j--
			}
			if j == start-1 {
				break
			}
			start = j
		}
		for _, scheme := range []string{"https://", "http://"} {
			if cvHasSuffixFold(s[:start], scheme) {
				start -= len(scheme)
				break
			}
		}
		end := off
		for end < len(s) && cvURLByte(s[end]) {
			end++
		}
		for end > off && strings.IndexByte(".:!?", s[end-1]) >= 0 {
			end--
		}
		if end == off {
			continue
		}
		spans = append(spans, [2]int{start, end})
		off = end
	}
}

// cvPhoneByte reports whether a byte may continue a phone number in free text.
func cvPhoneByte(c byte) bool {
	return c >= '0' && c <= '9' || c == ' ' || c == '\t' || c == '(' || c == ')' || c == '.' || c == '-' || c == '/'
}

// cvNumberLead marks the bytes a phone number may start with: digits, "+" and "(".
var cvNumberLead = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['('] = true, true
	return t
}()

// cvPhoneSpans returns the spans of digit runs that may be phone numbers: an optional "+"
// or "(", then digits and separators up to 30 bytes, ending on a digit, with 7 to 15
// digits, not glued to a preceding letter or digit (identifiers such as "AB12345678").
func cvPhoneSpans(s string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); {
		// Most of a text is words: skip what cannot start a number in a tight loop.
		for i < len(s) && !cvNumberLead[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		startsNumber := c >= '0' && c <= '9' ||
			(c == '+' || c == '(') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '(')
		if !startsNumber || i > 0 && (cvAlnum(s[i-1]) || s[i-1] >= 'A' && s[i-1] <= 'Z') {
			i++
			continue
		}
		end, lastDigit, digits := i+1, -1, 0
		if c >= '0' && c <= '9' {
			lastDigit, digits = i, 1
		}
		for end < len(s) && end-i < 30 && cvPhoneByte(s[end]) {
			if s[end] >= '0' && s[end] <= '9' {
				lastDigit = end
				digits++
			}
			end++
		}
		if lastDigit >= 0 && digits >= 7 && digits <= 15 {
			spans = append(spans, [2]int{i, lastDigit + 1})
		}
		i = end
	}
	return spans
}

// cvYearRange reports whether s is a range of two years such as "2019-2022" or
// "2019 - 2022". Parsing such a span as a phone number costs tens of microseconds and
// always fails, and CVs are full of them.
func cvYearRange(s string) bool {
	var years [2]int
	n, cur, digits := 0, 0, 0
	flush := func() bool {
		if digits == 0 {
			return true
		}
		if digits != 4 || n == 2 {
			return false
		}
		years[n], n, cur, digits = cur, n+1, 0, 0
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			cur = cur*10 + int(c-'0')
			digits++
		case c == ' ' || c == '-' || c == '/' || c == '.':
			if !flush() {
				return false
			}
		default:
			return false
		}
	}
	if !flush() || n != 2 {
		return false
	}
	return years[0] >= 1900 && years[0] <= 2100 && years[1] >= 1900 && years[1] <= 2100
}

// cvInside reports whether span m overlaps one of spans.
func cvInside(m [2]int, spans [][2]int) bool {
	for _, s := range spans {
		if m[0] < s[1] && s[0] < m[1] {
			return true
		}
	}
	return false
}

// cvClean prepares free text for contact extraction: NFKC (full-width "＠" and digits
// become ASCII), format characters removed (a zero-width space inside an address is a
// disguise, not a separator) and "[at]"/"[dot]" obfuscations undone.
func cvClean(text string) string {
	if !nameASCII(text) {
		text = norm.NFKC.String(text)
		// Look for a format character before mapping, skipping ASCII bytes (none is
		// one), so that a CV with an accent or a dash but nothing to remove costs one
		// cheap scan rather than a callback per rune. strings.Map also turns invalid
		// UTF-8 into U+FFFD, so text with any runs through it as before.
		if cvNeedsFormatMap(text) {
			text = strings.Map(func(r rune) rune {
				if cvFormatRune(r) {
					return -1
				}
				return r
			}, text)
		}
	}
	if cvMayBeObfuscated(text) {
		text = cvObfuscated.Replace(text)
	}
	return text
}

// cvMayBeObfuscated reports whether text holds a bracketed "at" or "dot" ("[at]",
// "(DOT)", ...), which every pattern of cvObfuscated contains. The replacer copies the
// whole text even when nothing matches, and many CVs have brackets but no obfuscation.
func cvMayBeObfuscated(text string) bool {
	for _, br := range [...]string{"[]", "()", "{}"} {
		for s := text; ; {
			j := strings.IndexByte(s, br[0])
			if j < 0 {
				break
			}
			s = s[j+1:]
			for _, w := range [...]string{"at", "dot", "AT", "DOT"} {
				if len(s) > len(w) && s[:len(w)] == w && s[len(w)] == br[1] {
					return true
				}
			}
		}
	}
	return false
}

// cvFormatRune reports whether r is a format character (category Cf), which no ASCII
// character is.
func cvFormatRune(r rune) bool {
	return r >= utf8.RuneSelf && unicode.Is(unicode.Cf, r)
}

// cvNeedsFormatMap reports whether s holds a format character or invalid UTF-8: what
// the strings.Map in cvClean would change.
func cvNeedsFormatMap(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unicode.Is(unicode.Cf, r) {
			return true
		}
		i += n
	}
	return false
}

func (x *extraction) cv() {
	// Runs after the structured fields' extractors: a contact already given in a field
	// keeps that provenance and the CV copy is dropped.
	for _, id := range CVIdentifiers(x.rec.CVText, x.region) {
		if id.Kind != KindCVSketch && slices.ContainsFunc(x.ids, func(o Identifier) bool {
			return o.Kind == id.Kind && o.Value == id.Value
		}) {
			continue
		}
		x.add(id, true)
	}
}

// cvSketch writes 16 bits of each minimum of a signature as hex.
func cvSketch(sig *[MinHashSize]uint64) string {
	var buf [MinHashSize * 4]byte
	for i, v := range sig {
		for k := range 4 {
			buf[4*i+k] = minHashHexDigits[v>>(12-4*k)&0xf]
		}
	}
	return string(buf[:])
}

// CVSketchSimilarity estimates the Jaccard similarity of two CV texts from their
// KindCVSketch values: the share of minima that agree. It returns 0 for malformed
// sketches.
func CVSketchSimilarity(a, b string) float64 {
	if len(a) != MinHashSize*4 || len(b) != MinHashSize*4 {
		return 0
	}
	same := 0
	for i := 0; i < len(a); i += 4 {
		if a[i:i+4] == b[i:i+4] {
			same++
		}
	}
	return float64(same) / MinHashSize
}
