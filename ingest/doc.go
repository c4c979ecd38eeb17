// Package ingest reads applicant records and turns their fields into normalised
// identifiers.
//
// # Records
//
// Record is record schema v1 (DESIGN.md section 3). Reader streams NDJSON in constant
// memory; a bad line becomes a *ParseError naming its line, record and field, and reading
// goes on, so one bad line never costs the good ones around it.
//
// # Normalisers
//
// One file per identifier kind (email.go, phone.go, ...). Each normaliser is pure, keeps
// invalid input as a flagged value instead of dropping it, and is idempotent: normalising
// a canonical value returns it unchanged.
//
// This package imports nothing else of personagraph's.
package ingest
