package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Role is what a token may do. Roles are fixed; a token has exactly one.
type Role string

// Roles (DESIGN.md section 7).
const (
	// RoleIngest writes records: POST /v1/records and POST /v1/check.
	RoleIngest Role = "ingest"
	// RoleAnalyst reads records, clusters, search and identifiers.
	RoleAnalyst Role = "analyst"
	// RoleInvestigator reads like an analyst and may export cluster files once export
	// endpoints exist.
	RoleInvestigator Role = "investigator"
	// RoleAdmin may do everything.
	RoleAdmin Role = "admin"
)

// Roles returns every role, in order of increasing reach.
func Roles() []Role { return []Role{RoleIngest, RoleAnalyst, RoleInvestigator, RoleAdmin} }

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", fmt.Errorf("api: unknown role %q (want ingest, analyst, investigator or admin)", s)
}

// perm is one capability a route needs; a role is a set of them.
type perm uint8

const (
	permIngest perm = 1 << iota
	permRead
	permExport
	permMetrics
)

// allows reports whether the role has every capability in p. Unknown roles have none.
func (r Role) allows(p perm) bool {
	var has perm
	switch r {
	case RoleIngest:
		has = permIngest | permMetrics
	case RoleAnalyst:
		has = permRead | permMetrics
	case RoleInvestigator:
		has = permRead | permExport | permMetrics
	case RoleAdmin:
		has = permIngest | permRead | permExport | permMetrics
	}
	return has&p == p
}

// CanRead reports whether the role may read records and clusters (and label them).
func (r Role) CanRead() bool { return r.allows(permRead) }

// CanExport reports whether the role may export a cluster's evidence.
func (r Role) CanExport() bool { return r.allows(permExport) }

// TokenPrefix starts every token so that a leaked one is easy to recognise (secret
// scanners, logs).
const TokenPrefix = "pg_"

// Principal is who made a request: the name and role of the token it carried.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Authenticator maps a bearer token to its principal. *Keyring and *KeyringFile
// implement it.
type Authenticator interface {
	Authenticate(token string) (Principal, bool)
}

// TokenEntry is one stored token: never the token itself, only its SHA-256.
type TokenEntry struct {
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	SHA256  string    `json:"sha256"` // hex of SHA-256 of the whole token, prefix included
	Created time.Time `json:"created"`
}

// Keyring is the set of API tokens as stored in the tokens file. Only hashes are kept:
// a copy of the file does not let anyone call the API. Tokens are 32 random bytes, so a
// plain SHA-256 is enough; a slow password hash would only slow every request.
type Keyring struct {
	Version int          `json:"version"`
	Tokens  []TokenEntry `json:"tokens"`
}

// keyringVersion is the tokens file format version.
const keyringVersion = 1

// ErrNoToken is returned by Revoke when no token has the name.
var ErrNoToken = errors.New("api: no token with that name")

// LoadKeyring reads a tokens file. A missing file is an error wrapping os.ErrNotExist.
func LoadKeyring(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("api: read tokens file: %w", err)
	}
	var k Keyring
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("api: tokens file %s: %w", path, err)
	}
	if k.Version != keyringVersion {
		return nil, fmt.Errorf("api: tokens file %s: version %d, want %d", path, k.Version, keyringVersion)
	}
	for i, t := range k.Tokens {
		if _, err := ParseRole(string(t.Role)); err != nil {
			return nil, fmt.Errorf("api: tokens file %s: token %d (%s): %w", path, i, t.Name, err)
		}
		if h, err := hex.DecodeString(t.SHA256); err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("api: tokens file %s: token %d (%s): bad sha256", path, i, t.Name)
		}
	}
	return &k, nil
}

// Save writes the keyring to path atomically (a temp file renamed over it) with mode
// 0600, so a reader never sees half a file and no other user can read the hashes.
func (k *Keyring) Save(path string) (err error) {
	k.Version = keyringVersion
	if k.Tokens == nil {
		k.Tokens = []TokenEntry{}
	}
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return fmt.Errorf("api: encode tokens: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.Remove(f.Name()))
		}
	}()
	// CreateTemp already uses 0600; Chmod guards against an unusual umask or platform.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("api: write tokens file: %w", err)
	}
	return nil
}

// Add creates a token for name with role, reading 32 bytes from random (crypto/rand's
// Reader when nil). It returns the token, which is shown once and never stored. Names
// are unique: adding an existing name is an error (revoke it first).
func (k *Keyring) Add(name string, role Role, random io.Reader) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("api: token name %q: want a non-empty name without control characters", name)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", err
	}
	if slices.ContainsFunc(k.Tokens, func(t TokenEntry) bool { return t.Name == name }) {
		return "", fmt.Errorf("api: token name %q already exists", name)
	}
	if random == nil {
		random = rand.Reader
	}
	var raw [32]byte
	if _, err := io.ReadFull(random, raw[:]); err != nil {
		return "", fmt.Errorf("api: generate token: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(tok))
	k.Tokens = append(k.Tokens, TokenEntry{Name: name, Role: role, SHA256: hex.EncodeToString(sum[:]), Created: time.Now().UTC().Truncate(time.Second)})
	return tok, nil
}

// Revoke removes the token called name; ErrNoToken if there is none.
func (k *Keyring) Revoke(name string) error {
	n := len(k.Tokens)
	k.Tokens = slices.DeleteFunc(k.Tokens, func(t TokenEntry) bool { return t.Name == name })
	if len(k.Tokens) == n {
		return fmt.Errorf("%w: %q", ErrNoToken, name)
	}
	return nil
}

// Authenticate finds the token's entry. Every entry is compared in constant time and the
// loop does not stop at a match, so timing tells nothing about which hash matched.
func (k *Keyring) Authenticate(token string) (Principal, bool) {
	if k == nil || !strings.HasPrefix(token, TokenPrefix) {
		return Principal{}, false
	}
	sum := sha256.Sum256([]byte(token))
	want := hex.EncodeToString(sum[:])
	var p Principal
	found := 0
	for _, t := range k.Tokens {
		if subtle.ConstantTimeCompare([]byte(t.SHA256), []byte(want)) == 1 {
			p = Principal{Name: t.Name, Role: t.Role}
			found = 1
		}
	}
	return p, found == 1
}

// KeyringFile is a tokens file that is re-read when it changes, so that `token add` and
// `token revoke` take effect on a running server within a second, without a restart.
type KeyringFile struct {
	path string

	// mu guards the fields below; Authenticate holds it only to swap the keyring.
	mu      sync.Mutex
	ring    *Keyring
	mod     time.Time
	size    int64
	checked time.Time
	lastErr error
}

// keyringRecheck is how often a KeyringFile looks at the file's modification time.
const keyringRecheck = time.Second

// OpenKeyringFile loads the tokens file at path; it must exist and parse.
func OpenKeyringFile(path string) (*KeyringFile, error) {
	kf := &KeyringFile{path: path}
	if err := kf.reload(time.Now()); err != nil {
		return nil, err
	}
	return kf, nil
}

// reload reads the file if its modification time or size changed. A file that fails
// to parse keeps the last good keyring: a half-edited file must not lock everyone out or
// let anyone in. Called with mu held or before kf is shared.
func (kf *KeyringFile) reload(now time.Time) error {
	kf.checked = now
	fi, err := os.Stat(kf.path)
	if err != nil {
		kf.lastErr = fmt.Errorf("api: tokens file: %w", err)
		return kf.lastErr
	}
	if kf.ring != nil && fi.ModTime().Equal(kf.mod) && fi.Size() == kf.size {
		return nil
	}
	if fi.Mode().Perm()&0o077 != 0 {
		kf.lastErr = fmt.Errorf("api: tokens file %s has mode %v: want 0600 (no access for group or others)", kf.path, fi.Mode().Perm())
		return kf.lastErr
	}
	k, err := LoadKeyring(kf.path)
	if err != nil {
		kf.lastErr = err
		return err
	}
	kf.ring, kf.mod, kf.size, kf.lastErr = k, fi.ModTime(), fi.Size(), nil
	return nil
}

// Authenticate checks token against the current contents of the file.
func (kf *KeyringFile) Authenticate(token string) (Principal, bool) {
	kf.mu.Lock()
	if now := time.Now(); now.Sub(kf.checked) >= keyringRecheck {
		_ = kf.reload(now) // kept in lastErr; the last good keyring stays in force
	}
	ring := kf.ring
	kf.mu.Unlock()
	return ring.Authenticate(token)
}

// Err is the error of the last reload attempt, nil when the file was read cleanly.
func (kf *KeyringFile) Err() error {
	kf.mu.Lock()
	defer kf.mu.Unlock()
	return kf.lastErr
}
