package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// dmMaxLen is the length Double Metaphone codes are cut to, as in Philips' original.
const dmMaxLen = 4

// DoubleMetaphone returns the primary and alternate Double Metaphone codes of one word
// (Lawrence Philips, "The Double Metaphone Search Algorithm", C/C++ Users Journal, June
// 2000), each at most four characters; "0" stands for the "th" sound and "X" for "sh".
// The alternate equals the primary when the word has no second reading. Letters outside
// A-Z are ignored, except Ç (as S), Ñ (as N) and capitals whose lower case is in a-z
// (İ, the Kelvin sign); a word without letters gives "", "".
//
// Written from the published description of the rules, not from any existing port (the
// only Go port reachable here is GPL). It departs from the original in one place: where
// the original appends a space to the alternate code (a final J, a Spanish -LL-) this
// appends nothing, because a space cannot survive in a name key.
func DoubleMetaphone(word string) (primary, alternate string) {
	w := dmPrepare(word)
	if len(w) == 0 {
		return "", ""
	}
	e := dmEncoder{w: w, last: len(w) - 1}
	e.slavoGermanic = strings.Contains(w, "W") || strings.Contains(w, "K") ||
		strings.Contains(w, "CZ") || strings.Contains(w, "WITZ")
	e.run()
	p, a := e.p.String(), e.a.String()
	if len(p) > dmMaxLen {
		p = p[:dmMaxLen]
	}
	if len(a) > dmMaxLen {
		a = a[:dmMaxLen]
	}
	return p, a
}

// dmPrepare upper-cases the ASCII letters of word and keeps Ç and Ñ as the single bytes
// 'ç' and 'ñ' stand-ins '\x01' and '\x02'; everything else is dropped.
func dmPrepare(word string) string {
	var b strings.Builder
	for _, r := range word {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		case r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r))
		case r == 'ç' || r == 'Ç':
			b.WriteByte(dmCedilla)
		case r == 'ñ' || r == 'Ñ':
			b.WriteByte(dmTilde)
		case r >= utf8.RuneSelf && unicode.ToLower(r) >= 'a' && unicode.ToLower(r) <= 'z':
			// Capitals whose lower case is an ASCII letter (İ is i, the Kelvin sign K
			// is k) read as that letter, so that a word and its lower case agree.
			b.WriteByte(byte(unicode.ToLower(r) - 'a' + 'A'))
		}
		if b.Len() >= 64 {
			break // the code is four characters long: more input cannot matter much
		}
	}
	return b.String()
}

const (
	dmCedilla = '\x01'
	dmTilde   = '\x02'
)

// dmEncoder holds the state of one encoding.
type dmEncoder struct {
	w             string
	last          int
	slavoGermanic bool
	p, a          strings.Builder
}

// at returns the letter at i, or 0 outside the word.
func (e *dmEncoder) at(i int) byte {
	if i < 0 || i >= len(e.w) {
		return 0
	}
	return e.w[i]
}

// is reports whether the word holds one of opts at position i.
func (e *dmEncoder) is(i int, opts ...string) bool {
	if i < 0 {
		return false
	}
	for _, o := range opts {
		if i+len(o) <= len(e.w) && e.w[i:i+len(o)] == o {
			return true
		}
	}
	return false
}

func (e *dmEncoder) vowel(i int) bool {
	switch e.at(i) {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// add appends to both codes; add2 appends different strings to each.
func (e *dmEncoder) add(s string) { e.p.WriteString(s); e.a.WriteString(s) }
func (e *dmEncoder) add2(p, a string) {
	e.p.WriteString(p)
	e.a.WriteString(a)
}

// step returns 2 when the letter at i+1 equals c (a doubled letter is coded once), else 1.
func (e *dmEncoder) step(i int, c byte) int {
	if e.at(i+1) == c {
		return 2
	}
	return 1
}

func (e *dmEncoder) run() {
	i := 0
	// Silent first letters.
	if e.is(0, "GN", "KN", "PN", "WR", "PS") {
		i = 1
	}
	// Initial X is pronounced Z, coded S (Xavier).
	if e.at(0) == 'X' {
		e.add("S")
		i = 1
	}
	for i < len(e.w) && (e.p.Len() < dmMaxLen || e.a.Len() < dmMaxLen) {
		switch c := e.at(i); c {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			if i == 0 {
				e.add("A") // initial vowels code as A, others are dropped
			}
			i++
		case 'B':
			e.add("P")
			i += e.step(i, 'B')
		case dmCedilla:
			e.add("S")
			i++
		case 'C':
			i = e.c(i)
		case 'D':
			switch {
			case e.is(i, "DG") && e.is(i+2, "I", "E", "Y"): // edge
				e.add("J")
				i += 3
			case e.is(i, "DG"): // edgar
				e.add("TK")
				i += 2
			case e.is(i, "DT", "DD"):
				e.add("T")
				i += 2
			default:
				e.add("T")
				i++
			}
		case 'F':
			e.add("F")
			i += e.step(i, 'F')
		case 'G':
			i = e.g(i)
		case 'H':
			// Kept only when first or between vowels.
			if (i == 0 || e.vowel(i-1)) && e.vowel(i+1) {
				e.add("H")
				i += 2
			} else {
				i++
			}
		case 'J':
			i = e.j(i)
		case 'K':
			e.add("K")
			i += e.step(i, 'K')
		case 'L':
			if e.at(i+1) == 'L' {
				// Spanish -illo, -illa, -alle: the alternate has no L.
				if i == len(e.w)-3 && e.is(i-1, "ILLO", "ILLA", "ALLE") ||
					(e.is(e.last-1, "AS", "OS") || e.is(e.last, "A", "O")) && e.is(i-1, "ALLE") {
					e.add2("L", "")
					i += 2
					continue
				}
				i += 2
			} else {
				i++
			}
			e.add("L")
		case 'M':
			// Silent B after M: dumb, thumb, plumber.
			if e.is(i-1, "UMB") && (i+1 == e.last || e.is(i+2, "ER")) || e.at(i+1) == 'M' {
				i += 2
			} else {
				i++
			}
			e.add("M")
		case 'N':
			e.add("N")
			i += e.step(i, 'N')
		case dmTilde:
			e.add("N")
			i++
		case 'P':
			switch {
			case e.at(i+1) == 'H':
				e.add("F")
				i += 2
			case e.is(i+1, "P", "B"): // campbell, raspberry
				e.add("P")
				i += 2
			default:
				e.add("P")
				i++
			}
		case 'Q':
			e.add("K")
			i += e.step(i, 'Q')
		case 'R':
			// French final -ier (Rogier), but not German -meier.
			if i == e.last && !e.slavoGermanic && e.is(i-2, "IE") && !e.is(i-4, "ME", "MA") {
				e.add2("", "R")
			} else {
				e.add("R")
			}
			i += e.step(i, 'R')
		case 'S':
			i = e.s(i)
		case 'T':
			i = e.t(i)
		case 'V':
			e.add("F")
			i += e.step(i, 'V')
		case 'W':
			i = e.wLetter(i)
		case 'X':
			// French final -aux, -eaux, -oux are silent.
			if !(i == e.last && (e.is(i-3, "IAU", "EAU") || e.is(i-2, "AU", "OU"))) {
				e.add("KS")
			}
			if e.is(i+1, "C", "X") {
				i += 2
			} else {
				i++
			}
		case 'Z':
			if e.at(i+1) == 'H' { // pinyin zh (Zhao)
				e.add("J")
				i += 2
				continue
			}
			if e.is(i+1, "ZO", "ZI", "ZA") || e.slavoGermanic && i > 0 && e.at(i-1) != 'T' {
				e.add2("S", "TS")
			} else {
				e.add("S")
			}
			i += e.step(i, 'Z')
		default:
			i++
		}
	}
}

// c codes the letter C at i and returns the next position.
func (e *dmEncoder) c(i int) int {
	switch {
	// Germanic -ach- (Bacher, Macher), but not -achi-, -ache-.
	case i > 1 && !e.vowel(i-2) && e.is(i-1, "ACH") && e.at(i+2) != 'I' &&
		(e.at(i+2) != 'E' || e.is(i-2, "BACHER", "MACHER")):
		e.add("K")
		return i + 2
	case i == 0 && e.is(i, "CAESAR"):
		e.add("S")
		return i + 2
	case e.is(i, "CHIA"): // Italian: chianti
		e.add("K")
		return i + 2
	case e.is(i, "CH"):
		switch {
		case i > 0 && e.is(i, "CHAE"): // michael
			e.add2("K", "X")
		// Greek roots: chemistry, chorus, character, charisma; not chore.
		case i == 0 && (e.is(i+1, "HARAC", "HARIS") || e.is(i+1, "HOR", "HYM", "HIA", "HEM")) &&
			!e.is(0, "CHORE"):
			e.add("K")
		// Germanic, Greek, or otherwise "kh": orchestra, architect, orchid, schmidt.
		case e.is(0, "VAN ", "VON ", "SCH") || e.is(i-2, "ORCHES", "ARCHIT", "ORCHID") ||
			e.is(i+2, "T", "S") ||
			(i == 0 || e.is(i-1, "A", "O", "U", "E")) &&
				(e.is(i+2, "L", "R", "N", "M", "B", "H", "F", "V", "W") || i+2 > e.last):
			e.add("K")
		case i > 0 && e.is(0, "MC"):
			e.add("K")
		case i > 0:
			e.add2("X", "K")
		default:
			e.add("X")
		}
		return i + 2
	case e.is(i, "CZ") && !e.is(i-2, "WICZ"): // czerny
		e.add2("S", "X")
		return i + 2
	case e.is(i+1, "CIA"): // focaccia
		e.add("X")
		return i + 3
	case e.is(i, "CC") && !(i == 1 && e.at(0) == 'M'): // but not McClellan
		// Bellocchio, but not bacchus.
		if e.is(i+2, "I", "E", "H") && !e.is(i+2, "HU") {
			if i == 1 && e.at(0) == 'A' || e.is(i-1, "UCCEE", "UCCES") { // accident, succeed
				e.add("KS")
			} else { // bacci, bertucci
				e.add("X")
			}
			return i + 3
		}
		e.add("K") // Pierce's rule
		return i + 2
	case e.is(i, "CK", "CG", "CQ"):
		e.add("K")
		return i + 2
	case e.is(i, "CI", "CE", "CY"):
		if e.is(i, "CIO", "CIE", "CIA") { // Italian
			e.add2("S", "X")
		} else {
			e.add("S")
		}
		return i + 2
	}
	e.add("K")
	if e.is(i+1, "C", "K", "Q") && !e.is(i+1, "CE", "CI") {
		return i + 2
	}
	return i + 1
}

// g codes the letter G at i and returns the next position.
func (e *dmEncoder) g(i int) int {
	if e.at(i+1) == 'H' {
		if i > 0 && !e.vowel(i-1) {
			e.add("K")
			return i + 2
		}
		if i == 0 { // ghislane, ghiradelli
			if e.at(i+2) == 'I' {
				e.add("J")
			} else {
				e.add("K")
			}
			return i + 2
		}
		// Parker's rule: hugh, bough, broughton.
		if i > 1 && e.is(i-2, "B", "H", "D") || i > 2 && e.is(i-3, "B", "H", "D") ||
			i > 3 && e.is(i-4, "B", "H") {
			return i + 2
		}
		// laugh, McLaughlin, cough, gough, rough, tough.
		if i > 2 && e.at(i-1) == 'U' && e.is(i-3, "C", "G", "L", "R", "T") {
			e.add("F")
		} else if i > 0 && e.at(i-1) != 'I' {
			e.add("K")
		}
		return i + 2
	}
	if e.at(i+1) == 'N' {
		switch {
		case i == 1 && e.vowel(0) && !e.slavoGermanic:
			e.add2("KN", "N")
		case !e.is(i+2, "EY") && e.at(i+1) != 'Y' && !e.slavoGermanic: // not cagney
			e.add2("N", "KN")
		default:
			e.add("KN")
		}
		return i + 2
	}
	if e.is(i+1, "LI") && !e.slavoGermanic { // tagliaro
		e.add2("KL", "L")
		return i + 2
	}
	// Initial -ges-, -gep-, -gel-, -gie-.
	if i == 0 && (e.at(i+1) == 'Y' ||
		e.is(i+1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")) {
		e.add2("K", "J")
		return i + 2
	}
	// -ger-, -gy-, but not danger, ranger, manger, -egy-, -igy-, -rgy-, -ogy-.
	if (e.is(i+1, "ER") || e.at(i+1) == 'Y') && !e.is(0, "DANGER", "RANGER", "MANGER") &&
		!e.is(i-1, "E", "I") && !e.is(i-1, "RGY", "OGY") {
		e.add2("K", "J")
		return i + 2
	}
	// Italian: biaggi.
	if e.is(i+1, "E", "I", "Y") || e.is(i-1, "AGGI", "OGGI") {
		switch {
		case e.is(0, "VAN ", "VON ", "SCH") || e.is(i+1, "ET"): // obviously Germanic
			e.add("K")
		case e.is(i+1, "IER") && i+3 == e.last: // French ending
			e.add("J")
		default:
			e.add2("J", "K")
		}
		return i + 2
	}
	e.add("K")
	return i + e.step(i, 'G')
}

// j codes the letter J at i and returns the next position.
func (e *dmEncoder) j(i int) int {
	if e.is(i, "JOSE") || e.is(0, "SAN ") { // Spanish: Jose, San Jacinto
		if i == 0 && e.at(i+4) == 0 || e.is(0, "SAN ") {
			e.add("H")
		} else {
			e.add2("J", "H")
		}
		return i + 1
	}
	switch {
	case i == 0:
		e.add2("J", "A") // Yankelovich, Jankelowicz
	case e.vowel(i-1) && !e.slavoGermanic && (e.at(i+1) == 'A' || e.at(i+1) == 'O'): // bajador
		e.add2("J", "H")
	case i == e.last:
		e.add2("J", "")
	case !e.is(i+1, "L", "T", "K", "S", "N", "M", "B", "Z") && !e.is(i-1, "S", "K", "L"):
		e.add("J")
	}
	return i + e.step(i, 'J')
}

// s codes the letter S at i and returns the next position.
func (e *dmEncoder) s(i int) int {
	switch {
	case e.is(i-1, "ISL", "YSL"): // island, isle, carlisle
		return i + 1
	case i == 0 && e.is(i, "SUGAR"):
		e.add2("X", "S")
		return i + 1
	case e.is(i, "SH"):
		if e.is(i+1, "HEIM", "HOEK", "HOLM", "HOLZ") { // Germanic
			e.add("S")
		} else {
			e.add("X")
		}
		return i + 2
	case e.is(i, "SIO", "SIA", "SIAN"): // Italian, Armenian
		if e.slavoGermanic {
			e.add("S")
		} else {
			e.add2("S", "X")
		}
		return i + 3
	// German and anglicised forms (Smith and Schmidt, Snider and Schneider), Slavic -sz-.
	case i == 0 && e.is(i+1, "M", "N", "L", "W") || e.is(i+1, "Z"):
		e.add2("S", "X")
		if e.is(i+1, "Z") {
			return i + 2
		}
		return i + 1
	case e.is(i, "SC"):
		if e.at(i+2) == 'H' {
			// Dutch: school, schooner; schermerhorn, schenker.
			if e.is(i+3, "OO", "ER", "EN", "UY", "ED", "EM") {
				if e.is(i+3, "ER", "EN") {
					e.add2("X", "SK")
				} else {
					e.add("SK")
				}
				return i + 3
			}
			if i == 0 && !e.vowel(3) && e.at(3) != 'W' {
				e.add2("X", "S")
			} else {
				e.add("X")
			}
			return i + 3
		}
		if e.is(i+2, "I", "E", "Y") {
			e.add("S")
		} else {
			e.add("SK")
		}
		return i + 3
	}
	// French final -ais, -ois: resnais, artois.
	if i == e.last && e.is(i-2, "AI", "OI") {
		e.add2("", "S")
	} else {
		e.add("S")
	}
	if e.is(i+1, "S", "Z") {
		return i + 2
	}
	return i + 1
}

// t codes the letter T at i and returns the next position.
func (e *dmEncoder) t(i int) int {
	switch {
	case e.is(i, "TION"):
		e.add("X")
		return i + 3
	case e.is(i, "TIA", "TCH"):
		e.add("X")
		return i + 3
	case e.is(i, "TH", "TTH"):
		// Thomas, Thames, or Germanic.
		if e.is(i+2, "OM", "AM") || e.is(0, "VAN ", "VON ", "SCH") {
			e.add("T")
		} else {
			e.add2("0", "T")
		}
		return i + 2
	}
	e.add("T")
	if e.is(i+1, "T", "D") {
		return i + 2
	}
	return i + 1
}

// wLetter codes the letter W at i and returns the next position.
func (e *dmEncoder) wLetter(i int) int {
	if e.is(i, "WR") {
		e.add("R")
		return i + 2
	}
	if i == 0 && (e.vowel(i+1) || e.is(i, "WH")) {
		if e.vowel(i + 1) {
			e.add2("A", "F") // Wasserman and Vasserman
		} else {
			e.add("A") // Uomo and Womo
		}
	}
	// Arnow and Arnoff; Polish -ewski.
	if i == e.last && e.vowel(i-1) || e.is(i-1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") || e.is(0, "SCH") {
		e.add2("", "F")
		return i + 1
	}
	if e.is(i, "WICZ", "WITZ") { // Polish: Filipowicz
		e.add2("TS", "FX")
		return i + 4
	}
	return i + 1
}
