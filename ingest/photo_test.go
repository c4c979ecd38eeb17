package ingest

import (
	"strings"
	"testing"
)

func TestPhotoHash(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		want      string
		wantValid bool
	}{
		{"canonical", "c3a1f0e4b2d49786", "c3a1f0e4b2d49786", true},
		{"upper case with 0x", " 0xC3A1F0E4B2D49786 ", "c3a1f0e4b2d49786", true},
		{"upper-case 0X", "0XC3A1F0E4B2D49786", "c3a1f0e4b2d49786", true},
		{"leading zeros dropped by the writer", "a1f0e4b2d49786", "00a1f0e4b2d49786", true},
		{"all zero", "0", "0000000000000000", true},
		{"grouped with spaces", "c3a1 f0e4 b2d4 9786", "c3a1f0e4b2d49786", true},
		{"grouped with colons", "c3:a1:f0:e4:b2:d4:97:86", "c3a1f0e4b2d49786", true},
		{"full-width", "ｃ３ａ１ｆ０ｅ４ｂ２ｄ４９７８６", "c3a1f0e4b2d49786", true},
		{"zero-width", "c3a1\u200bf0e4b2d49786", "c3a1f0e4b2d49786", true},
		{"too long: 256-bit hash", strings.Repeat("ab", 32), strings.Repeat("ab", 32), false},
		{"non-hex letter", "c3a1f0e4b2d4978g", "c3a1f0e4b2d4978g", false},
		{"Cyrillic look-alike c", "\u04413a1f0e4b2d49786", "\u04413a1f0e4b2d49786", false},
		{"sign is no digit", "+c3a1f0e4", "+c3a1f0e4", false},
		{"underscore is no digit", "c3a1_f0e4", "c3a1_f0e4", false},
		{"only 0x", "0x", "0x", false},
		{"very long", strings.Repeat("f", 10000), strings.Repeat("f", 10000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PhotoHash(tt.raw)
			if !ok {
				t.Fatalf("PhotoHash(%q) yielded nothing", tt.raw)
			}
			if got.Kind != KindPhoto || got.Value != tt.want || got.Valid != tt.wantValid || got.Raw != tt.raw {
				t.Errorf("PhotoHash(%q) = %+v, want %q valid %v", tt.raw, got, tt.want, tt.wantValid)
			}
			if got.Valid == got.HasFlag(FlagInvalid) {
				t.Errorf("PhotoHash(%q): valid %v but flags %v", tt.raw, got.Valid, got.Flags)
			}
		})
	}
	if id, ok := PhotoHash(" \u200b"); ok {
		t.Errorf("PhotoHash(blank) = %+v, want nothing", id)
	}
}

func FuzzPhotoHash(f *testing.F) {
	for _, s := range []string{"c3a1f0e4b2d49786", "0xC3A1", "c3 a1", "0x0x1", "-0x1", "ｆ", "0x 1", ":", "x0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, ok := PhotoHash(raw)
		if !ok {
			return
		}
		if id.Valid && len(id.Value) != 16 {
			t.Fatalf("valid value %q is not 16 digits", id.Value)
		}
		again, ok := PhotoHash(id.Value)
		if !ok || again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %q -> %+v -> %+v", raw, id, again)
		}
	})
}
