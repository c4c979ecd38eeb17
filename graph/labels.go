package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// ActionLabel is the audit action of an analyst label (PutLabel).
const ActionLabel = "label"

// ErrBadLabel is returned by PutLabel for a label that names no target or two.
var ErrBadLabel = errors.New("graph: a label names either an identifier value or a cluster")

// Label is an analyst's judgement on an identifier value ("benign_hub") or on a cluster
// ("confirmed_ring"). Labels are never overwritten: each one is a new entry, so the
// history of a target stays readable, and the latest entry is the one in force.
type Label struct {
	// Kind and Value name an identifier value, in canonical form; both empty for a
	// cluster label.
	Kind  string `json:"kind,omitempty"`
	Value string `json:"value,omitempty"`
	// ClusterID names a cluster; empty for a value label.
	ClusterID string    `json:"cluster_id,omitempty"`
	Label     string    `json:"label"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"` // who labelled: the token or user name
	At        time.Time `json:"at"` // when, UTC
}

// OnValue reports whether the label is on an identifier value rather than a cluster.
func (l *Label) OnValue() bool { return l.ClusterID == "" }

// Label target bytes after the 'L' prefix.
const (
	labelOnValue   = 'v'
	labelOnCluster = 'c'
)

// labelTargetPrefix is the key prefix of every label of one target:
//
//	'L' 'v' kind 0x00 uvarint(len value) value
//	'L' 'c' cluster 0x00
//
// Cluster ids hold no control characters (the engine makes them), so 0x00 ends them; a
// value may hold anything, so it is length-prefixed like a posting's.
func labelTargetPrefix(l *Label) []byte {
	if l.OnValue() {
		k := append([]byte{prefixLabel, labelOnValue}, l.Kind...)
		k = append(k, 0)
		k = binary.AppendUvarint(k, uint64(len(l.Value)))
		return append(k, l.Value...)
	}
	k := append([]byte{prefixLabel, labelOnCluster}, l.ClusterID...)
	return append(k, 0)
}

// labelKey is the target prefix then time(unix ns, u64 BE) and a random u32, so that a
// target's labels read oldest first and two labels of one nanosecond stay apart.
func labelKey(l *Label) ([]byte, error) {
	var seq [4]byte
	if _, err := rand.Read(seq[:]); err != nil {
		return nil, fmt.Errorf("graph: label key: %w", err)
	}
	k := binary.BigEndian.AppendUint64(labelTargetPrefix(l), uint64(l.At.UnixNano()))
	return append(k, seq[:]...), nil
}

// PutLabel stores a label (At is set to now when zero) with an audit entry in the same
// transaction. records are the record ids the label concerns (the cluster's members, the
// value's holders): the audit entry keeps their hashes, and the target itself only as a
// hash, since the trail is never erased and a value is personal data.
func (s *Store) PutLabel(ctx context.Context, l *Label, records []string) error {
	if (l.ClusterID == "") == (l.Kind == "" || l.Value == "") || l.Label == "" {
		return ErrBadLabel
	}
	if strings.ContainsRune(l.ClusterID, 0) || strings.ContainsRune(l.Kind, 0) {
		return ErrBadLabel
	}
	if l.At.IsZero() {
		l.At = time.Now().UTC()
	}
	k, err := labelKey(l)
	if err != nil {
		return err
	}
	v, err := json.Marshal(l)
	if err != nil {
		return err
	}
	var req [8]byte
	if _, err := rand.Read(req[:]); err != nil {
		return err
	}
	hashes := make([]string, len(records))
	for i, r := range records {
		hashes[i] = HashRecordID(r)
	}
	target := "cluster " + l.ClusterID
	if l.OnValue() {
		target = "value " + HashRecordID(l.Kind+":"+l.Value)
	}
	e := &AuditEntry{Time: l.At, Action: ActionLabel, Request: hex.EncodeToString(req[:]), RecordHashes: hashes,
		Reason: fmt.Sprintf("%s %s by %s", target, l.Label, l.By)}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(k, v); err != nil {
			return err
		}
		return writeAudit(txn, e)
	})
	if err != nil {
		return fmt.Errorf("graph: put label: %w", err)
	}
	return nil
}

// LabelQuery selects labels. Kind and Value select one value's labels, ClusterID one
// cluster's; the zero value selects every label. OnlyValues or OnlyClusters narrow a scan
// of every label to one target type.
type LabelQuery struct {
	Kind, Value, ClusterID   string
	OnlyValues, OnlyClusters bool
}

// prefix is the key prefix the query scans.
func (q LabelQuery) prefix() []byte {
	switch {
	case q.ClusterID != "":
		return labelTargetPrefix(&Label{ClusterID: q.ClusterID})
	case q.Kind != "" && q.Value != "":
		return labelTargetPrefix(&Label{Kind: q.Kind, Value: q.Value})
	case q.Kind != "":
		return append(append([]byte{prefixLabel, labelOnValue}, q.Kind...), 0)
	case q.OnlyValues:
		return []byte{prefixLabel, labelOnValue}
	case q.OnlyClusters:
		return []byte{prefixLabel, labelOnCluster}
	}
	return []byte{prefixLabel}
}

// ForEachLabel calls fn with every label the query selects: grouped by target, each
// target's labels oldest first, so that the last one of a target is the one in force.
func (s *Store) ForEachLabel(ctx context.Context, q LabelQuery, fn func(*Label) error) error {
	prefix := q.prefix()
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var l Label
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &l) }); err != nil {
				return fmt.Errorf("graph: label %x: %w", it.Item().Key(), err)
			}
			if err := fn(&l); err != nil {
				return err
			}
		}
		return nil
	})
}

// LatestLabel returns the label in force on a value (kind and value) or a cluster
// (cluster set, kind and value empty); ErrNotFound if it has none.
func (s *Store) LatestLabel(ctx context.Context, kind ingest.Kind, value, cluster string) (*Label, error) {
	target := &Label{Kind: string(kind), Value: value, ClusterID: cluster}
	prefix := labelTargetPrefix(target)
	var out *Label
	err := s.db.View(func(txn *badger.Txn) error {
		// Reverse iteration seeks to the largest key <= the seek key: the prefix with
		// 0xff appended is above every key of the target (times are below 2^63).
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true, PrefetchValues: true})
		defer it.Close()
		it.Seek(append(bytes.Clone(prefix), 0xff))
		if !it.ValidForPrefix(prefix) {
			return nil
		}
		var l Label
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &l) }); err != nil {
			return fmt.Errorf("graph: label %x: %w", it.Item().Key(), err)
		}
		out = &l
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("label: %w", ErrNotFound)
	}
	return out, nil
}
