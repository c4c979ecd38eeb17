package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Engine is what the server reads and writes through; *engine.Engine implements it.
type Engine interface {
	Ingest(ctx context.Context, src engine.Source, o *engine.IngestOptions) (engine.Summary, error)
	Record(ctx context.Context, id string) (*graph.StoredRecord, error)
	Clusters(ctx context.Context, l graph.Level, f engine.ClusterFilter) ([]*graph.Cluster, error)
	Cluster(ctx context.Context, id string) (*graph.Cluster, error)
	Search(ctx context.Context, q string, limit int) ([]graph.Hit, error)
}

var _ Engine = (*engine.Engine)(nil)

// Options configure a Server. The zero value of each field means its default.
type Options struct {
	// Logger receives one line per request. Default: zerolog.Nop().
	Logger zerolog.Logger
	// MaxBodyBytes bounds a request body. Default: 256 MiB.
	MaxBodyBytes int64
	// MaxRejects bounds how many rejected lines a POST /v1/records answer lists; the
	// count is always complete. Default: 1000.
	MaxRejects int
}

// Server is personagraph's HTTP API (DESIGN.md section 7).
type Server struct {
	eng  Engine
	log  zerolog.Logger
	opts Options
	mux  *http.ServeMux
}

// NewServer returns a server over eng. A nil opts means defaults.
func NewServer(eng Engine, opts *Options) *Server {
	s := &Server{eng: eng, log: zerolog.Nop()}
	if opts != nil {
		s.opts = *opts
		s.log = opts.Logger
	}
	if s.opts.MaxBodyBytes <= 0 {
		s.opts.MaxBodyBytes = 256 << 20
	}
	if s.opts.MaxRejects <= 0 {
		s.opts.MaxRejects = 1000
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("POST /v1/records", s.postRecords)
	m.HandleFunc("GET /v1/records/{id}", s.getRecord)
	m.HandleFunc("GET /v1/clusters", s.listClusters)
	m.HandleFunc("GET /v1/clusters/{id}", s.getCluster)
	m.HandleFunc("GET /v1/search", s.search)
	s.mux = m
	return s
}

// ServeHTTP logs each request and hands it to the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	s.log.Info().Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.status).
		Dur("took", time.Since(start)).Msg("request")
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// reject is one rejected input line in a POST /v1/records answer.
type reject struct {
	Line     int64  `json:"line"`
	RecordID string `json:"record_id,omitempty"`
	Field    string `json:"field,omitempty"`
	Error    string `json:"error"`
}

// postRecords stores an NDJSON body. The body is read as a stream in constant memory;
// valid lines are stored even when others fail, and the answer lists the failures.
func (s *Server) postRecords(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	rejects := []reject{}
	sum, err := s.eng.Ingest(r.Context(), ingest.NewReader(body, 0), &engine.IngestOptions{
		OnReject: func(pe *ingest.ParseError) {
			if len(rejects) < s.opts.MaxRejects {
				rejects = append(rejects, reject{Line: pe.Line, RecordID: pe.RecordID, Field: pe.Field, Error: pe.Err.Error()})
			}
		},
	})
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes; the %d records before the limit were stored", tooBig.Limit, sum.Accepted()))
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"accepted": sum.Accepted(), "new": sum.New, "updated": sum.Updated, "unchanged": sum.Unchanged,
		"rejected_count": sum.Rejected, "rejected": rejects,
	})
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := s.eng.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	clusters := map[string]string{}
	for l, c := range rec.Clusters {
		clusters[l.String()] = c
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"record_id": rec.ID, "version": rec.Version, "observed_at": rec.ObservedAt,
		"record": json.RawMessage(rec.JSON), "identifiers": rec.Identifiers, "clusters": clusters,
	})
}

func (s *Server) listClusters(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	level := q.Get("level")
	if level == "" {
		level = "operator"
	}
	l, err := graph.ParseLevel(level)
	if err != nil {
		writeError(w, http.StatusBadRequest, "level: "+err.Error())
		return
	}
	f := engine.ClusterFilter{MinSize: 2}
	limit := 100
	for _, p := range []struct {
		name string
		dst  *int
	}{{"min_size", &f.MinSize}, {"limit", &limit}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeError(w, http.StatusBadRequest, p.name+": want a non-negative integer")
				return
			}
			*p.dst = n
		}
	}
	if v := q.Get("min_risk"); v != "" {
		if f.MinRisk, err = strconv.ParseFloat(v, 64); err != nil || f.MinRisk < 0 || f.MinRisk > 1 {
			writeError(w, http.StatusBadRequest, "min_risk: want a number in [0,1]")
			return
		}
	}
	cs, err := s.eng.Clusters(r.Context(), l, f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if len(cs) > limit {
		cs = cs[:limit]
	}
	for _, c := range cs {
		c.Evidence = nil // the list is a queue; a cluster's page has the evidence
		if c.Flags == nil {
			c.Flags = []string{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"clusters": cs})
}

func (s *Server) getCluster(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Cluster(r.Context(), r.PathValue("id"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if q == "" {
		writeError(w, http.StatusBadRequest, "q: required")
		return
	}
	hits, err := s.eng.Search(r.Context(), q, 50)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if hits == nil {
		hits = []graph.Hit{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"hits": hits})
}

func writeLookupError(w http.ResponseWriter, err error) {
	if errors.Is(err, graph.ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to tell it
}
