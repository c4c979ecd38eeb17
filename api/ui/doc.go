// Package ui is personagraph's analyst web UI: server-rendered pages (html/template) with a
// little hand-written JavaScript, embedded in the binary and served at "/" of the API
// server (api.Server.MountUI). It loads nothing from the network.
//
// # Pages
//
// A dashboard (cluster-size and risk distributions), the cluster queue ranked by risk with
// filters and paging, a cluster page (SVG picture of personas and the values they share,
// flags with their evidence, bridges, timeline, members, label actions and, for
// investigators, export links), record, identifier, search and explain pages.
//
// # Security
//
// Browsers do not send bearer tokens, so a user signs in by pasting a token once: the
// server keeps a session (random id in an HttpOnly, SameSite=Strict cookie) that holds the
// token and re-checks it on every request, so a revoked token ends its sessions within a
// second. Every POST form carries the session's CSRF token, and POSTs whose Origin names
// another site are refused. Roles apply as in the API: any reading role sees pages and
// labels, investigator and admin also export. Each page that shows personal data is
// written to the API's audit log. Responses carry a Content-Security-Policy that allows
// only the server's own script and style.
package ui
