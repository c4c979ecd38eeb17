// Package api is personagraph's HTTP interface: NDJSON ingest and read endpoints under
// /v1/ over the engine. It declares the small Engine interface it needs; cmd hands it an
// *engine.Engine.
//
// # Caveats
//
// There is no access control yet: serve binds to loopback by default and must not be
// exposed until bearer tokens and roles land (the service issue).
package api
