// Package export writes one cluster's evidence in the formats investigators' tools read:
// JSON, CSV, GraphML and GEXF (Gephi), FollowTheMoney (Aleph), STIX 2.1, a printable
// HTML report, and a bundle of all of them with a SHA-256 manifest.
//
// # Use
//
//	ev, err := export.Gather(ctx, eng, "o-27664f2b3683") // eng: *engine.Engine or any Source
//	err = export.WriteHTML(w, ev)
//	m, err := export.WriteBundle(dir, ev, &export.BundleOptions{Query: "..."})
//	err = export.Verify(dir) // later: every file still matches the manifest
//
// # What the evidence is
//
// Gather reads the stored cluster and the current version of each member. The shared
// values are the cluster's stored evidence (graph.Cluster.Evidence: values held by two or
// more members); Links are the record pairs each value ties, so a value held by n
// records gives n(n-1)/2 links in JSON and CSV. The graph formats and the picture are
// bipartite instead (records and values as nodes, n edges per value). The engine does not
// store per-link weights yet, so Link.Weight is absent.
//
// Flags are explained from the members: a shared-value flag (shared_device, ...) lists
// the values of its kind held by two or more personas; the engine additionally drops
// values it judged benign hubs, which the stored cluster does not record, so such a value
// may be listed as well. Record-signal flags (video_avoidance, voip_phone, remote_tool,
// money_service_payout) list the records and identifiers that carry them. Which kind or
// identifier flag stands behind each flag comes from the engine itself
// (engine.SharedFlagKind, engine.SignalSource, engine.VideoAvoided).
//
// # Formats
//
// The CSV export is one file with a "section" column (members, identifiers, links) so
// that it can be served over HTTP; WriteCSVDir and the bundle write the three tables as
// separate files. Cells that a spreadsheet would run as a formula get a leading
// apostrophe (see csvCell).
//
// # Determinism
//
// Every writer's output depends only on the Evidence: slices are sorted, maps are never
// iterated into output, ids are hashes (FtM: SHA-1; STIX: UUIDv5), and times come from
// Evidence.Generated, which tests fix. The golden files under testdata/golden are
// rewritten with `go test ./engine/export/ -update`; they follow the engine's linkage, so
// a change there shows up as a golden diff to review.
package export
