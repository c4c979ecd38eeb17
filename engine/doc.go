// Package engine links records into person and operator clusters and scores the
// operator clusters for risk.
//
// # Pipeline
//
// Ingest reads records from a Source, normalises them on a worker per CPU and stores
// them through graph in input order. Recluster then reads the postings of the linking
// identifier kinds and runs union-find: person clusters from identifiers one human holds
// (e-mail, phone, document), operator clusters from those plus shared infrastructure
// (device, payout). Cluster ids derive from a cluster's smallest record id, so they are
// deterministic and stable while membership is.
//
// # Risk
//
// An operator cluster's flags come from values held by two or more person clusters
// (shared_device, shared_payout, ...), from the number of personas, and from record
// signals computed at ingest (camera off, VoIP phone, remote-access tools, money-service
// payouts). Risk is 1 - prod(1 - w) over the flags' weights.
//
// # Limits
//
// This is the walking skeleton: exact identifiers only, no scoring of similarities and no
// benign-hub discounting yet (see the linkage issue).
package engine
