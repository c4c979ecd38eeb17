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
//     from priors, the prior match probability from a strict rule's count, a
//     term-frequency adjustment for exact names), union-find over pairs whose posterior
//     is at least one half; e-mails, phones and documents held under several dissimilar
//     names are hubs and say nothing here;
//  3. operator layer (operator.go): person clusters linked by shared infrastructure,
//     weighted by kind and by who holds the value (benign-looking and household holders
//     discounted, shipping addresses never enough alone), plus near evidence (re-used
//     photos, sequential phones);
//  4. clusters are written per level with flags, evidence and risk (risk.go); the fitted
//     person model is stored for Explain.
//
// Cluster ids derive from a cluster's smallest record id, so they are deterministic and
// stable while membership is.
//
// # Limits
//
// Clustering is a full rebuild, not incremental; there is no refinement pass that splits
// chains held by one weak edge yet; m-probabilities are priors, not estimated. The
// linkage issue tracks these.
package engine
