// Package engine links records into person and operator clusters, scores operator
// clusters for risk and explains its links.
//
// # Pipeline
//
// Ingest reads records from a Source, normalises them on a worker per CPU and stores
// them through graph in input order. Recluster then rebuilds both layers from the store:
//
//  1. features: one sequential scan of every record's identifier list (features.go);
//  2. person layer (person.go): blocking keys hashed and sorted into runs, a
//     Fellegi-Sunter model (u from random pairs corrected for the matches among them, m
//     by EM over the candidate pairs blended with priors, the prior match probability
//     from a strict rule's count, a term-frequency adjustment for exact names that counts
//     other persons' holders of the name), union-find over pairs whose posterior
//     is at least one half; e-mails, phones and documents held under several dissimilar
//     names are hubs and say nothing here;
//  3. operator layer (operator.go): person clusters linked by shared infrastructure,
//     weighted by kind and by who holds the value (benign-looking and household holders
//     discounted, shipping addresses never enough alone), plus near evidence (re-used
//     photos, sequential phones);
//  4. refinement (refine.go): the operator links, weighted, as a compact CSR graph;
//     label propagation finds tight groups and chains held by one weak link between two
//     of them are cut;
//  5. clusters are written per level with flags, evidence and risk (risk.go); the fitted
//     person model is stored for Explain.
//
// Cluster ids derive from a cluster's smallest record id, so they are deterministic and
// stable while membership is.
//
// # Limits
//
// Clustering is a full rebuild; records linked incrementally between runs
// (incremental.go) are refined by the next one. The linkage issue tracks these.
package engine
