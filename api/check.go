package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// recordsSource is an engine.Source over records already parsed.
type recordsSource struct {
	recs []*ingest.Record
	i    int
}

func (s *recordsSource) Next() (*ingest.Record, error) {
	if s.i == len(s.recs) {
		return nil, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}

// check stores one record and answers with the clusters it is in after linking it into
// the stored clusters (engine.IngestOptions.Link; a full run if they were stale),
// so a platform can ask "is this applicant part of a ring?" as it signs them up. The
// record is parsed whole before anything is stored: a malformed one stores nothing.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, min(s.opts.MaxBodyBytes, ingest.DefaultMaxLineBytes)))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "record larger than the limit")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	rec, err := ingest.Parse(bytes.TrimSpace(b), 1)
	var pe *ingest.ParseError
	if errors.As(err, &pe) {
		s.m.countIngest(engine.Summary{Rejected: 1})
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": pe.Err.Error(), "line": pe.Line, "field": pe.Field, "record_id": pe.RecordID})
		return
	} else if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, sum, err := s.eng.Check(r.Context(), rec)
	s.m.countIngest(sum)
	if err != nil {
		writeLookupError(w, err)
		return
	}
	returned(r, 1)
	writeJSON(w, http.StatusOK, res)
}

// holder is one record that holds an identifier value.
type holder struct {
	RecordID string            `json:"record_id"`
	Clusters map[string]string `json:"clusters"`
}

// identifiers answers who holds an identifier value (canonical form, as a record's
// identifiers show it) and which clusters those records are in now.
func (s *Server) identifiers(w http.ResponseWriter, r *http.Request) {
	kind, value := ingest.Kind(r.PathValue("kind")), r.PathValue("value")
	limit, ok := intParam(w, r, "limit", 100)
	if !ok {
		return
	}
	stats, ids, err := s.eng.IdentifierStats(r.Context(), kind, value, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	hs := make([]holder, 0, len(ids))
	for _, id := range ids {
		rec, err := s.eng.Record(r.Context(), id)
		if errors.Is(err, graph.ErrNotFound) {
			continue // forgotten between the two reads
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		hs = append(hs, holder{RecordID: id, Clusters: clusterNames(rec.Clusters)})
	}
	returned(r, len(hs))
	writeJSON(w, http.StatusOK, map[string]any{"kind": kind, "value": value, "count": stats.Holders, "holders": hs,
		"stats": stats})
}
