package engine

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// sortInTwo sorts like slices.Sort whatever the values' spread: uniform, skewed to small
// values (as candidate pairs are), many equal, already sorted, and short slices.
func TestSortInTwo(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3 * minSortInTwo
	gens := map[string]func(i int) uint64{
		"uniform":  func(int) uint64 { return rng.Uint64() },
		"skewed":   func(int) uint64 { x := rng.Uint64N(1 << 20); return x * x },
		"few":      func(int) uint64 { return rng.Uint64N(3) },
		"equal":    func(int) uint64 { return 7 },
		"sorted":   func(i int) uint64 { return uint64(i) },
		"reversed": func(i int) uint64 { return uint64(n - i) },
	}
	for name, gen := range gens {
		for _, size := range []int{0, 1, minSortInTwo - 1, n} {
			s := make([]uint64, size)
			for i := range s {
				s[i] = gen(i)
			}
			want := slices.Clone(s)
			slices.Sort(want)
			sortInTwo(s, func(a, b uint64) bool { return a < b }, slices.Sort[[]uint64])
			if !slices.Equal(s, want) {
				t.Fatalf("%s, %d values: not sorted", name, size)
			}
		}
	}
}
