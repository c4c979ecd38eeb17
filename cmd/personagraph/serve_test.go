package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestTokenCommands(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.json")
	code, out, errs := cli(t, "token", "add", "--tokens", file, "--name", "platform-a", "--role", "ingest")
	if code != 0 {
		t.Fatalf("add: exit %d: %s", code, errs)
	}
	tok := strings.TrimSpace(out)
	if !strings.HasPrefix(tok, "pg_") || len(tok) < 40 {
		t.Fatalf("printed token %q", tok)
	}
	if code, _, _ = cli(t, "token", "add", "--tokens", file, "--name", "alice", "--role", "analyst"); code != 0 {
		t.Fatal("second add failed")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), tok) || strings.Contains(string(b), strings.TrimPrefix(tok, "pg_")) {
		t.Fatalf("tokens file holds the token: %s", b)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("tokens file mode %v", fi.Mode().Perm())
	}

	cases := []struct {
		name     string
		args     []string
		code     int
		inOut    string
		notInOut string
	}{
		{"list", []string{"token", "list", "--tokens", file}, 0, "platform-a  ingest", tok},
		{"unknown role", []string{"token", "add", "--tokens", file, "--name", "x", "--role", "root"}, 2, "", ""},
		{"duplicate name", []string{"token", "add", "--tokens", file, "--name", "alice", "--role", "admin"}, 2, "", ""},
		{"no file flag", []string{"token", "list"}, 2, "", ""},
		{"revoke", []string{"token", "revoke", "--tokens", file, "--name", "platform-a"}, 0, "revoked", ""},
		{"revoked is gone", []string{"token", "list", "--tokens", file}, 0, "alice", "platform-a"},
		{"revoke unknown", []string{"token", "revoke", "--tokens", file, "--name", "platform-a"}, 1, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.inOut) || (tc.notInOut != "" && strings.Contains(out, tc.notInOut)) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, out, errs)
			}
		})
	}
}

func TestServeRefusesUnsafeConfig(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cert, key := writeCert(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no tokens", nil, "--tokens FILE is required"},
		{"insecure on all interfaces", []string{"--insecure-no-auth", "--addr", ":0"}, "loopback"},
		{"insecure on a routable address", []string{"--insecure-no-auth", "--addr", "0.0.0.0:0"}, "loopback"},
		{"cert without key", []string{"--insecure-no-auth", "--addr", "127.0.0.1:0", "--tls-cert", cert}, "go together"},
		{"key without cert", []string{"--insecure-no-auth", "--addr", "127.0.0.1:0", "--tls-key", key}, "go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := cli(t, append([]string{"serve", "--data", data, "--log-level", "error"}, tc.args...)...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tc.want)
			}
		})
	}
}

// TestServeTLSWithTokens runs the real serve command over HTTPS with a tokens file and an
// audit log, then stops it through its context as SIGTERM would.
func TestServeTLSWithTokens(t *testing.T) {
	dir := t.TempDir()
	tokens, audit := filepath.Join(dir, "tokens.json"), filepath.Join(dir, "audit.ndjson")
	code, out, errs := cli(t, "token", "add", "--tokens", tokens, "--name", "alice", "--role", "admin")
	if code != 0 {
		t.Fatalf("token add: %s", errs)
	}
	tok := strings.TrimSpace(out)
	cert, key := writeCert(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", filepath.Join(dir, "data"), "--log-level", "error", "--addr", "127.0.0.1:0",
			"--tokens", tokens, "--audit", audit, "--tls-cert", cert, "--tls-key", key}, pw, io.Discard)
		pw.Close()
	}()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := strings.TrimSpace(strings.TrimPrefix(first, "personagraph serving on "))
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("serve said %q", first)
	}

	pool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(path, token string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/v1/clusters", tok); s != 200 {
		t.Fatalf("with token: %d", s)
	}
	if s := get("/v1/clusters", ""); s != 401 {
		t.Fatalf("without token: %d", s)
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served")
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	b, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[0], `"token":"alice"`) || !strings.Contains(lines[1], `"status":401`) {
		t.Fatalf("audit log:\n%s", b)
	}
}

func TestConsumeCommand(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "APPS", Subjects: []string{"apps.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := js.Publish(ctx, "apps.new", fmt.Appendf(nil, `{"record_id":"cli:%d","source":"s","observed_at":"2026-01-01T00:00:00Z"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.Publish(ctx, "apps.new", []byte(`{"record_id":"cli:bad"}`)); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"consume", "--data", data, "--log-level", "error", "--nats", ns.ClientURL(), "--stream", "APPS",
		"--subject", "apps.new", "--durable", "cli", "--reject-subject", "apps.rejects"}

	cons, err := js.CreateOrUpdateConsumer(ctx, "APPS", jetstream.ConsumerConfig{Durable: "cli", FilterSubject: "apps.new", AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	var stdout, stderr strings.Builder
	done := make(chan int, 1)
	go func() { done <- run(rctx, args, &stdout, &stderr) }()
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Consumer >= 4 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if code := <-done; code != 0 || !strings.Contains(stdout.String(), "new 3, updated 0, unchanged 0, rejected 1") {
		t.Fatalf("consume exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if code, out, _ := cli(t, "show", "--data", data, "--log-level", "error", "cli:2"); code != 0 || !strings.Contains(out, "cli:2") {
		t.Fatalf("show cli:2: exit %d %q", code, out)
	}
	if code, _, _ := cli(t, "consume", "--data", data, "--stream", "APPS", "--subject", "apps.new"); code != 2 {
		t.Fatalf("consume without --nats: exit %d", code)
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "personagraph test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
