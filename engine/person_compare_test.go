package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

func TestCompareDOBLevels(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1940-05-02", "1940-05-02", 0},
		{"1940-05-02", "1940-05-03", 1},
		{"1940-05-02", "1490-05-02", 1}, // adjacent digits of the year swapped
		{"1957-09-16", "1957-09-61", 1}, // adjacent digits of the day swapped
		{"1957-09-16", "1957-06-19", 2}, // not adjacent: two digits off
		{"1955-10-02", "1955-02-10", 1}, // day and month swapped
		{"1982-01-05", "1982-1-0", 1},   // a raw date with a zero day, padded
		{"1967-03-01", "1967-0-1", 1},   // a raw date with a zero month, padded
		{"1948-04-27", "1948-11-03", 3},
		{"1948-04-27", "1975-11-03", 4},
		{"1948-04-27", "", fieldLevels[fDOB]},
	} {
		if got := compareDOB(tc.a, tc.b); got != tc.want {
			t.Errorf("compareDOB(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareDOB(tc.b, tc.a); got != tc.want {
			t.Errorf("compareDOB(%q, %q) = %d, want %d (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestCompareNumbersLevels(t *testing.T) {
	for _, tc := range []struct {
		a, b []string
		want int
	}{
		{[]string{"ssn:AU:7659528"}, []string{"ssn:AU:7659528"}, 0},
		{[]string{"ssn:AU:7659528"}, []string{"ssn:AU:7659258"}, 1}, // two digits swapped
		{[]string{"ssn:AU:5210093"}, []string{"ssn:AU:5210081"}, 1}, // two slips
		{[]string{"ssn:AU:5210093"}, []string{"ssn:AU:521093"}, 1},  // a digit dropped
		{[]string{"ssn:AU:5210093"}, []string{"ssn:AU:5288193"}, 2}, // three off
		{[]string{"+61216457616"}, []string{"+61216485616"}, 1},
		{[]string{"12345"}, []string{"12354"}, 2}, // short: two off is not a typo
		{[]string{"12345"}, []string{"12346"}, 1},
		{nil, []string{"12346"}, 3},
	} {
		if got := compareNumbers(tc.a, tc.b); got != tc.want {
			t.Errorf("compareNumbers(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// nameFeatures returns the features of a record with this name (given, family) and date
// of birth, through the ingest normalisers, so that the phonetic keys are real.
func nameFeatures(given, family, dob string) features {
	rec := &ingest.Record{RecordID: "r", Name: ingest.Name{Given: given, Family: family}, DateOfBirth: dob}
	return featuresOf(ingest.Identifiers(rec))
}

func TestCompareNameLevels(t *testing.T) {
	for _, tc := range []struct {
		a, b [2]string
		want int
	}{
		{[2]string{"haddow", "vanessa"}, [2]string{"haddpw", "vanessa"}, 1},
		// One token in common, the other replaced: a level of its own, not "similar"
		// (martin is close to karin, but karin is taken by karin).
		{[2]string{"karin", "martin"}, [2]string{"karin", "krause"}, 4},
		{[2]string{"sophie", "wiseman"}, [2]string{"mystique", "wisemkan"}, 4},
		// A shared family-name blocking key is not a shared phonetic name.
		{[2]string{"jutta", "schneider"}, [2]string{"juergen", "schneider"}, 4},
		{[2]string{"anna", "weiss"}, [2]string{"bob", "jones"}, 5},
	} {
		fa, fb := nameFeatures(tc.a[0], tc.a[1], ""), nameFeatures(tc.b[0], tc.b[1], "")
		if got := compareName(&fa, &fb); got != tc.want {
			t.Errorf("compareName(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCompareAddressTypo(t *testing.T) {
	f := func(addr ...string) *features {
		var x features
		for _, a := range addr {
			x.address = append(x.address, a)
			var p [5]string
			if splitAddressKey(a, &p) && p[1] != "" {
				x.postcode = append(x.postcode, p[0]+":"+p[1])
			}
		}
		return &x
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"AU|2615|42||rivett street", "AU|2615|42||rivett street", 0},
		{"AU|2615|42||rivett street", "AU|2615|42||rivett skreet", 1}, // street typo
		{"AU|2615|42||rivett street", "AU|2614|42||rivett street", 1}, // postcode typo
		{"AU|2615|42||rivett street", "AU|2615|44||rivett street", 2}, // a neighbour
		{"AU|2615|42||rivett street", "AU|3000|42||rivett street", 3}, // another town
	} {
		if got := compareAddress(f(tc.a), f(tc.b)); got != tc.want {
			t.Errorf("compareAddress(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestBlockingFindsTypoedName: two records of one person whose whole-name phonetic codes,
// exact names, family-name keys and dates of birth all differ still share a blocking key
// (a name token's code with the birth year), and an unrelated record does not join them.
func TestBlockingFindsTypoedName(t *testing.T) {
	fs := []features{
		nameFeatures("donard", "kadin", "1948-08-20"),
		nameFeatures("dnzld", "kadin", "1948-05-20"),
		nameFeatures("mary", "lawson", "1975-01-02"),
	}
	pairs := candidatePairs(fs)
	if !slices.Contains(pairs, uint64(0)<<32|1) {
		t.Errorf("candidate pairs %x lack the typo'd pair (0, 1)", pairs)
	}
	if slices.Contains(pairs, uint64(0)<<32|2) || slices.Contains(pairs, uint64(1)<<32|2) {
		t.Errorf("candidate pairs %x pair an unrelated record", pairs)
	}
}

// testModel is a model with the priors as m and a flat u.
func testModel() *fsModel {
	md := &fsModel{lambda: 1e-4}
	for f := range numFields {
		for l := range fieldLevels[f] {
			md.m[f][l] = mPrior[f][l]
			md.u[f][l] = uPrior[f][l]
		}
	}
	return md
}

func TestHouseholdPhoneNotCountedTwice(t *testing.T) {
	md := testModel()
	pat := func(name, addr, phone int) pattern {
		var p pattern
		p.set(fName, name)
		p.set(fDOB, fieldLevels[fDOB])
		p.set(fAddress, addr)
		p.set(fEmail, fieldLevels[fEmail])
		p.set(fPhone, phone)
		p.set(fDoc, fieldLevels[fDoc])
		return p
	}
	// Different names at one address with one phone: the phone adds nothing.
	if with, without := md.posterior(pat(5, 0, 0)), md.posterior(pat(5, 0, 3)); math.Abs(with-without) > 1e-12 {
		t.Errorf("household pair: posterior %v with the shared phone, %v without", with, without)
	}
	if md.posterior(pat(4, 0, 0)) >= matchPrior {
		t.Error("relatives (one name token in common) at one address with one phone matched")
	}
	// The same name: the phone is evidence too.
	if with, without := md.posterior(pat(1, 0, 0)), md.posterior(pat(1, 0, 3)); with <= without {
		t.Errorf("same name: posterior %v with the shared phone, not above %v without", with, without)
	}
	// Without a shared address the phone counts in full.
	if with, without := md.posterior(pat(5, 3, 0)), md.posterior(pat(5, 3, 3)); with <= without {
		t.Errorf("no address: posterior %v with the shared phone, not above %v without", with, without)
	}
}

func TestEstimateMLearnsLevels(t *testing.T) {
	// No candidates: m stays the prior.
	md := testModel()
	uObs := md.u
	estimateM(md, &uObs, nil)
	for f := range numFields {
		for l := range fieldLevels[f] {
			if math.Abs(md.m[f][l]-mPrior[f][l]) > 1e-9 {
				t.Fatalf("no data: m[%d][%d] = %v, want the prior %v", f, l, md.m[f][l], mPrior[f][l])
			}
		}
	}
	// Many candidates that match on birth date and document but whose given name was
	// replaced (name level 4): EM learns that such matches are common here.
	var p pattern
	p.set(fName, 4)
	p.set(fDOB, 0)
	p.set(fAddress, 2)
	p.set(fEmail, fieldLevels[fEmail])
	p.set(fPhone, fieldLevels[fPhone])
	p.set(fDoc, 0)
	var q pattern
	q.set(fName, 0)
	q.set(fDOB, 0)
	q.set(fAddress, 0)
	q.set(fEmail, fieldLevels[fEmail])
	q.set(fPhone, fieldLevels[fPhone])
	q.set(fDoc, 0)
	md = testModel()
	uObs = md.u
	estimateM(md, &uObs, map[pattern]float64{p: 2000, q: 2000})
	if md.m[fName][4] <= 2*mPrior[fName][4] {
		t.Errorf("m for a replaced given name = %v, want well above the prior %v", md.m[fName][4], mPrior[fName][4])
	}
	for f := range numFields {
		sum := 0.0
		for l := range fieldLevels[f] {
			sum += md.m[f][l]
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("m[%d] sums to %v", f, sum)
		}
	}
}

// TestVeryAlikeNamesPairEveryToken: a family name in common does not make two names very
// similar as wholes when the given names differ.
func TestVeryAlikeNamesPairEveryToken(t *testing.T) {
	for _, tc := range [][2][2]string{
		{{"karin", "bauer"}, {"martin", "bauer"}},
		{{"peter", "weber"}, {"petra", "weber"}},
		{{"uwe", "herrmann"}, {"ute", "herrmann"}},
	} {
		fa, fb := nameFeatures(tc[0][0], tc[0][1], ""), nameFeatures(tc[1][0], tc[1][1], "")
		if got := compareName(&fa, &fb); got <= 1 {
			t.Errorf("compareName(%v, %v) = %d, want a level above 1", tc[0], tc[1], got)
		}
	}
}

// TestRelinkByOtherHolders: a name held only by records already one person is not
// common, so an exact-name pair the name's record count rejected is decided again
// without that penalty; a name many persons hold stays penalised.
func TestRelinkByOtherHolders(t *testing.T) {
	md := testModel()
	var p pattern
	p.set(fName, 0)
	p.set(fDOB, 1)
	p.set(fAddress, fieldLevels[fAddress])
	p.set(fEmail, fieldLevels[fEmail])
	p.set(fPhone, fieldLevels[fPhone])
	p.set(fDoc, fieldLevels[fDoc])
	const n = 1000
	if md.posteriorTF(p, 0) < matchPrior || md.posteriorTF(p, 5.0/n) >= matchPrior {
		t.Fatalf("test pattern: posterior %v without and %v with the name's frequency; want a match only without",
			md.posteriorTF(p, 0), md.posteriorTF(p, 5.0/n))
	}
	fs := make([]features, n)
	for i := range 5 {
		fs[i].name = "logan morgan" // one person's five records
	}
	for i := 5; i < 15; i++ {
		fs[i].name = "james smith" // ten persons
	}
	uf := newUnionFind(n)
	for i := 1; i < 4; i++ {
		uf.union(0, int32(i)) // records 0-3 linked already; 4 was rejected
	}
	pairs := []uint64{0<<32 | 4, 5<<32 | 6}
	pats := []pattern{p, p}
	nameCount := map[string]int32{"logan morgan": 5, "james smith": 10}
	if got := relinkByOtherHolders(fs, uf, md, pairs, pats, []int{0, 1}, nameCount); got != 1 {
		t.Errorf("relinked %d pairs, want 1", got)
	}
	if uf.find(0) != uf.find(4) {
		t.Error("the name's only person was not joined")
	}
	if uf.find(5) == uf.find(6) {
		t.Error("a name ten persons hold lost its penalty")
	}
}
