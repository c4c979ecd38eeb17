package ingest

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"spaces and punctuation", "  José-María  O'Neil ", "jose maria oneil"},
		{"curly apostrophe same as straight", "D’Angelo", "dangelo"},
		{"upper case", "JOHN SMITH", "john smith"},
		{"sharp s", "Straße", "strasse"},
		{"capital sharp s", "STRAẞE", "strasse"},
		{"ae ligature", "Æsir", "aesir"},
		{"o slash", "Øyvind Sørensen", "oyvind sorensen"},
		{"l stroke", "Łukasz Wałęsa", "lukasz walesa"},
		{"d stroke", "Đorđe", "dorde"},
		{"thorn and eth", "Þór Guðmundsson", "thor gudmundsson"},
		{"oe ligature", "Œuvray", "oeuvray"},
		{"dotless i", "Işık", "isik"},
		{"o slash with acute", "ǿ", "o"},
		{"full-width letters", "ＪＯＨＮ　ＳＭＩＴＨ", "john smith"},
		{"fi ligature", "ﬁona", "fiona"},
		{"dz digraph", "Ǆemal", "dzemal"},
		{"zero-width space inside", "Jo\u200bhn Sm\u200dith", "john smith"},
		{"soft hyphen and bom", "\ufeffJo\u00adhn", "john"},
		{"bidi override", "\u202eJohn\u202c", "john"},
		{"combining marks", "Jose\u0301 Zoe\u0308", "jose zoe"},
		{"cyrillic homoglyph in latin word", "Jоhn Smіth", "john smith"},
		{"greek homoglyph in latin word", "JΟΗN", "john"},
		{"cyrillic capital homoglyphs", "ВОВ", "vov"},
		{"russian", "Иван Петров", "ivan petrov"},
		{"russian soft sign and shch", "Щукарь Ёлкин", "shchukar elkin"},
		{"ukrainian", "Олександр Шевченко", "oleksandr shevchenko"},
		{"ukrainian letters switch table", "Сергій Гнатюк", "serhii hnatiuk"},
		{"serbian cyrillic", "Ђорђе Јовановић", "djordje jovanovic"},
		{"greek", "Ολυμπία Παπαδοπούλου", "olympia papadopoulou"},
		{"greek final sigma and digraphs", "Γιώργος Ευαγγέλου", "giorgos evangelou"},
		{"arabic skeleton", "محمد علي", "mhmd ly"},
		{"persian letters", "پرویز", "prwyz"},
		{"hangul family split", "김정은", "gim jeongeun"},
		{"hangul single syllable", "박", "bak"},
		{"hangul compound surname", "남궁민수", "namgung minsu"},
		{"hangul with final ng", "이영희", "i yeonghui"},
		{"compatibility jamo compose", "ㄱㅏ", "ga"},
		{"hiragana", "やまだ たろう", "yamada taro"},
		{"katakana with yoon", "キョウコ", "kyoko"},
		{"katakana sokuon", "ハットリ", "hattori"},
		{"katakana small vowel", "フィリップ", "firippu"},
		{"half-width katakana", "ﾔﾏﾀﾞ", "yamada"},
		{"katakana middle dot separates", "ジョン・スミス", "jon sumisu"},
		{"chinese simplified", "王小明", "wang xiaoming"},
		{"chinese traditional", "張偉", "zhang wei"},
		{"chinese compound surname", "欧阳娜娜", "ouyang nana"},
		{"han outside table kept", "王丂", "wang丂"},
		{"mixed scripts tokens", "John 王小明 Иван", "john wang xiaoming ivan"},
		{"arabic-indic digits", "Ali ٣", "ali 3"},
		{"emoji separates", "Jon😀Smith", "jon smith"},
		{"only punctuation", "!!! --- ...", ""},
		{"invalid utf-8", "Jo\xffhn", "jo hn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FoldName(tt.in)
			if got != tt.want {
				t.Errorf("FoldName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := FoldName(got); again != got {
				t.Errorf("FoldName not idempotent: %q -> %q -> %q", tt.in, got, again)
			}
		})
	}
}

func TestFoldNameLongInput(t *testing.T) {
	in := strings.Repeat("Jоhn\u200b Щукарь 王小明 ", 20000) // about 600 kB
	got := FoldName(in)
	if want := strings.TrimSpace(strings.Repeat("john shchukar wang xiaoming ", 20000)); got != want {
		t.Errorf("FoldName(long) has %d bytes, want %d", len(got), len(want))
	}
}

func TestNameKey(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "Jon Smyth", "jon smyth", true},
		{"order independent", "Smyth, Jon", "jon smyth", true},
		{"honorific and suffix dropped", "Dr. Jon Smyth Jr.", "jon smyth", true},
		{"roman numeral suffix", "John Smith III", "john smith", true},
		{"ma is a surname, not a title", "Ma Long", "long ma", true},
		{"only honorifics", "Mr. Dr.", "", false},
		{"empty", "  ", "", false},
		{"homoglyph same key", "Smіth Jоn", "jon smith", true},
		{"full-width same key", "ＳＭＹＴＨ ＪＯＮ", "jon smyth", true},
		{"zero-width same key", "J\u200bon Smy\u200cth", "jon smyth", true},
		{"cyrillic name", "Петров Иван", "ivan petrov", true},
		{"token cap", strings.Repeat("a ", 100) + "zed", strings.TrimSpace(strings.Repeat("a ", nameMaxTokens)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := NameKey(tt.in)
			if ok != tt.ok || id.Value != tt.want {
				t.Fatalf("NameKey(%q) = %q, %v; want %q, %v", tt.in, id.Value, ok, tt.want, tt.ok)
			}
			if !ok {
				return
			}
			if id.Kind != KindNameKey || !id.Valid || id.Raw != tt.in {
				t.Errorf("NameKey(%q) = %+v: want kind name_key, valid, raw kept", tt.in, id)
			}
			if again, _ := NameKey(id.Value); again.Value != id.Value {
				t.Errorf("NameKey not stable: %q -> %q", id.Value, again.Value)
			}
		})
	}
}

// nameKeyValues returns the values of NameKeys(n), and fails the test on a malformed key.
func nameKeyValues(t *testing.T, n Name) []string {
	t.Helper()
	var vals []string
	for _, id := range NameKeys(n) {
		phonetic := strings.HasPrefix(id.Value, "dm:") || strings.HasPrefix(id.Value, "ny:") ||
			strings.HasPrefix(id.Value, "dmf:")
		if id.Kind != KindNameKey || !id.Valid || id.HasFlag(FlagPhonetic) != phonetic {
			t.Errorf("NameKeys(%+v): malformed %+v", n, id)
		}
		vals = append(vals, id.Value)
	}
	if !slices.IsSorted(vals) || len(slices.Compact(slices.Clone(vals))) != len(vals) {
		t.Errorf("NameKeys(%+v) = %q: want sorted and unique", n, vals)
	}
	return vals
}

func TestNameKeys(t *testing.T) {
	tests := []struct {
		name string
		in   Name
		want []string
	}{
		{"full name", Name{Full: "Jon Smyth"},
			[]string{"dm:AN|XMT", "dm:JN|SM0", "jon smyth", "ny:JAN|SNYT"}},
		{"given and family", Name{Given: "John", Family: "Smith"},
			[]string{"dm:AN|XMT", "dm:JN|SM0", "dmf:SM0/j", "john smith", "ny:JAN|SNAT"}},
		{"comma form gives family", Name{Full: "Smith, J."},
			[]string{"dm:A|XMT", "dm:J|SM0", "dmf:SM0/j", "j smith", "ny:J|SNAT"}},
		{"full differs from parts: both kept", Name{Given: "John", Family: "Smith", Full: "John Paul Smith"},
			[]string{"dm:AN|PL|XMT", "dm:AN|XMT", "dm:JN|PL|SM0", "dm:JN|SM0", "dmf:SM0/j",
				"john paul smith", "john smith", "ny:JAN|PAL|SNAT", "ny:JAN|SNAT"}},
		{"no alternate when codes agree", Name{Full: "Bob Brown"},
			[]string{"bob brown", "dm:PP|PRN", "ny:BAB|BRAN"}},
		{"digits only: folded key, no phonetic key", Name{Full: "007"}, []string{"007"}},
		{"empty", Name{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nameKeyValues(t, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("NameKeys(%+v) =\n %q\nwant\n %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNameKeysMeet checks pairs of spellings that must share at least one name key, and
// pairs that must not.
func TestNameKeysMeet(t *testing.T) {
	tests := []struct {
		name string
		a, b Name
		meet bool
	}{
		{"spelling variants", Name{Full: "Jon Smyth"}, Name{Full: "John Smith"}, true},
		{"german and english", Name{Full: "Anna Schmidt"}, Name{Full: "Ana Smith"}, true},
		{"order and title", Name{Full: "Dr Smith John"}, Name{Given: "Jon", Family: "Smyth"}, true},
		{"initial meets full given name", Name{Full: "Smyth, J"}, Name{Given: "John", Family: "Smith"}, true},
		{"homoglyph disguise", Name{Full: "Jоhn Smіth"}, Name{Full: "John Smith"}, true},
		{"cyrillic and latin", Name{Full: "Иван Петров"}, Name{Full: "Ivan Petrov"}, true},
		{"different names", Name{Full: "John Smith"}, Name{Full: "Maria Garcia"}, false},
		{"shared given name only", Name{Full: "John Smith"}, Name{Full: "John Taylor"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := nameKeyValues(t, tt.a), nameKeyValues(t, tt.b)
			shared := slices.ContainsFunc(a, func(v string) bool { return slices.Contains(b, v) })
			if shared != tt.meet {
				t.Errorf("keys of %+v and %+v share a value: %v, want %v\n %q\n %q", tt.a, tt.b, shared, tt.meet, a, b)
			}
		})
	}
}

func TestIdentifiersNames(t *testing.T) {
	rec := &Record{RecordID: "r1", Name: Name{Given: "Jon", Family: "Smyth"}}
	var got []string
	for _, id := range Identifiers(rec) {
		if id.Kind == KindNameKey {
			got = append(got, id.Value)
		}
	}
	want := []string{"dm:AN|XMT", "dm:JN|SM0", "dmf:SM0/j", "jon smyth", "ny:JAN|SNYT"}
	if !slices.Equal(got, want) {
		t.Errorf("name_key identifiers = %q, want %q", got, want)
	}
}

func FuzzFoldName(f *testing.F) {
	for _, s := range []string{
		"  José-María  O'Neil ", "Jоhn Smіth", "ＪＯＨＮ", "Jo\u200bhn", "ǿ ӣ", "王小明", "王丂丄丅",
		"김정은", "ㄱㅏ", "キョウコ", "ッ", "ゃ", "ぁ", "ウィ", "Ολυμπία", "محمد", "Сергій", "Ǆ",
		"\u0301", "ΐ", "K", "İ", "ﬀ", "\xff\xfe", "a\u0308\u0308", "ᄀ\u0301ᅡ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<12 {
			return
		}
		if got, want := nameASCII(s), nameASCIIReference(s); got != want {
			t.Fatalf("nameASCII(%q) = %v, want %v", s, got, want)
		}
		got := FoldName(s)
		if again := FoldName(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if !utf8.ValidString(got) || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("FoldName(%q) = %q: want valid UTF-8 tokens separated by single spaces", s, got)
		}
		id, ok := NameKey(s)
		if ok {
			again, ok2 := NameKey(id.Value)
			if !ok2 || again.Value != id.Value {
				t.Fatalf("NameKey not stable: %q -> %q -> %q", s, id.Value, again.Value)
			}
		}
		_ = NameKeys(Name{Full: s, Given: s, Family: s})
	})
}

// TestFoldNameEveryRune checks idempotence on every code point of the Basic Multilingual
// Plane, alone and next to a Latin, a Cyrillic and a Han letter (which change how a word
// is transliterated), where a fuzzer would need luck to reach each script.
func TestFoldNameEveryRune(t *testing.T) {
	failures := 0
	for r := rune(0); r <= 0xFFFF && failures < 10; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r) + "\u0301", "Ж" + string(r), "王" + string(r)} {
			got := FoldName(s)
			if again := FoldName(got); again != got {
				t.Errorf("%U: FoldName(%q) = %q, then %q", r, s, got, again)
				failures++
			}
		}
	}
}

// nameASCIIReference is nameASCII before it read eight bytes at a time.
func nameASCIIReference(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func TestNameASCIIMatchesReference(t *testing.T) {
	base := strings.Repeat("abcdefgh", 3)
	for n := 0; n <= len(base); n++ {
		for at := -1; at < n; at++ {
			b := []byte(base[:n])
			if at >= 0 {
				b[at] = 0x80 | byte(at)
			}
			if got, want := nameASCII(string(b)), nameASCIIReference(string(b)); got != want {
				t.Fatalf("nameASCII(%q) = %v, want %v", b, got, want)
			}
		}
	}
}
