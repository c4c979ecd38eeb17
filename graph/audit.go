package graph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Audit actions.
const (
	// ActionForget is the erasure of records (Store.Forget).
	ActionForget = "forget"
)

// AuditEntry is one change recorded in the audit trail. It holds no personal data:
// record ids are kept only as SHA-256 hashes (HashRecordID), so that a data subject's
// request can later be shown to have been carried out by hashing the id they name. A
// hash of a guessable id (a platform's sequential application number) can be found by
// trying ids, so it is pseudonymous, not anonymous.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Action string    `json:"action"`
	// Request ties together the entries one call wrote (a large forget is split over
	// several transactions, each with its own entry).
	Request      string   `json:"request"`
	RecordHashes []string `json:"record_hashes"`
	// Reason is the caller's free text, e.g. a ticket number. It must not hold personal
	// data: the trail is never erased.
	Reason string `json:"reason,omitempty"`
}

// HashRecordID is how the audit trail refers to a record: hex SHA-256 of its id.
func HashRecordID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// auditKey is the key of an entry written at t: 'A' time(unix ns, u64 BE) seq(u32 BE),
// so that the trail reads in time order. The random sequence part keeps two
// entries of the same nanosecond apart.
func auditKey(t time.Time) ([]byte, error) {
	var seq [4]byte
	if _, err := rand.Read(seq[:]); err != nil {
		return nil, err
	}
	k := binary.BigEndian.AppendUint64([]byte{prefixAudit}, uint64(t.UnixNano()))
	return append(k, seq[:]...), nil
}

// writeAudit adds an entry to txn, so that it commits or fails with the change it
// records.
func writeAudit(txn *badger.Txn, e *AuditEntry) error {
	k, err := auditKey(e.Time)
	if err != nil {
		return fmt.Errorf("graph: audit key: %w", err)
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return txn.Set(k, v)
}

// ForEachAudit calls fn with every audit entry, oldest first.
func (s *Store) ForEachAudit(ctx context.Context, fn func(*AuditEntry) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAudit}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var e AuditEntry
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &e) }); err != nil {
				return fmt.Errorf("graph: audit entry %x: %w", it.Item().Key(), err)
			}
			if err := fn(&e); err != nil {
				return err
			}
		}
		return nil
	})
}
