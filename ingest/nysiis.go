package ingest

import "strings"

// nysiisMaxLen is the length NYSIIS codes are cut to, as in the original 1970 system.
const nysiisMaxLen = 6

// NYSIIS returns the New York State Identification and Intelligence System phonetic code
// of one word (Robert L. Taft, "Name Search Techniques", 1970), cut to six characters.
// Letters outside A-Z are ignored; a word without letters gives "".
//
// The steps, as published:
//
//  1. Prefixes: MAC to MCC, KN to NN, K to C, PH and PF to FF, SCH to SSS.
//  2. Suffixes: EE and IE to Y; DT, RT, RD, NT, ND to D.
//  3. The code starts with the first letter.
//  4. Each later letter is translated, in place (later rules see earlier results): EV to
//     AF, other vowels to A; Q to G; Z to S; M to N; KN to N, other K to C; SCH to SSS;
//     PH to FF; H to the previous letter when the previous or next letter is not a vowel;
//     W to the previous letter when that is a vowel. The letter is appended unless it
//     repeats the last letter of the code.
//  5. A final S is removed, a final AY becomes Y, and a final A is removed.
//
// Written from that description; no existing implementation was copied.
func NYSIIS(word string) string {
	w := nysiisPrepare(word)
	if len(w) == 0 {
		return ""
	}
	// Step 1.
	switch {
	case strings.HasPrefix(string(w), "MAC"):
		w[1] = 'C'
	case strings.HasPrefix(string(w), "KN"):
		w[0] = 'N'
	case w[0] == 'K':
		w[0] = 'C'
	case strings.HasPrefix(string(w), "PH"), strings.HasPrefix(string(w), "PF"):
		w[0], w[1] = 'F', 'F'
	case strings.HasPrefix(string(w), "SCH"):
		w[1], w[2] = 'S', 'S'
	}
	// Step 2.
	if n := len(w); n >= 2 {
		switch string(w[n-2:]) {
		case "EE", "IE":
			w = append(w[:n-2], 'Y')
		case "DT", "RT", "RD", "NT", "ND":
			w = append(w[:n-2], 'D')
		}
	}
	// Steps 3 and 4.
	key := []byte{w[0]}
	for i := 1; i < len(w); i++ {
		nysiisTranslate(w, i)
		if w[i] != key[len(key)-1] {
			key = append(key, w[i])
		}
	}
	// Step 5.
	if n := len(key); n > 1 && key[n-1] == 'S' {
		key = key[:n-1]
	}
	if n := len(key); n > 1 && key[n-2] == 'A' && key[n-1] == 'Y' {
		key = append(key[:n-2], 'Y')
	}
	if n := len(key); n > 1 && key[n-1] == 'A' {
		key = key[:n-1]
	}
	if len(key) > nysiisMaxLen {
		key = key[:nysiisMaxLen]
	}
	return string(key)
}

// nysiisPrepare keeps the ASCII letters of word, upper-cased, at most 64 of them.
func nysiisPrepare(word string) []byte {
	w := make([]byte, 0, len(word))
	for i := 0; i < len(word) && len(w) < 64; i++ {
		c := word[i]
		switch {
		case c >= 'a' && c <= 'z':
			w = append(w, c-'a'+'A')
		case c >= 'A' && c <= 'Z':
			w = append(w, c)
		}
	}
	return w
}

func nysiisVowel(c byte) bool {
	return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'
}

// nysiisTranslate applies step 4 to the letter at i, writing the result into w.
func nysiisTranslate(w []byte, i int) {
	at := func(j int) byte {
		if j < len(w) {
			return w[j]
		}
		return 0
	}
	c := w[i]
	switch {
	case c == 'E' && at(i+1) == 'V':
		w[i], w[i+1] = 'A', 'F'
	case nysiisVowel(c):
		w[i] = 'A'
	case c == 'Q':
		w[i] = 'G'
	case c == 'Z':
		w[i] = 'S'
	case c == 'M':
		w[i] = 'N'
	case c == 'K' && at(i+1) == 'N':
		w[i] = 'N'
	case c == 'K':
		w[i] = 'C'
	case c == 'S' && at(i+1) == 'C' && at(i+2) == 'H':
		w[i+1], w[i+2] = 'S', 'S'
	case c == 'P' && at(i+1) == 'H':
		w[i], w[i+1] = 'F', 'F'
	case c == 'H' && (!nysiisVowel(w[i-1]) || !nysiisVowel(at(i+1))):
		w[i] = w[i-1]
	case c == 'W' && nysiisVowel(w[i-1]):
		w[i] = w[i-1]
	}
}
