package graph

import (
	"encoding/binary"

	"github.com/personagraph/personagraph/ingest"
)

// Key layout. Every key starts with a one-byte table prefix. Record ids never contain
// control characters (ingest rejects them), so 0x00 separates a record id from what
// follows; identifier values may contain anything, so they are length-prefixed.
//
//	'R' id                                  -> recordMeta (current version, content hash, observed_at)
//	'V' id 0x00 version(u32 BE)             -> canonical record JSON of that version
//	'X' id                                  -> the record's current identifiers, one encoded list (identcodec.go)
//	'I' kind 0x00 uvarint(len value) value id -> holder facts (holderinfo.go; none for CV bands): posting, identifier -> record
//	'C' level id                            -> cluster id of the record at that level
//	'K' level cluster                       -> cluster summary JSON
//	'D'                                     -> present while clusters are stale
//	'A' time(unix ns, u64 BE) seq(u32 BE)   -> audit entry JSON (audit.go)
//	'F'                                     -> never present: Compact writes and drops it to flush
//	'M' name                                -> engine metadata (e.g. the fitted linkage model), meta.go
//	'B' key(u64 BE) id                      -> nothing (posting: blocking key -> record), blocks.go
//	'Y' id                                  -> the record's blocking keys, blocks.go
//	'L' 'v' kind 0x00 uvarint(len value) value time(u64 BE) seq(u32 BE) -> analyst label JSON on a value (labels.go)
//	'L' 'c' cluster 0x00 time(u64 BE) seq(u32 BE)                      -> analyst label JSON on a cluster
//
// Postings of one identifier are contiguous and those of one kind share a prefix, so the
// engine reads "who shares this value" and "every shared value of this kind" as range
// scans without a secondary index. docs/format.md describes every value too; change it
// with this table.
const (
	prefixRecord     = 'R'
	prefixVersion    = 'V'
	prefixRecIdent   = 'X'
	prefixPosting    = 'I'
	prefixMembership = 'C'
	prefixCluster    = 'K'
	keyStale         = 'D'
	prefixAudit      = 'A'
	keyFlush         = 'F'
	prefixMeta       = 'M'
	prefixBlock      = 'B'
	prefixRecBlocks  = 'Y'
	prefixLabel      = 'L'
)

func recordKey(id string) []byte {
	return append([]byte{prefixRecord}, id...)
}

func versionPrefix(id string) []byte {
	k := append([]byte{prefixVersion}, id...)
	return append(k, 0)
}

func versionKey(id string, v uint32) []byte {
	return binary.BigEndian.AppendUint32(versionPrefix(id), v)
}

func recIdentKey(id string) []byte {
	return append([]byte{prefixRecIdent}, id...)
}

func postingKindPrefix(kind ingest.Kind) []byte {
	k := append([]byte{prefixPosting}, kind...)
	return append(k, 0)
}

func postingValuePrefix(kind ingest.Kind, value string) []byte {
	k := postingKindPrefix(kind)
	k = binary.AppendUvarint(k, uint64(len(value)))
	return append(k, value...)
}

func postingKey(kind ingest.Kind, value, id string) []byte {
	return append(postingValuePrefix(kind, value), id...)
}

// parsePostingKey splits a posting key of a known kind prefix length into value and
// record id.
func parsePostingKey(k []byte, kindPrefixLen int) (value, id []byte, ok bool) {
	rest := k[kindPrefixLen:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || uint64(len(rest)-w) < n {
		return nil, nil, false
	}
	return rest[w : w+int(n)], rest[w+int(n):], true
}

func membershipPrefix(l Level) []byte {
	return []byte{prefixMembership, l.byte()}
}

func membershipKey(l Level, id string) []byte {
	return append(membershipPrefix(l), id...)
}

func clusterPrefix(l Level) []byte {
	return []byte{prefixCluster, l.byte()}
}

func clusterKey(l Level, cluster string) []byte {
	return append(clusterPrefix(l), cluster...)
}
