package api

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeyringFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	k := &Keyring{}
	tokA, err := k.Add("platform-a", RoleIngest, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokB, err := k.Add("alice", RoleAnalyst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tokA, TokenPrefix) || len(tokA) != len(TokenPrefix)+43 || tokA == tokB {
		t.Fatalf("tokens %q %q: want pg_ + 43 base64url characters, distinct", tokA, tokB)
	}
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tokA, tokB} {
		if bytes.Contains(b, []byte(tok)) || bytes.Contains(b, []byte(strings.TrimPrefix(tok, TokenPrefix))) {
			t.Fatalf("tokens file holds a plain token: %s", b)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("tokens file mode %v, %v", fi.Mode().Perm(), err)
	}

	kf, err := OpenKeyringFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		token string
		want  Principal
		ok    bool
	}{
		{"ingest token", tokA, Principal{"platform-a", RoleIngest}, true},
		{"analyst token", tokB, Principal{"alice", RoleAnalyst}, true},
		{"one character off", tokA[:len(tokA)-1] + string(tokA[len(tokA)-1]^1), Principal{}, false},
		{"without prefix", strings.TrimPrefix(tokA, TokenPrefix), Principal{}, false},
		{"the stored hash itself", k.Tokens[0].SHA256, Principal{}, false},
		{"empty", "", Principal{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := kf.Authenticate(tc.token)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("Authenticate = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}

	// Revoking in the file takes effect on the running keyring at the next re-check.
	k2, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := k2.Revoke("platform-a"); err != nil {
		t.Fatal(err)
	}
	if err := k2.Revoke("platform-a"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("second revoke: %v", err)
	}
	if err := k2.Save(path); err != nil {
		t.Fatal(err)
	}
	kf.mu.Lock()
	kf.checked = time.Time{}
	kf.mu.Unlock()
	if _, ok := kf.Authenticate(tokA); ok {
		t.Fatal("revoked token still accepted")
	}
	if _, ok := kf.Authenticate(tokB); !ok {
		t.Fatal("remaining token refused")
	}

	// A broken file keeps the last good keyring and reports the error.
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	kf.mu.Lock()
	kf.checked = time.Time{}
	kf.mu.Unlock()
	if _, ok := kf.Authenticate(tokB); !ok || kf.Err() == nil {
		t.Fatalf("broken file: ok %v, err %v", ok, kf.Err())
	}
}

func TestKeyringErrors(t *testing.T) {
	k := &Keyring{}
	if _, err := k.Add("x", "superuser", nil); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, err := k.Add(" ", RoleAdmin, nil); err == nil {
		t.Fatal("blank name accepted")
	}
	if _, err := k.Add("x", RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Add("x", RoleAnalyst, nil); err == nil {
		t.Fatal("duplicate name accepted")
	}
	if _, err := k.Add("y", RoleAdmin, bytes.NewReader(make([]byte, 8))); err == nil {
		t.Fatal("short randomness accepted")
	}

	dir := t.TempDir()
	for _, tc := range []struct{ name, body string }{
		{"not JSON", "nope"},
		{"wrong version", `{"version":9,"tokens":[]}`},
		{"bad role", `{"version":1,"tokens":[{"name":"a","role":"root","sha256":"` + strings.Repeat("0", 64) + `"}]}`},
		{"bad hash", `{"version":1,"tokens":[{"name":"a","role":"admin","sha256":"abc"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadKeyring(p); err == nil {
				t.Fatal("loaded")
			}
		})
	}
	t.Run("group-readable file refused", func(t *testing.T) {
		p := filepath.Join(dir, "open.json")
		if err := (&Keyring{}).Save(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenKeyringFile(p); err == nil {
			t.Fatal("opened a 0644 tokens file")
		}
	})
}
