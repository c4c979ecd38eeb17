package graph

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// KeyLen is the length of the store's encryption key: AES-256.
const KeyLen = 32

// Encryption errors. Open returns them wrapped, with the data directory in the message.
var (
	// ErrKeyNeeded means the store is encrypted and no key was given.
	ErrKeyNeeded = errors.New("graph: the store is encrypted: an encryption key is needed (--encryption-key-file or PERSONAGRAPH_KEY_FILE)")
	// ErrWrongKey means the key given does not decrypt the store.
	ErrWrongKey = errors.New("graph: wrong encryption key for this store")
	// ErrNotEncrypted means a key was given for a store that was created without one.
	// Encryption is chosen when a store is created; restore a backup into an empty
	// directory with a key to encrypt an existing store.
	ErrNotEncrypted = errors.New("graph: the store is not encrypted, but an encryption key was given")
	// ErrBadKey means a key file or key is not a 32-byte AES key.
	ErrBadKey = errors.New("graph: bad encryption key: want 32 raw bytes or 64 hex characters")
)

// ReadKeyFile reads an AES-256 key: a file of exactly 32 raw bytes, or 64 hex characters
// with optional surrounding white space (what `openssl rand -hex 32` writes).
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("graph: read encryption key file: %w", err)
	}
	if len(b) == KeyLen {
		return b, nil
	}
	t := bytes.TrimSpace(b)
	if len(t) == 2*KeyLen {
		k := make([]byte, KeyLen)
		if _, err := hex.Decode(k, t); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w (%s holds %d bytes)", ErrBadKey, path, len(b))
}

// markerFile is a small plain file in the data directory that says whether the store is
// encrypted. Badger alone cannot tell "no key given" from "wrong key" (both are a key
// mismatch), and the marker lets Open say which.
const markerFile = "ENCRYPTION"

const (
	markerEncrypted = "aes-256"
	markerPlain     = "none"
)

// readMarker returns the marker's content, "" when there is none (a new store, or one
// written before markers existed).
func readMarker(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, markerFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("graph: read encryption marker: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// checkMarker fails early, before Badger is opened, when the marker says the key given
// (or its absence) cannot open the store.
func checkMarker(dir string, encrypted bool) error {
	m, err := readMarker(dir)
	if err != nil {
		return err
	}
	switch {
	case m == markerEncrypted && !encrypted:
		return fmt.Errorf("open %s: %w", dir, ErrKeyNeeded)
	case m == markerPlain && encrypted:
		return fmt.Errorf("open %s: %w", dir, ErrNotEncrypted)
	}
	return nil
}

// writeMarker records whether the store is encrypted, once Badger has accepted the key.
func writeMarker(dir string, encrypted bool) error {
	want := markerPlain
	if encrypted {
		want = markerEncrypted
	}
	if m, err := readMarker(dir); err != nil || m == want {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, markerFile), []byte(want+"\n"), 0o600); err != nil {
		return fmt.Errorf("graph: write encryption marker: %w", err)
	}
	return nil
}

// badgerOpenError wraps an error of badger.Open, turning its "Encryption key mismatch"
// into one of ours. Badger returns that sentinel unwrapped today, but some of its paths
// format errors with %+v, so the message is matched too.
func badgerOpenError(dir string, err error, encrypted bool) error {
	mismatch := badger.ErrEncryptionKeyMismatch
	if !errors.Is(err, mismatch) && !strings.Contains(err.Error(), mismatch.Error()) {
		return fmt.Errorf("graph: open badger in %s: %w", dir, err)
	}
	m, _ := readMarker(dir)
	switch {
	case !encrypted:
		return fmt.Errorf("open %s: %w", dir, ErrKeyNeeded)
	case m == markerPlain:
		return fmt.Errorf("open %s: %w", dir, ErrNotEncrypted)
	case m == markerEncrypted:
		return fmt.Errorf("open %s: %w", dir, ErrWrongKey)
	}
	return fmt.Errorf("open %s: %w (or the store is not encrypted)", dir, ErrWrongKey)
}

// deriveKey derives a sub-key for one purpose from the store key, so that the AES key
// itself is used for nothing but Badger.
func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("personagraph/v1/" + purpose))
	return m.Sum(nil)
}

// tokenHashLen is how many hex characters of a keyed token hash the index keeps: 80 bits,
// far more than the number of distinct terms, short enough to keep the index small.
const tokenHashLen = 20

// tokenHasher maps search terms (name tokens, e-mails, phones, address and CV words) to
// keyed hashes, so that an encrypted store's Bleve index holds no plain personal data yet
// still finds a record by an exact term. Without the key the hashes cannot be checked
// against a list of names.
type tokenHasher struct {
	key []byte
}

func newTokenHasher(storeKey []byte) *tokenHasher {
	if len(storeKey) == 0 {
		return nil
	}
	return &tokenHasher{key: deriveKey(storeKey, "index-token")}
}

// hash returns the keyed hash of one folded token.
func (h *tokenHasher) hash(token string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))[:tokenHashLen]
}
