// Package api is personagraph's service layer: the HTTP API under /v1/ (NDJSON and JSON
// array ingest, per-record check, records, clusters with cursor paging, search,
// identifier holders, explain, analyst labels, cluster exports), the Prometheus /metrics
// endpoint, the OpenAPI document at /v1/openapi.json, and the NATS JetStream consumer.
// It declares the small Engine interface it needs; cmd hands it an *engine.Engine. The
// web UI (package api/ui) is mounted at / with Server.MountUI and shares the tokens and
// the audit log.
//
// # Access control
//
// Every route but /healthz and /v1/openapi.json needs a bearer token. Tokens are created
// by `personagraph token add` and stored only as SHA-256 hashes (Keyring); a KeyringFile
// re-reads the file within a second of a change, so revocation needs no restart. A token
// has one Role: ingest writes, analyst reads (and labels: a label is an analyst's
// judgement, not data), investigator reads and exports, admin does everything. No or unknown token gives 401 with WWW-Authenticate; a role
// without the capability gives 403. Each token has its own rate limit bucket (429 with
// Retry-After). With no Authenticator the server fails closed (401) unless
// InsecureNoAuth is set, which cmd allows only on a loopback address.
//
// # Request pipeline
//
// Each route is wrapped, outermost first, by: latency metrics and the audit log (so
// refused requests are measured and logged), authentication, role check, rate limit,
// and validation of path and query parameters against the embedded OpenAPI document
// (kin-openapi's openapi3filter, 400 naming the parameter). Bodies are not validated
// against the document: ingest bodies are streams, and ingest.Parse checks each record,
// naming line and field.
//
// # Audit
//
// Routes that return personal data (records, clusters, search, identifiers, check) append
// one AuditEntry per request, written whole by one Write call under a mutex, to a file
// opened O_APPEND with mode 0600.
//
// # Caveats
//
//   - POST /v1/check links its record into the stored clusters (engine.IngestOptions.Link)
//     when they are current; if a bulk POST /v1/records left them stale, the check pays
//     for one full re-clustering first.
//   - The consumer links small batches the same way and leaves larger ones for one
//     re-clustering on the next read.
//   - GET /v1/identifiers/{kind}/{value} takes the canonical value as a record's
//     identifiers show it; raw values are not normalised here.
//   - `token add` and `token revoke` read, change and rename the file without a lock:
//     two run at the same moment can lose one change.
package api
