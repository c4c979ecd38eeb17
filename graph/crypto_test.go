package graph

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

// Distinctive personal data: if these bytes appear in a store's files, the files leak.
const (
	secretName  = "Zephyrine Quoxtabel"
	secretEmail = "zephyrine.quoxtabel@nowhere-unique.example"
	secretRec   = `{"record_id":"enc-1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"` + secretName +
		`","emails":["` + secretEmail + `"],"phones":["+14155550123"],"devices":[{"fingerprint":"fp-enc"}]}`
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeyLen) }

// filesContaining returns the files under dir whose raw bytes contain needle.
func filesContaining(t *testing.T, dir string, needle string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(needle))) {
			hits = append(hits, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// fieldTerms lists the terms the index holds for a field.
func fieldTerms(t *testing.T, s *Store, field string) []string {
	t.Helper()
	if err := s.queue.wait(); err != nil {
		t.Fatal(err)
	}
	d, err := s.index.idx.FieldDict(field)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var terms []string
	for {
		e, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return terms
		}
		terms = append(terms, e.Term)
	}
}

func TestEncryptionAtRest(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"plain", nil},
		{"encrypted", testKey(7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.PutBatch(ctx, []Put{mustParse(t, secretRec), mustParse(t, recB)}); err != nil {
				t.Fatal(err)
			}
			// Folded, exact tokens find the record either way; a misspelt one only when
			// the index holds plain terms (fuzzy matching is off when encrypted).
			for _, q := range []string{"zephyrine", "QUOXTABEL", "Zéphyrine Quoxtabel"} {
				hits, err := s.SearchNames(ctx, q, 5)
				if err != nil || len(hits) == 0 || hits[0].RecordID != "enc-1" {
					t.Fatalf("search %q: %v %v", q, hits, err)
				}
			}
			hits, err := s.SearchNames(ctx, "Zephyrina", 5)
			if err != nil {
				t.Fatal(err)
			}
			if fuzzy := len(hits) > 0; fuzzy != (tc.key == nil) {
				t.Fatalf("fuzzy search found %v", hits)
			}
			folded := fieldTerms(t, s, "folded")
			hashed := fieldTerms(t, s, "tokens")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.key == nil {
				if !slices.Contains(folded, "zephyrine") || len(hashed) != 0 {
					t.Fatalf("plain index: folded %v, hashed %v", folded, hashed)
				}
				// The control: the plain store's files do hold the e-mail.
				if hits := filesContaining(t, filepath.Join(dir, "badger"), secretEmail); len(hits) == 0 {
					t.Fatal("plain badger files do not hold the e-mail: the leak check below proves nothing")
				}
				return
			}
			if len(folded) != 0 {
				t.Fatalf("encrypted store indexed plain terms %v", folded)
			}
			h := newTokenHasher(tc.key)
			if !slices.Contains(hashed, h.hash("zephyrine")) || !slices.Contains(hashed, h.hash("quoxtabel")) {
				t.Fatalf("hashed terms %v lack the name's tokens", hashed)
			}
			for _, needle := range []string{secretEmail, "quoxtabel", "zephyrine", "4155550123", "fp-enc"} {
				for _, sub := range []string{"badger", "index.bleve"} {
					if hits := filesContaining(t, filepath.Join(dir, sub), needle); len(hits) > 0 {
						t.Errorf("%q in plain bytes of %v", needle, hits)
					}
				}
			}
		})
	}
}

func TestEncryptionKeyErrors(t *testing.T) {
	ctx := context.Background()
	encDir, plainDir := t.TempDir(), t.TempDir()
	for dir, key := range map[string][]byte{encDir: testKey(1), plainDir: nil} {
		s, err := Open(dir, &Options{EncryptionKey: key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		dir     string
		key     []byte
		marker  bool // keep the marker file
		want    error
		message string
	}{
		{"encrypted without key", encDir, nil, true, ErrKeyNeeded, "encryption key is needed"},
		{"encrypted wrong key", encDir, testKey(2), true, ErrWrongKey, "wrong encryption key"},
		{"plain with key", plainDir, testKey(1), true, ErrNotEncrypted, "not encrypted"},
		{"encrypted without key, no marker", encDir, nil, false, ErrKeyNeeded, "encryption key is needed"},
		{"plain with key, no marker", plainDir, testKey(1), false, ErrWrongKey, "not encrypted"},
		{"short key", encDir, []byte("short"), true, ErrBadKey, "32 raw bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := filepath.Join(tc.dir, markerFile)
			saved, err := os.ReadFile(marker)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.marker {
				os.Remove(marker)
				defer os.WriteFile(marker, saved, 0o600)
			}
			s, err := Open(tc.dir, &Options{EncryptionKey: tc.key})
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.message)
			}
		})
	}
	// A failed open leaves the store usable with the right key.
	s, err := Open(encDir, &Options{EncryptionKey: testKey(1)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r, err := s.Record(ctx, "a"); err != nil || r.Version != 1 {
		t.Fatalf("after reopen with key: %v %v", r, err)
	}
	if h, _ := s.Holders(ctx, ingest.KindEmail, "ann@example.com"); !slices.Equal(h, []string{"a"}) {
		t.Fatalf("holders after reopen: %v", h)
	}
}

func TestReadKeyFile(t *testing.T) {
	raw := testKey(0x20) // all spaces: raw bytes must not be trimmed
	hexKey := hex.EncodeToString(testKey(0xab))
	for _, tc := range []struct {
		name    string
		content []byte
		want    []byte
	}{
		{"raw", raw, raw},
		{"hex", []byte(hexKey), testKey(0xab)},
		{"hex with newline", []byte("  " + hexKey + "\n"), testKey(0xab)},
		{"upper hex", []byte(strings.ToUpper(hexKey)), testKey(0xab)},
		{"short", []byte("abc"), nil},
		{"bad hex", []byte(strings.Repeat("zz", KeyLen)), nil},
		{"33 raw bytes", append(testKey(1), 1), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(p, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadKeyFile(p)
			if tc.want == nil {
				if !errors.Is(err, ErrBadKey) {
					t.Fatalf("got %x, %v; want ErrBadKey", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %x, %v", got, err)
			}
		})
	}
	if _, err := ReadKeyFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "read encryption key file") {
		t.Fatalf("missing file: %v", err)
	}
}
