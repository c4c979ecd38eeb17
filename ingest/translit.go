package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Transliteration of non-Latin scripts to ASCII, for name matching only. The output is a
// matching key, not a display form: it drops tones, long-vowel marks and most context
// rules, and aims at "the spelling a Latin-script form of the same name most likely has".
//
// # Scripts
//
//   - Cyrillic: a BGN/PCGN-like letter table (Russian; Ukrainian letters when a word holds
//     one of і ї є ґ, which switches г to h and и to y). е and ё are always "e", as in
//     passports, not BGN's word-initial "ye".
//   - Greek: a per-letter table close to ELOT 743, with ου, αυ, ευ and γγ as digraphs.
//   - Arabic and Persian letters: a consonant skeleton (short vowels are rarely written).
//   - Hangul: Revised Romanisation computed from each syllable block with the Unicode
//     decomposition formula; no liaison or assimilation rules across syllables.
//   - Japanese kana: passport-style Hepburn (long vowels unmarked, っ doubles the next
//     consonant, ゃゅょ and small vowels combine).
//   - Han: a PARTIAL table of a few hundred common Chinese surname and given-name
//     characters (simplified and traditional) to toneless pinyin; other Han characters
//     are left as they are. Japanese kanji and Korean hanja are read as Mandarin.
//
// # Why hand-written
//
// go-unidecode would cover more of Unicode, but its romanisations are per code point
// (no Hangul syllable rules, no kana combinations, Ukrainian as Russian), and a name key
// changes meaning whenever a table changes, so the table is better kept here, versioned
// with the keys it produces.

// translitRun folds one run of word characters (letters, marks, digits): lower case,
// Latin look-alikes in mixed-script words mapped to Latin, other scripts transliterated,
// special Latin letters spelled out. It appends to b.
//
// ukrainian selects the Ukrainian letter values; it is decided for the whole name (see
// translitUkrainian), since a Ukrainian family name often has no Ukrainian-only letter.
func translitRun(b *strings.Builder, run []rune, ukrainian bool) {
	mixed := translitMixedScript(run)
	for i := 0; i < len(run); {
		r := run[i]
		if mixed {
			if l, ok := homoglyphs[r]; ok {
				b.WriteByte(l)
				i++
				continue
			}
		}
		switch {
		case r >= 0xAC00 && r <= 0xD7A3, isHan(r):
			i = translitNameBlock(b, run, i)
			continue
		case isKana(r):
			i = translitKana(b, run, i)
			continue
		}
		lr := unicode.ToLower(r)
		if lr >= 0x370 && lr <= 0x3FF || lr >= 0x1F00 && lr <= 0x1FFF {
			i += translitGreek(b, run, i)
			continue
		}
		if ukrainian {
			if s, ok := ukrainianLetters[lr]; ok {
				b.WriteString(s)
				i++
				continue
			}
		}
		if s, ok := letterTable[lr]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(lr)
		}
		i++
	}
}

// translitUkrainian reports whether s holds a letter found in Ukrainian but not Russian.
func translitUkrainian(s string) bool { return strings.ContainsAny(s, "іїєґІЇЄҐ") }

// translitMixedScript reports whether a word mixes Latin letters with Cyrillic or Greek
// ones: the mark of a homoglyph substitution ("Smіth" with a Cyrillic і), since real
// words keep to one script.
func translitMixedScript(run []rune) bool {
	latin, other := false, false
	for _, r := range run {
		switch {
		case r < utf8.RuneSelf:
			latin = latin || unicode.IsLetter(r)
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r), unicode.Is(unicode.Greek, r):
			other = true
		}
	}
	return latin && other
}

// homoglyphs maps Cyrillic and Greek letters that look like a Latin letter, case by case
// (Cyrillic Н looks like H, its lower case н does not), to that Latin letter in lower
// case. Used only inside mixed-script words.
var homoglyphs = map[rune]byte{
	// Cyrillic upper case.
	'А': 'a', 'В': 'b', 'Е': 'e', 'Ё': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p',
	'С': 'c', 'Т': 't', 'Х': 'x', 'У': 'y', 'І': 'i', 'Ї': 'i', 'Ј': 'j', 'Ѕ': 's', 'Һ': 'h',
	'Ԛ': 'q', 'Ԝ': 'w', 'Ӏ': 'i', 'Ү': 'y',
	// Cyrillic lower case.
	'а': 'a', 'е': 'e', 'ё': 'e', 'к': 'k', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	'ү': 'y',
	// Greek upper case.
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n',
	'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	// Greek lower case.
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'χ': 'x',
}

// letterTable maps lower-case letters that do not decompose into a base letter and a
// mark (special Latin letters) and the single-letter transliterations of Cyrillic and
// Arabic to ASCII.
var letterTable = map[rune]string{
	// Latin letters with no canonical decomposition.
	'ß': "ss", 'æ': "ae", 'ø': "o", 'ł': "l", 'đ': "d", 'þ': "th", 'ð': "d", 'œ': "oe",
	'ı': "i", 'ħ': "h", 'ŀ': "l", 'ŋ': "ng", 'ĸ': "k", 'ſ': "s", 'ƒ': "f", 'ɨ': "i",
	'ǝ': "e", 'ə': "e", 'ɛ': "e", 'ɔ': "o", 'ʉ': "u", 'ɫ': "l", 'ƚ': "l", 'ȥ': "z",
	'ɗ': "d", 'ɓ': "b", 'ƙ': "k", 'ƴ': "y", 'ȸ': "db", 'ȹ': "qp",
	// Russian (BGN/PCGN-like; е and ё as "e", as in passports).
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya",
	// Other Cyrillic letters met in names (Ukrainian, Belarusian, Serbian, Macedonian,
	// Kazakh).
	'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "w", 'ђ': "dj", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz", 'ә': "a", 'ғ': "g",
	'қ': "q", 'ң': "ng", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h",
	// Arabic consonant skeleton (short vowels are marks, removed later).
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t", 'ث': "th",
	'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s",
	'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f",
	'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "w", 'ي': "y",
	'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "w", 'ئ': "y", 'ـ': "",
	// Persian and Urdu additions.
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "y", 'ۀ': "h", 'ے': "e",
	'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n", 'ھ': "h",
}

// ukrainianLetters overrides letterTable for words that hold a Ukrainian-only letter
// (Ukrainian National transliteration: г is h, и is y, х is kh, щ is shch).
var ukrainianLetters = map[rune]string{
	'г': "h", 'и': "y", 'й': "i", 'ю': "iu", 'я': "ia",
}

// translitGreek writes the Greek letter at run[i] (and a following letter when the pair is
// a digraph) and returns how many runes it used. Accented forms fold to their base.
func translitGreek(b *strings.Builder, run []rune, i int) int {
	c := greekBase(unicode.ToLower(run[i]))
	var next rune
	if i+1 < len(run) {
		next = greekBase(unicode.ToLower(run[i+1]))
	}
	switch {
	case c == 'ο' && next == 'υ':
		b.WriteString("ou")
		return 2
	case c == 'α' && next == 'υ':
		b.WriteString("av")
		return 2
	case c == 'ε' && next == 'υ':
		b.WriteString("ev")
		return 2
	case c == 'γ' && (next == 'γ' || next == 'κ' || next == 'χ' || next == 'ξ'):
		b.WriteString("n")
		return 1
	}
	if s, ok := greekLetters[c]; ok {
		b.WriteString(s)
	} else {
		b.WriteRune(unicode.ToLower(run[i]))
	}
	return 1
}

// greekBase strips the tonos, dialytika and polytonic marks from a lower-case Greek letter.
func greekBase(r rune) rune {
	switch r {
	case 'ά', 'ᾶ', 'ἀ', 'ἁ', 'ὰ', 'ᾳ':
		return 'α'
	case 'έ', 'ἐ', 'ἑ', 'ὲ':
		return 'ε'
	case 'ή', 'ῆ', 'ἠ', 'ἡ', 'ὴ', 'ῃ':
		return 'η'
	case 'ί', 'ϊ', 'ΐ', 'ῖ', 'ἰ', 'ἱ', 'ὶ':
		return 'ι'
	case 'ό', 'ὀ', 'ὁ', 'ὸ':
		return 'ο'
	case 'ύ', 'ϋ', 'ΰ', 'ῦ', 'ὐ', 'ὑ', 'ὺ':
		return 'υ'
	case 'ώ', 'ῶ', 'ὠ', 'ὡ', 'ὼ', 'ῳ':
		return 'ω'
	case 'ς':
		return 'σ'
	}
	return r
}

// greekLetters is the per-letter Greek table (ELOT 743 without its context rules).
var greekLetters = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// Hangul syllable blocks: S = 0xAC00 + (L*21 + V)*28 + T (Unicode section 3.12).
var (
	hangulInitials = [19]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulMedials  = [21]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	// Finals as pronounced at the end of a syllable (Revised Romanisation's final column).
	hangulFinals = [28]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

// hangulSyllable romanises one precomposed Hangul syllable.
func hangulSyllable(b *strings.Builder, r rune) {
	s := int(r - 0xAC00)
	b.WriteString(hangulInitials[s/588])
	b.WriteString(hangulMedials[(s%588)/28])
	b.WriteString(hangulFinals[s%28])
}

// isHan reports whether r is a CJK unified ideograph (basic block or extension A) or a
// compatibility ideograph.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0xF900 && r <= 0xFAFF
}

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// translitNameBlock romanises a run of Han or Hangul characters starting at run[i] and
// returns the index after it. East Asian names are written family name first with no
// space ("王小明", "김정은"); Latin forms split them ("Wang Xiaoming", "Kim Jongun"), so a
// block of two to four characters is split after its family name (two characters for the
// known compound surnames) and the given name is written as one word.
func translitNameBlock(b *strings.Builder, run []rune, i int) int {
	han := isHan(run[i])
	j := i
	for j < len(run) && (han && isHan(run[j]) || !han && isHangul(run[j])) {
		j++
	}
	block := run[i:j]
	split := 0
	known := true
	for _, r := range block {
		_, ok := hanPinyin[r]
		known = known && (!han || ok)
	}
	// A block with characters outside the table is kept whole: splitting it would split
	// it again when the folded form is folded once more.
	if n := len(block); n >= 2 && n <= 4 && known {
		split = 1
		if n >= 3 && compoundSurname(block[:2]) {
			split = 2
		}
	}
	for k, r := range block {
		if k == split && split > 0 {
			b.WriteByte(' ')
		}
		if han {
			if s, ok := hanPinyin[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteRune(r)
			}
		} else {
			hangulSyllable(b, r)
		}
	}
	return j
}

// compoundSurname reports whether two characters are a common two-character surname.
func compoundSurname(two []rune) bool {
	return strings.Contains(compoundSurnames, " "+string(two)+" ")
}

const compoundSurnames = " 欧阳 歐陽 司马 司馬 诸葛 諸葛 上官 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 令狐 夏侯 长孙 長孫 宇文 司徒 端木 轩辕 軒轅 南宫 南宮 独孤 獨孤 闻人 聞人 呼延 " +
	"남궁 황보 제갈 선우 독고 사공 "

// isKana reports whether r is hiragana, katakana or the prolonged-sound mark.
func isKana(r rune) bool { return r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FC }

// translitKana romanises the run of kana starting at run[i] (passport Hepburn) and returns
// the index after it.
func translitKana(b *strings.Builder, run []rune, i int) int {
	var out []byte
	geminate := false
	for ; i < len(run) && isKana(run[i]); i++ {
		r := run[i]
		if r >= 0x30A1 && r <= 0x30F6 {
			r -= 0x60 // katakana to hiragana
		}
		switch r {
		case 'っ':
			geminate = true
			continue
		case 0x30FC: // prolonged sound mark: long vowels stay unmarked
			continue
		case 'ゃ', 'ゅ', 'ょ':
			v := kanaTable[r][1:] // "a", "u", "o"
			if n := len(out); n > 0 && out[n-1] == 'i' && n >= 2 && !kanaVowel(out[n-2]) {
				out = out[:n-1]
				if kanaPalatal(out) {
					out = append(out, v...)
				} else {
					out = append(out, 'y')
					out = append(out, v...)
				}
				continue
			}
		case 'ぁ', 'ぃ', 'ぅ', 'ぇ', 'ぉ':
			v := kanaTable[r]
			if n := len(out); n > 0 && kanaVowel(out[n-1]) {
				if n >= 2 && !kanaVowel(out[n-2]) {
					out = append(out[:n-1], v...)
				} else if out[n-1] == 'u' {
					out = append(out[:n-1], 'w')
					out = append(out, v...)
				} else {
					out = append(out, v...)
				}
				continue
			}
		case 'う':
			// Passport Hepburn writes おう and うう as a single vowel (Tarō: Taro).
			if n := len(out); n > 0 && (out[n-1] == 'o' || out[n-1] == 'u') && !geminate {
				continue
			}
		}
		s := kanaTable[r]
		if geminate && s != "" && !kanaVowel(s[0]) {
			if strings.HasPrefix(s, "ch") {
				out = append(out, 't')
			} else {
				out = append(out, s[0])
			}
		}
		geminate = false
		out = append(out, s...)
	}
	b.Write(out)
	return i
}

// kanaPalatal reports whether a romanised stem already carries the palatal sound (sh, ch,
// j), so that しゃ is "sha", not "shya".
func kanaPalatal(stem []byte) bool {
	n := len(stem)
	return n > 0 && stem[n-1] == 'j' || n > 1 && stem[n-1] == 'h' && (stem[n-2] == 's' || stem[n-2] == 'c')
}

func kanaVowel(c byte) bool { return c == 'a' || c == 'i' || c == 'u' || c == 'e' || c == 'o' }

// kanaTable is Hepburn for hiragana (katakana is mapped onto it by code-point offset).
var kanaTable = map[rune]string{
	'あ': "a", 'い': "i", 'う': "u", 'え': "e", 'お': "o",
	'か': "ka", 'き': "ki", 'く': "ku", 'け': "ke", 'こ': "ko",
	'が': "ga", 'ぎ': "gi", 'ぐ': "gu", 'げ': "ge", 'ご': "go",
	'さ': "sa", 'し': "shi", 'す': "su", 'せ': "se", 'そ': "so",
	'ざ': "za", 'じ': "ji", 'ず': "zu", 'ぜ': "ze", 'ぞ': "zo",
	'た': "ta", 'ち': "chi", 'つ': "tsu", 'て': "te", 'と': "to",
	'だ': "da", 'ぢ': "ji", 'づ': "zu", 'で': "de", 'ど': "do",
	'な': "na", 'に': "ni", 'ぬ': "nu", 'ね': "ne", 'の': "no",
	'は': "ha", 'ひ': "hi", 'ふ': "fu", 'へ': "he", 'ほ': "ho",
	'ば': "ba", 'び': "bi", 'ぶ': "bu", 'べ': "be", 'ぼ': "bo",
	'ぱ': "pa", 'ぴ': "pi", 'ぷ': "pu", 'ぺ': "pe", 'ぽ': "po",
	'ま': "ma", 'み': "mi", 'む': "mu", 'め': "me", 'も': "mo",
	'や': "ya", 'ゆ': "yu", 'よ': "yo",
	'ら': "ra", 'り': "ri", 'る': "ru", 'れ': "re", 'ろ': "ro",
	'わ': "wa", 'ゐ': "i", 'ゑ': "e", 'を': "o", 'ん': "n", 'ゔ': "vu",
	'ぁ': "a", 'ぃ': "i", 'ぅ': "u", 'ぇ': "e", 'ぉ': "o",
	'ゃ': "ya", 'ゅ': "yu", 'ょ': "yo", 'ゎ': "wa", 'ゕ': "ka", 'ゖ': "ke",
}

// hanPinyin is a PARTIAL table: a few hundred of the most common Chinese surname and
// given-name characters, simplified and traditional, to pinyin without tones (ü as u).
// Characters outside it are kept as they are, so two records written in the same Han
// characters still meet.
var hanPinyin = parseHanTable(hanTable)

// parseHanTable reads "字pinyin" entries separated by spaces.
func parseHanTable(s string) map[rune]string {
	m := make(map[rune]string, 600)
	for _, f := range strings.Fields(s) {
		r, n := utf8.DecodeRuneInString(f)
		m[r] = f[n:]
	}
	return m
}

const hanTable = `
王wang 李li 张zhang 張zhang 刘liu 劉liu 陈chen 陳chen 杨yang 楊yang 黄huang 黃huang 赵zhao 趙zhao
吴wu 吳wu 周zhou 徐xu 孙sun 孫sun 马ma 馬ma 朱zhu 胡hu 郭guo 何he 林lin 高gao 罗luo 羅luo
郑zheng 鄭zheng 梁liang 谢xie 謝xie 宋song 唐tang 许xu 許xu 韩han 韓han 冯feng 馮feng 邓deng 鄧deng
曹cao 彭peng 曾zeng 肖xiao 蕭xiao 田tian 董dong 潘pan 袁yuan 蔡cai 蒋jiang 蔣jiang 余yu 于yu 杜du
叶ye 葉ye 程cheng 魏wei 苏su 蘇su 吕lu 呂lu 丁ding 任ren 卢lu 盧lu 姚yao 沈shen 钟zhong 鍾zhong 姜jiang
崔cui 谭tan 譚tan 陆lu 陸lu 范fan 汪wang 廖liao 石shi 金jin 韦wei 韋wei 贾jia 賈jia 夏xia 付fu 傅fu
方fang 邹zou 鄒zou 熊xiong 白bai 孟meng 秦qin 邱qiu 侯hou 江jiang 尹yin 薛xue 闫yan 閻yan 段duan
雷lei 龙long 龍long 黎li 史shi 陶tao 贺he 賀he 毛mao 郝hao 顾gu 顧gu 龚gong 龔gong 邵shao 万wan
萬wan 覃qin 武wu 钱qian 錢qian 戴dai 严yan 嚴yan 莫mo 孔kong 向xiang 常chang 汤tang 湯tang 康kang
易yi 乔qiao 喬qiao 赖lai 賴lai 文wen 施shi 洪hong 牛niu 欧ou 歐ou 阳yang 陽yang 司si 上shang 官guan
诸zhu 諸zhu 葛ge 俞yu 温wen 溫wen 柳liu 宁ning 寧ning 包bao 蒙meng 管guan 裴pei 倪ni 殷yin 甘gan
安an 齐qi 齊qi 岳yue 柴chai 聂nie 聶nie 左zuo 翟zhai 季ji 申shen 耿geng 关guan 關guan 卜bu 庞pang
龐pang 祝zhu 单shan 單shan 尚shang 纪ji 紀ji 舒shu 鲁lu 魯lu 蓝lan 藍lan 柯ke 戚qi 车che 車che
华hua 華hua 房fang 毕bi 畢bi 童tong 芦lu 冉ran 路lu 谷gu 牟mou 辛xin 伍wu 焦jiao 艾ai 凌ling
游you 邢xing 滕teng 裘qiu 梅mei 蒲pu 卓zhuo 席xi 邬wu 鄔wu 苗miao 霍huo 祁qi 阮ruan 巫wu 鲍bao
鮑bao 盛sheng 褚chu 卫wei 衛wei 皇huang 甫fu 慕mu 容rong 令ling 狐hu 端duan 木mu 轩xuan 辕yuan
宫gong 宮gong 独du 獨du 孤gu 闻wen 聞wen 呼hu 延yan 百bai 里li 东dong 東dong 尉wei 迟chi 遲chi
伟wei 偉wei 芳fang 娜na 秀xiu 英ying 敏min 静jing 靜jing 丽li 麗li 强qiang 強qiang 磊lei 军jun 軍jun
洋yang 勇yong 艳yan 艷yan 杰jie 傑jie 娟juan 涛tao 濤tao 明ming 超chao 兰lan 蘭lan 霞xia 平ping
刚gang 剛gang 桂gui 玉yu 红hong 紅hong 建jian 国guo 國guo 志zhi 新xin 海hai 波bo 春chun 晓xiao
曉xiao 小xiao 斌bin 宇yu 浩hao 凯kai 凱kai 鹏peng 鵬peng 辉hui 輝hui 俊jun 峰feng 鑫xin 欣xin
怡yi 婷ting 雪xue 琳lin 晶jing 颖ying 穎ying 慧hui 佳jia 嘉jia 子zi 涵han 梓zi 軒xuan 博bo
睿rui 思si 雨yu 萱xuan 一yi 诺nuo 諾nuo 泽ze 澤ze 天tian 昊hao 宏hong 成cheng 飞fei 飛fei 云yun
雲yun 亮liang 健jian 德de 福fu 生sheng 荣rong 榮rong 祥xiang 永yong 秋qiu 凤feng 鳳feng 珍zhen
淑shu 燕yan 琴qin 萍ping 玲ling 莉li 山shan 仁ren 义yi 義yi 礼li 禮li 智zhi 信xin 忠zhong 孝xiao
民min 家jia 振zhen 中zhong 正zheng 光guang 立li 丹dan 晨chen 瑞rui 琪qi 雅ya 倩qian 璐lu 露lu
婧jing 佩pei 菲fei 薇wei 蕾lei 洁jie 潔jie 爱ai 愛ai 美mei 月yue 星xing 辰chen 乐le 樂le 和he
银yin 銀yin 宝bao 寶bao 贵gui 貴gui 兴xing 興xing 发fa 發fa 友you 良liang 清qing 兵bing 斯si
彬bin 帆fan 旭xu 昆kun 晖hui 暉hui 朝chao 松song 柏bai 树shu 樹shu 森sen 毅yi 河he 湖hu 泉quan
源yuan 滨bin 濱bin 灵ling 靈ling 烨ye 燁ye 焕huan 煥huan 煜yu 琦qi 瑶yao 瑤yao 璇xuan 甜tian
皓hao 盈ying 真zhen 竹zhu 笑xiao 素su 纯chun 純chun 翔xiang 聪cong 聰cong 舟zhou 艺yi 藝yi
芬fen 芝zhi 花hua 茜qian 荷he 莲lian 蓮lian 菊ju 蓉rong 虹hong 诗shi 詩shi 语yu 語yu 豪hao
贤xian 賢xian 进jin 進jin 远yuan 遠yuan 铭ming 銘ming 锋feng 鋒feng 长chang 長chang 阿a 青qing
鸿hong 鴻hong 鹤he 鶴he 麟lin 伦lun 倫lun 仪yi 儀yi 依yi 勤qin 卿qing 啸xiao 嘯xiao 坤kun 培pei
基ji 士shi 声sheng 聲sheng 复fu 大da 太tai 奇qi 妍yan 姗shan 娇jiao 嬌jiao 婉wan 媛yuan 守shou
宗zong 宜yi 富fu 岩yan 峻jun 川chuan 帅shuai 帥shuai 希xi 庆qing 慶qing 廷ting 彤tong 影ying
心xin 忆yi 憶yi 恒heng 恩en 悦yue 惠hui 敬jing 斐fei 旺wang 昌chang 昕xin 晋jin 晉jin 景jing
曦xi 朗lang 楠nan 欢huan 歡huan 泰tai 润run 潤run 炜wei 煒wei 煌huang 熙xi 玮wei 瑋wei 环huan
環huan 珊shan 瑜yu 男nan 祖zu 纲gang 綱gang 绍shao 紹shao 维wei 維wei 翠cui 耀yao 胜sheng
勝sheng 若ruo 蕊rui 达da 達da 鸣ming 鳴ming 芸yun 琛chen 钰yu 鈺yu 瀚han 沛pei 淼miao 渊yuan
淵yuan 熠yi 秉bing 谦qian 謙qian 逸yi 钧jun 鈞jun 霖lin 韬tao 韜tao 顺shun 順shun 颜yan 顏yan
馨xin 骏jun 駿jun 哲zhe 铁tie 鐵tie 虎hu 彪biao 威wei 锦jin 錦jin 凡fan 尧yao 堯yao 舜shun
禹yu 汉han 漢han 兆zhao 岚lan 嵐lan 梦meng 夢meng 亚ya 亞ya 冬dong 冰bing 圆yuan 圓yuan 力li
毓yu 泓hong 祺qi 鸣ming 宸chen 铮zheng 錚zheng 恺kai 愷kai 懿yi 柔rou 娴xian 嫻xian 秀xiu 惠hui
桐tong 楷kai 瑾jin 琼qiong 瓊qiong 娅ya 婭ya 玥yue 妮ni 璟jing 俞yu 梓zi 航hang 奕yi 晗han
`
