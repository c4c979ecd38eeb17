package engine

import (
	"slices"
	"testing"
)

func TestPhotoNearDuplicates(t *testing.T) {
	persons := []int32{0, 1, 2, 3, 3}
	photo := []uint64{
		0xc3a1f0e4b2d49786,
		0xc3a1f0e4b2d49786 ^ 0b1011, // three bits off: the same face
		0x0123456789abcdef,          // unrelated
		0xc3a1f0e4b2d49786 ^ 0xfff,  // twelve bits off: too far
		0,                           // no photo
	}
	var got [][2]int32
	photoNearDuplicates(persons, photo, func(a, b int32) { got = append(got, [2]int32{min(a, b), max(a, b)}) })
	slices.SortFunc(got, func(x, y [2]int32) int { return int(x[0]-y[0])*10 + int(x[1]-y[1]) })
	got = slices.Compact(got)
	if !slices.Equal(got, [][2]int32{{0, 1}}) {
		t.Fatalf("near-duplicate pairs %v, want [[0 1]]", got)
	}
}

func TestPhoneBlocks(t *testing.T) {
	persons := []int32{0, 1, 2, 2}
	phones := [][]uint64{{19405550117}, {19405550118}, {19405559999, 19405550117}, nil}
	var got [][2]int32
	phoneBlocks(persons, phones, func(a, b int32) { got = append(got, [2]int32{min(a, b), max(a, b)}) })
	slices.SortFunc(got, func(x, y [2]int32) int { return int(x[0]-y[0])*10 + int(x[1]-y[1]) })
	// 0 and 1 hold consecutive numbers; 2 holds 0's exact number (exact evidence, not a
	// block) and the next one to 1's.
	if !slices.Equal(got, [][2]int32{{0, 1}, {1, 2}}) {
		t.Fatalf("phone block pairs %v", got)
	}
}
