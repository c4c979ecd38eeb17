package ingest

import (
	"encoding/json"
	"strings"
	"sync"

	_ "embed" // the disposable-domain lists below
)

// The disposable-domain lists are the npm package disposable-email-domains 1.0.62 (MIT, see
// data/disposable/LICENSE), committed verbatim so that a flag can be traced to the exact
// list that raised it. index.json holds exact domains; wildcard.json holds domains whose
// every subdomain is disposable too (services that hand out "anything.33mail.com").
// Both are strings, not byte slices, so that nothing can modify them.
var (
	//go:embed data/disposable/index.json
	disposableIndexJSON string
	//go:embed data/disposable/wildcard.json
	disposableWildcardJSON string
)

// disposableLists is the parsed form of the embedded lists, keyed by ASCII (punycode)
// domain.
type disposableLists struct {
	exact    map[string]struct{}
	wildcard map[string]struct{}
}

// disposableDomains parses the lists on first use: about 120,000 domains take tens of
// milliseconds and a few megabytes, which a program that never sees an e-mail should not
// pay at start-up.
var disposableDomains = sync.OnceValue(func() disposableLists {
	return disposableLists{
		exact:    parseDomainList(disposableIndexJSON),
		wildcard: parseDomainList(disposableWildcardJSON),
	}
})

// parseDomainList reads a JSON array of domain names into a set of ASCII domains. The keys
// are substrings of the embedded text where possible, so the set costs little more than
// its map. Non-ASCII entries (the list holds a few, such as the homoglyph "gmaıl.net") are
// converted to punycode, the form Email produces, so that they can match at all.
func parseDomainList(data string) map[string]struct{} {
	list, ok := splitJSONStrings(data)
	if !ok {
		// Not the plain array of plain strings the package ships: decode it properly.
		var decoded []string
		if err := json.Unmarshal([]byte(data), &decoded); err != nil {
			// The data is compiled in and checked by TestDisposableListsLoad: a failure
			// here is a broken build, not bad input.
			panic("ingest: embedded disposable-domain list: " + err.Error())
		}
		list = decoded
	}
	set := make(map[string]struct{}, len(list))
	for _, d := range list {
		if d = asciiDomain(d); d != "" {
			set[d] = struct{}{}
		}
	}
	return set
}

// splitJSONStrings splits a JSON array of strings without escapes ("[\"a\", \"b\"]") into
// substrings of data; ok is false for anything else.
func splitJSONStrings(data string) (list []string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(data), "[")
	if !found {
		return nil, false
	}
	list = make([]string, 0, strings.Count(rest, ",")+1)
	for {
		rest = strings.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			return nil, false
		}
		if rest[0] == ']' {
			return list, strings.TrimSpace(rest[1:]) == ""
		}
		if rest[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false
		}
		item := rest[1 : 1+end]
		if strings.IndexByte(item, '\\') >= 0 {
			return nil, false
		}
		list = append(list, item)
		rest = strings.TrimLeft(rest[end+2:], " \t\r\n")
		if next, comma := strings.CutPrefix(rest, ","); comma {
			rest = next
		} else if !strings.HasPrefix(rest, "]") {
			return nil, false
		}
	}
}

// asciiDomain lower-cases a domain, drops a final dot and converts it to punycode; it
// returns "" for a name IDNA rejects.
func asciiDomain(d string) string {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if contactASCII(d) {
		return d
	}
	a, err := emailIDNA.ToASCII(d)
	if err != nil {
		return ""
	}
	return a
}

// DisposableDomain reports whether domain belongs to a throwaway-inbox service (Mailinator,
// 10minutemail, 33mail aliases, ...), per the embedded disposable-email-domains list.
// domain may be Unicode or punycode, in any case. A subdomain matches only when the list
// marks its parent as a wildcard, as the list's own users do.
func DisposableDomain(domain string) bool {
	d := asciiDomain(domain)
	if d == "" {
		return false
	}
	lists := disposableDomains()
	if _, ok := lists.exact[d]; ok {
		return true
	}
	for {
		if _, ok := lists.wildcard[d]; ok {
			return true
		}
		_, parent, ok := strings.Cut(d, ".")
		if !ok {
			return false
		}
		d = parent
	}
}
