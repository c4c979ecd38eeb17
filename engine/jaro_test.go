package engine

import (
	"math"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	// Reference values from Winkler's papers and the usual test tables.
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"jones", "johnson", 0.8323},
		{"abc", "abc", 1},
		{"abc", "", 0},
		{"abc", "xyz", 0},
	} {
		if got := jaroWinkler(tc.a, tc.b); math.Abs(got-tc.want) > 0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", tc.a, tc.b, got, tc.want)
		}
		if got, rev := jaroWinkler(tc.a, tc.b), jaroWinkler(tc.b, tc.a); math.Abs(got-rev) > 1e-9 {
			t.Errorf("not symmetric on %q, %q: %v vs %v", tc.a, tc.b, got, rev)
		}
	}
}

func TestEmailTypo(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"t.m39@brooks-sawyer.com", "t.m39@brooks-sawer.com", true},
		{"gabriel.t54@nichols.info", "gabriel.t54@nnichls.info", false}, // two edits: too far
		{"james.smith@outlook.com", "james_smith@outlook.com", false},   // separators: two people
		{"jsmith87@gmail.com", "jsmith90@gmail.com", false},             // digits differ
		{"anna@example.com", "bob@example.org", false},
		{"same@example.com", "same@example.com", false}, // equal is level 0, not a typo
	} {
		if got := emailTypo(tc.a, tc.b); got != tc.want {
			t.Errorf("emailTypo(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
