package graph

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// Identifier statistics. An investigator looking at a shared value asks how many records
// hold it, since when, and whether its holders look like one applicant or many: distinct
// names, countries and sources (a payout account behind twelve names in four countries is
// a farm's; one behind one name is a person's).
//
// Rather than a node key per value updated on every write (a read-modify-write per
// identifier on the ingest path, and a second truth to keep in step with the postings
// through new versions, forget and crashes), each posting of a value people share carries
// a few facts about its record (holderInfo). A value's statistics are then one range scan
// over its postings, the scan that lists its holders anyway, and they agree with the
// records by construction: a new version rewrites its postings in the transaction that
// stores it, and forget deletes them with the record.

// holderInfoVersion is the first byte of a posting value; postings written before holder
// facts existed have an empty value and count as undescribed.
const holderInfoVersion = 1

// maxHolderCountries bounds the countries one posting lists.
const maxHolderCountries = 4

// holderInfo is what a posting says about the record holding the value.
type holderInfo struct {
	// first is the observed_at (unix seconds) of the first version of the record that held
	// the value, last that of its current version.
	first, last int64
	// name is FNV-1a 64 of the folded name, 0 when the record has none: enough to count
	// distinct names without keeping a second copy of them.
	name uint64
	// countries are the ISO 3166-1 alpha-2 codes the record claims (address countries
	// and nationality), sorted and distinct.
	countries []string
	source    string
}

// described says whether postings of kind carry holder facts: every identifier people
// share, not the CV sketch's LSH bands (engine-internal, sixteen per record).
func described(k ingest.Kind) bool {
	return posted(k) && k != ingest.KindCVShingleBand
}

// holderInfoOf returns the holder facts of a record whose current version is observed
// at observed, first and last both set to it.
func holderInfoOf(rec *ingest.Record) holderInfo {
	h := holderInfo{first: rec.Observed.Unix(), source: rec.Source}
	h.last = h.first
	if n := ingest.FoldName(rec.Name.Display()); n != "" {
		f := fnv.New64a()
		f.Write([]byte(n))
		h.name = max(f.Sum64(), 1)
	}
	add := func(c string) {
		if c := ingest.AddressCountry(c); c != "" && !slices.Contains(h.countries, c) && len(h.countries) < maxHolderCountries {
			h.countries = append(h.countries, c)
		}
	}
	add(rec.Nationality)
	for _, a := range rec.Addresses {
		add(a.Country)
	}
	slices.Sort(h.countries)
	return h
}

func (h *holderInfo) appendTo(b []byte) []byte {
	b = append(b, holderInfoVersion)
	b = binary.AppendVarint(b, h.first)
	b = binary.AppendVarint(b, h.last-h.first) // mostly 0: one byte
	b = binary.LittleEndian.AppendUint64(b, h.name)
	b = binary.AppendUvarint(b, uint64(len(h.countries)))
	for _, c := range h.countries {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	b = binary.AppendUvarint(b, uint64(len(h.source)))
	return append(b, h.source...)
}

var errHolderInfo = errors.New("graph: corrupt holder facts in a posting")

// decodeHolderInfo reads a posting value; ok is false for an empty one (a posting written
// before holder facts existed).
func decodeHolderInfo(b []byte) (h holderInfo, ok bool, err error) {
	if len(b) == 0 {
		return h, false, nil
	}
	if b[0] != holderInfoVersion {
		return h, false, fmt.Errorf("%w: version %d", errHolderInfo, b[0])
	}
	b = b[1:]
	varint := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			err = errHolderInfo
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			err = errHolderInfo
			return ""
		}
		s := string(b[n : n+int(l)])
		b = b[n+int(l):]
		return s
	}
	h.first = varint()
	h.last = h.first + varint()
	if err != nil || len(b) < 8 {
		return h, false, errHolderInfo
	}
	h.name = binary.LittleEndian.Uint64(b)
	b = b[8:]
	nc, n := binary.Uvarint(b)
	if n <= 0 || nc > maxHolderCountries {
		return h, false, errHolderInfo
	}
	b = b[n:]
	for range nc {
		if c := str(); err == nil {
			h.countries = append(h.countries, c)
		}
	}
	h.source = str()
	if err != nil || len(b) != 0 {
		return holderInfo{}, false, errHolderInfo
	}
	return h, true, nil
}

// IdentifierStats describes a value and the records holding it now.
type IdentifierStats struct {
	Kind  ingest.Kind `json:"kind"`
	Value string      `json:"value"`
	// Holders is the number of records holding the value (its degree).
	Holders int `json:"holders"`
	// FirstSeen is the earliest observed_at of a version of a holder that held the value;
	// LastSeen the latest observed_at of a holder. Zero when no holder is described.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	// Names, Countries and Sources count the distinct names, claimed countries (address
	// countries and nationality) and sources among the described holders.
	Names     int `json:"distinct_names"`
	Countries int `json:"distinct_countries"`
	Sources   int `json:"distinct_sources"`
	// Described is how many holders the figures above cover: postings stored before
	// holder facts existed carry none, and the CV sketch's bands never do.
	Described int `json:"described"`
}

// IdentifierStats returns the statistics of one value and the ids of up to limit of its
// holders (in id order), from one scan of its postings: "who else uses this" and how
// widely, from one snapshot.
func (s *Store) IdentifierStats(ctx context.Context, kind ingest.Kind, value string, limit int) (IdentifierStats, []string, error) {
	st := IdentifierStats{Kind: kind, Value: value}
	var ids []string
	names := map[uint64]struct{}{}
	countries := map[string]struct{}{}
	sources := map[string]struct{}{}
	prefix := postingValuePrefix(kind, value)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if st.Holders%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			st.Holders++
			if len(ids) < limit {
				ids = append(ids, string(it.Item().Key()[len(prefix):]))
			}
			if err := it.Item().Value(func(v []byte) error {
				h, ok, err := decodeHolderInfo(v)
				if err != nil || !ok {
					return err
				}
				st.Described++
				first, last := time.Unix(h.first, 0).UTC(), time.Unix(h.last, 0).UTC()
				if st.FirstSeen.IsZero() || first.Before(st.FirstSeen) {
					st.FirstSeen = first
				}
				if last.After(st.LastSeen) {
					st.LastSeen = last
				}
				if h.name != 0 {
					names[h.name] = struct{}{}
				}
				for _, c := range h.countries {
					countries[c] = struct{}{}
				}
				if h.source != "" {
					sources[h.source] = struct{}{}
				}
				return nil
			}); err != nil {
				return fmt.Errorf("graph: %s posting %q: %w", kind, it.Item().Key(), err)
			}
		}
		return nil
	})
	st.Names, st.Countries, st.Sources = len(names), len(countries), len(sources)
	return st, ids, err
}
