// Package ingest reads applicant records and turns their fields into normalised
// identifiers.
//
// # Records
//
// Record is record schema v1 (DESIGN.md section 3). Reader streams NDJSON in constant
// memory; a bad line becomes a *ParseError naming its line, record and field, and reading
// goes on, so one bad line never costs the good ones around it.
//
// Parse reads the shapes producers send with a hand-written scanner (parsefast.go) and
// leaves every other line, and every error, to encoding/json. The two agree on every
// field, error text and byte of Record.Canonical, which the store hashes; a fuzz test
// holds the scanner to a frozen copy of the encoding/json implementation.
//
// # Normalisers
//
// One file per identifier kind (email.go, phone.go, ...). Each normaliser is pure, keeps
// invalid input as a flagged value instead of dropping it, and is idempotent: normalising
// a canonical value returns it unchanged.
//
// This package imports nothing else of personagraph's.
package ingest
