package ingest

import (
	"encoding/hex"
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"golang.org/x/crypto/sha3"
)

// cryptoResult is a wallet address recognised by its shape.
type cryptoResult struct {
	scheme string // "btc", "ltc", "eth", "trx"
	value  string // canonical address
	valid  bool   // checksum (and version, length) verified
}

// cryptoDetect recognises a wallet address by its shape and verifies its checksum:
//   - Bitcoin: base58check P2PKH ("1...", version 0x00) and P2SH ("3...", 0x05);
//     bech32 (witness v0) and bech32m (v1+, taproot) "bc1..." (BIP 173, BIP 350).
//   - Litecoin: base58check "L..." / "M..." and bech32 "ltc1...".
//   - Ethereum (and every EVM chain, USDT-ERC20 included): "0x" and 40 hex digits with
//     the EIP-55 mixed-case checksum; all-lower and all-upper carry no checksum and pass.
//   - TRON (USDT-TRC20): base58check with version byte 0x41, "T...".
//
// It reports false when the shape matches no chain. A shape match with a bad checksum is
// returned with valid false. Base58 and bech32 keep their meaning under case: base58
// values keep their case, bech32 and hex are lower-cased.
func cryptoDetect(s string) (cryptoResult, bool) {
	if len(s) < 25 || len(s) > 90 {
		return cryptoResult{}, false
	}
	ls := strings.ToLower(s)
	switch {
	case strings.HasPrefix(ls, "0x") || (len(s) == 40 && cryptoHex(s)):
		return ethCheck(s)
	case strings.HasPrefix(ls, "bc1"):
		return segwitCheck("btc", "bc", s)
	case strings.HasPrefix(ls, "ltc1"):
		return segwitCheck("ltc", "ltc", s)
	}
	if len(s) > 36 || !cryptoBase58(s) {
		return cryptoResult{}, false
	}
	var scheme string
	var versions []byte
	switch s[0] {
	case '1':
		scheme, versions = "btc", []byte{0x00}
	case '3':
		scheme, versions = "btc", []byte{0x05}
	case 'L':
		scheme, versions = "ltc", []byte{0x30}
	case 'M':
		scheme, versions = "ltc", []byte{0x32}
	case 'T':
		scheme, versions = "trx", []byte{0x41}
	default:
		return cryptoResult{}, false
	}
	r := cryptoResult{scheme: scheme, value: s}
	payload, version, err := base58.CheckDecode(s)
	r.valid = err == nil && len(payload) == 20 && strings.IndexByte(string(versions), version) >= 0
	return r, true
}

// ethCheck validates an Ethereum address and lower-cases it.
func ethCheck(s string) (cryptoResult, bool) {
	h := s
	if len(h) >= 2 && (h[:2] == "0x" || h[:2] == "0X") {
		h = h[2:]
	}
	if len(h) != 40 || !cryptoHex(h) {
		if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") && len(h) <= 64 {
			return cryptoResult{scheme: "eth", value: "0x" + strings.ToLower(h)}, true
		}
		return cryptoResult{}, false
	}
	lower := strings.ToLower(h)
	r := cryptoResult{scheme: "eth", value: "0x" + lower, valid: true}
	if h == lower || h == strings.ToUpper(h) {
		return r, true
	}
	// EIP-55: a letter is upper case exactly when the matching nibble of
	// keccak256(lower-case hex) is 8 or more.
	k := sha3.NewLegacyKeccak256()
	k.Write([]byte(lower))
	sum := k.Sum(nil)
	for i := 0; i < 40; i++ {
		c := h[i]
		if c >= '0' && c <= '9' {
			continue
		}
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if (nibble >= 8) != (c >= 'A' && c <= 'F') {
			r.valid = false
			break
		}
	}
	return r, true
}

// segwitCheck validates a segwit address (BIP 173 / BIP 350) for the human-readable part
// hrp: witness version 0 must use bech32 and carry a 20- or 32-byte program, versions 1
// to 16 must use bech32m and carry 2 to 40 bytes. Mixed case is invalid per BIP 173.
func segwitCheck(scheme, hrp, s string) (cryptoResult, bool) {
	r := cryptoResult{scheme: scheme, value: strings.ToLower(s)}
	gotHRP, data, version, err := bech32.DecodeGeneric(s)
	if err != nil || gotHRP != hrp || len(data) < 1 {
		return r, true
	}
	wv := data[0]
	prog, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil || wv > 16 || len(prog) < 2 || len(prog) > 40 {
		return r, true
	}
	switch {
	case wv == 0:
		r.valid = version == bech32.Version0 && (len(prog) == 20 || len(prog) == 32)
	default:
		r.valid = version == bech32.VersionM
	}
	return r, true
}

func cryptoHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// cryptoBase58 reports whether s uses only the base58 alphabet (no 0, O, I or l).
func cryptoBase58(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '1' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') ||
			c == 'O' || c == 'I' || c == 'l' {
			return false
		}
	}
	return true
}
