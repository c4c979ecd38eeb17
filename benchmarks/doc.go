// Package benchmarks is the accuracy and speed harness shared by `go test -bench` and the
// `personagraph eval` command.
//
// # Accuracy
//
// A Partition maps record ids to cluster ids; the engine's clusters are one, the ground
// truth (Truth, read from the NDJSON truth format of DESIGN.md section 3 or derived from
// the ids and truth columns of the public datasets) gives another. Evaluate compares them
// and returns a Report:
//
//   - pairwise precision, recall and F1 over unordered record pairs, computed from the
//     contingency table of the two partitions (sums of C(n,2) over clusters and over
//     cluster intersections), never by enumerating pairs, so ten million records cost one
//     sort of ten million integers;
//   - B-cubed precision, recall and F1 (per-record averages);
//   - a cluster-size histogram in power-of-two bins;
//   - ring recall: the share of operators whose records all share one predicted cluster;
//   - must-not-link violations per reason code.
//
// # Conventions
//
// The scored records are the truth's records. A truth record missing from the prediction
// counts as a predicted singleton (the engine lost it, so it found none of its matches)
// and is reported in MissingFromPrediction; a predicted record absent from the truth is
// left out of every figure (nothing says where it belongs) and reported in
// MissingFromTruth. Neither is dropped silently.
//
// A ratio with an empty denominator is 1: precision with no predicted pairs (nothing was
// merged, so nothing was merged wrongly), recall with no true pairs, B-cubed over no
// records. So identical partitions score 1 everywhere, singletons included, and an empty
// truth scores 1 with Records = 0 telling why. Ring figures are null when the truth has
// no operator with two or more records: a 1.0 there would praise the engine for
// something it was never asked to do.
package benchmarks
