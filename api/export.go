package api

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"github.com/personagraph/personagraph/engine/export"
)

// The server's Engine is enough to gather evidence.
var _ export.Source = Engine(nil)

// exportCluster answers GET /v1/clusters/{id}/export?format=: one cluster's evidence as a
// download (role investigator). Formats are export's single-file ones, "csv" as one file
// with a section column, and "bundle" as a zip of every format with its manifest. The
// file is rendered in memory before the status is sent, so a failure is a clean 500
// rather than a truncated 200; one cluster's evidence is small next to MaxBodyBytes.
func (s *Server) exportCluster(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("format")
	if name == "" {
		name = "json"
	}
	f, ok := export.Lookup(name)
	if !ok && name != "bundle" {
		// The OpenAPI enum rejects this first; kept for a document that lags the code.
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "format: unknown format " + strconv.Quote(name), "parameter": "format"})
		return
	}
	ev, err := export.Gather(r.Context(), s.eng, r.PathValue("id"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	var b bytes.Buffer
	ctype, ext := f.ContentType, f.Ext
	if name == "bundle" {
		ctype, ext = "application/zip", ".zip"
		_, err = export.WriteBundleZip(&b, ev, &export.BundleOptions{Query: r.Method + " " + r.URL.RequestURI()})
	} else {
		err = f.Write(&b, ev)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	returned(r, len(ev.Members))
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Cluster.ID + ext}))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	// Personal data: not cached; and an HTML report opened in place runs nothing and
	// loads nothing (it needs neither).
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes()) // the client went away; nothing to tell it
}
