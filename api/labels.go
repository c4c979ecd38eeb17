package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
)

// labelBody is a POST /v1/labels body: kind and value, or cluster_id.
type labelBody struct {
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	ClusterID string `json:"cluster_id"`
	Label     string `json:"label"`
	Note      string `json:"note"`
}

// maxLabelBody bounds a label body: a target, a label name and a short note.
const maxLabelBody = 16 << 10

// postLabel stores an analyst label on a value or a cluster, by the token's name.
func (s *Server) postLabel(w http.ResponseWriter, r *http.Request) {
	var b labelBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxLabelBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "label body too large")
			return
		}
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	l := &graph.Label{Kind: b.Kind, Value: b.Value, ClusterID: b.ClusterID, Label: b.Label, Note: b.Note, By: principal(r).Name}
	if err := s.eng.Label(r.Context(), l); err != nil {
		switch {
		case errors.Is(err, engine.ErrBadLabel), errors.Is(err, graph.ErrBadLabel):
			writeError(w, http.StatusBadRequest, err.Error())
		default:
			writeLookupError(w, err)
		}
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// listLabels answers GET /v1/labels: every label, or those of one value (kind, value),
// one kind, or one cluster; each target's history oldest first, so the last one is in
// force.
func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq := graph.LabelQuery{Kind: q.Get("kind"), Value: q.Get("value"), ClusterID: q.Get("cluster_id")}
	if lq.Value != "" && lq.Kind == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "value: needs kind", "parameter": "value"})
		return
	}
	ls, err := s.eng.Labels(r.Context(), lq)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if ls == nil {
		ls = []*graph.Label{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"labels": ls})
}

// explain answers GET /v1/explain?a=&b=: why two records are, or are not, clustered.
func (s *Server) explain(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ex, err := s.eng.Explain(r.Context(), q.Get("a"), q.Get("b"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	if ex.Fields == nil {
		ex.Fields = []engine.FieldEvidence{}
	}
	if ex.Shared == nil {
		ex.Shared = []engine.SharedValue{}
	}
	returned(r, 2)
	writeJSON(w, http.StatusOK, ex)
}

// principal is who made the request, as the route wrapper authenticated it.
func principal(r *http.Request) Principal {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st.who
	}
	return Principal{}
}
