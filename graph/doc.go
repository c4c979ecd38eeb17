// Package graph is personagraph's embedded identity-graph store: Badger holds records
// (every version), their normalised identifiers, identifier -> record postings and
// cluster membership; Bleve holds a full-text index of names, contact points, addresses
// and CV text for search (search.go). View presents a set of records and the values they
// share as a gonum graph (view.go). Nothing else of the project imports Badger or Bleve.
//
// # Key layout
//
// keys.go documents every key. In short: 'R' record meta, 'V' record versions, 'X' a
// record's current identifiers, 'I' postings grouped by kind and value (each carrying a
// few facts about its record, so that a value's statistics are one scan: holderinfo.go),
// 'C' membership per level, 'K' cluster summaries, 'D' the stale-clusters marker.
//
// # Consistency
//
// PutBatch writes each record together with its identifiers and postings in one Badger
// transaction, so postings always match records. It also sets the stale marker in that
// transaction; cluster rewrites (ReplaceClusters) clear it only when every level has been
// written, so a crash between storing records and clustering them is detected on the
// next open and the engine re-clusters. The Bleve index is derived data, written after
// the Badger commit.
//
// # Caveats
//
// Cluster rewrites replace a whole level, writing only the keys whose values changed;
// PatchClusters replaces a few clusters for the engine's incremental linking. Badger's
// caches are sized explicitly (Options) because its defaults can take close to a
// gigabyte.
package graph
