package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Engine is what the server reads and writes through; *engine.Engine implements it.
type Engine interface {
	Ingest(ctx context.Context, src engine.Source, o *engine.IngestOptions) (engine.Summary, error)
	Check(ctx context.Context, rec *ingest.Record) (*engine.CheckResult, engine.Summary, error)
	Record(ctx context.Context, id string) (*graph.StoredRecord, error)
	Clusters(ctx context.Context, l graph.Level, f engine.ClusterFilter) ([]*graph.Cluster, error)
	Cluster(ctx context.Context, id string) (*graph.Cluster, error)
	Search(ctx context.Context, q string, limit int) ([]graph.Hit, error)
	Holders(ctx context.Context, kind ingest.Kind, value string) ([]string, error)
	IdentifierStats(ctx context.Context, kind ingest.Kind, value string, limit int) (graph.IdentifierStats, []string, error)
	Explain(ctx context.Context, a, b string) (*engine.Explanation, error)
	Label(ctx context.Context, l *graph.Label) error
	Labels(ctx context.Context, q graph.LabelQuery) ([]*graph.Label, error)
}

var _ Engine = (*engine.Engine)(nil)

// Options configure a Server. The zero value of each field means its default.
type Options struct {
	// Logger receives one line per request. Default: zerolog.Nop().
	Logger zerolog.Logger
	// Auth maps bearer tokens to principals. Default: none, and then every route but
	// /healthz and /v1/openapi.json answers 401 unless InsecureNoAuth is set.
	Auth Authenticator
	// InsecureNoAuth serves every route without a token, as an admin named "insecure".
	// Only for a loopback listener on a developer's machine. Default: false.
	InsecureNoAuth bool
	// Audit receives one NDJSON line per request that reads personal data (AuditEntry).
	// Lines are written one Write call each, serialised. Default: none.
	Audit io.Writer
	// RateLimit is the sustained requests per second allowed per token; negative means
	// no limit. Default: 50.
	RateLimit float64
	// RateBurst is how many requests a token may make at once above RateLimit. Default:
	// 100.
	RateBurst int
	// DataDir, when set, is measured for the personagraph_store_bytes gauge. Default: "".
	DataDir string
	// MaxBodyBytes bounds a request body. Default: 256 MiB.
	MaxBodyBytes int64
	// MaxRejects bounds how many rejected lines a POST /v1/records answer lists; the
	// count is always complete. Default: 1000.
	MaxRejects int
}

// Server is personagraph's HTTP API (DESIGN.md section 7).
type Server struct {
	eng   Engine
	log   zerolog.Logger
	opts  Options
	mux   *http.ServeMux
	m     *metrics
	val   *validator
	audit *auditLog
	lim   *limiters
	// routes are the registered ServeMux patterns, for the test that holds the OpenAPI
	// document to them.
	routes []string
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
	if s.opts.RateLimit == 0 {
		s.opts.RateLimit = 50
	}
	if s.opts.RateBurst <= 0 {
		s.opts.RateBurst = 100
	}
	if s.opts.Audit != nil {
		s.audit = &auditLog{w: s.opts.Audit}
	}
	if s.opts.RateLimit > 0 {
		s.lim = &limiters{every: rate.Limit(s.opts.RateLimit), burst: s.opts.RateBurst, m: map[string]*rate.Limiter{}}
	}
	val, err := loadOpenAPI()
	if err != nil {
		// The document is embedded and checked by the tests: a failure is a build defect.
		panic(err)
	}
	s.val = val
	s.m = newMetrics(eng, s.opts.DataDir)

	m := http.NewServeMux()
	const public, audited = 0, true
	s.handle(m, "GET /healthz", public, false, s.healthz)
	s.handle(m, "GET /v1/openapi.json", public, false, s.openapi)
	s.handle(m, "GET /metrics", permMetrics, false, promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}).ServeHTTP)
	s.handle(m, "POST /v1/records", permIngest, false, s.postRecords)
	s.handle(m, "POST /v1/check", permIngest, audited, s.check)
	s.handle(m, "GET /v1/records/{id}", permRead, audited, s.getRecord)
	s.handle(m, "GET /v1/clusters", permRead, audited, s.listClusters)
	s.handle(m, "GET /v1/clusters/{id}", permRead, audited, s.getCluster)
	s.handle(m, "GET /v1/clusters/{id}/export", permExport, audited, s.exportCluster)
	s.handle(m, "GET /v1/search", permRead, audited, s.search)
	s.handle(m, "GET /v1/identifiers/{kind}/{value}", permRead, audited, s.identifiers)
	s.handle(m, "GET /v1/explain", permRead, audited, s.explain)
	// Labelling is an analyst's act: the read capability carries it, so every role that
	// reads may label, and the audit log names who did.
	s.handle(m, "POST /v1/labels", permRead, audited, s.postLabel)
	s.handle(m, "GET /v1/labels", permRead, audited, s.listLabels)
	s.mux = m
	return s
}

// MountUI serves h for every path no API route claims, in practice the web UI at "/".
// The UI does its own sign-in (a cookie session) because browsers do not send bearer
// tokens; call before serving.
func (s *Server) MountUI(h http.Handler) { s.mux.Handle("/", h) }

// Audit appends an entry to the audit log, for reads of personal data that do not go
// through the API routes (the web UI's pages). Without an audit log it does nothing.
func (s *Server) Audit(e *AuditEntry) {
	if s.audit == nil {
		return
	}
	if err := s.audit.write(e); err != nil {
		s.m.auditErrs.Inc()
		s.log.Error().Err(err).Msg("audit")
	}
}

// Registry is the server's Prometheus registry, for collectors that run beside it (the
// JetStream consumer).
func (s *Server) Registry() *prometheus.Registry { return s.m.reg }

// ServeHTTP logs each request and hands it to the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	s.log.Info().Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.status).
		Dur("took", time.Since(start)).Msg("request")
}

// reqState is what the route wrapper learns about a request; handlers fill in records.
type reqState struct {
	who     Principal
	records int
}

type stateKey struct{}

// returned records how many records' data the answer carries, for the audit log.
func returned(r *http.Request, n int) {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		st.records = n
	}
}

// handle registers h for pattern behind the route's checks, in this order: latency and
// audit around everything (so denied requests are measured and logged too), then the
// token (401), its role (403), its rate (429), the parameters against the OpenAPI
// document (400), and only then the handler. need 0 means a public route.
func (s *Server) handle(m *http.ServeMux, pattern string, need perm, audit bool, h http.HandlerFunc) {
	rt := s.val.route(pattern)
	s.routes = append(s.routes, pattern)
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w, status: http.StatusOK}
		}
		st := &reqState{}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		defer func() {
			s.m.observe(pattern, sw.status, time.Since(start))
			if audit && s.audit != nil {
				e := &AuditEntry{Time: start.UTC(), Token: st.who.Name, Role: st.who.Role, Method: r.Method,
					Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Status: sw.status, Records: st.records, Remote: r.RemoteAddr}
				if sw.status >= 400 {
					e.Records = 0
				}
				if err := s.audit.write(e); err != nil {
					s.m.auditErrs.Inc()
					s.log.Error().Err(err).Msg("audit")
				}
			}
		}()
		if need != 0 {
			who, ok := s.authenticate(r)
			if !ok {
				challenge := `Bearer realm="personagraph"`
				if r.Header.Get("Authorization") != "" {
					challenge += `, error="invalid_token"`
				}
				sw.Header().Set("WWW-Authenticate", challenge)
				writeError(sw, http.StatusUnauthorized, "a valid bearer token is required")
				return
			}
			st.who = who
			if !who.Role.allows(need) {
				writeError(sw, http.StatusForbidden, fmt.Sprintf("role %s may not %s %s", who.Role, r.Method, r.URL.Path))
				return
			}
			if wait, ok := s.lim.allow(who.Name); !ok {
				sw.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				writeError(sw, http.StatusTooManyRequests, "rate limit exceeded for this token")
				return
			}
		}
		if rt != nil {
			if err := s.val.validate(r, rt); err != nil {
				var pe *paramError
				if errors.As(err, &pe) && pe.Param != "" {
					writeJSON(sw, http.StatusBadRequest, map[string]string{"error": pe.Error(), "parameter": pe.Param})
					return
				}
				writeError(sw, http.StatusBadRequest, err.Error())
				return
			}
		}
		h(sw, r)
	})
}

// authenticate reads the bearer token and looks it up.
func (s *Server) authenticate(r *http.Request) (Principal, bool) {
	if s.opts.InsecureNoAuth {
		return Principal{Name: "insecure", Role: RoleAdmin}, true
	}
	if s.opts.Auth == nil {
		return Principal{}, false
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return Principal{}, false
	}
	return s.opts.Auth.Authenticate(strings.TrimSpace(tok))
}

// limiters hold one token bucket per token name. The map grows only with names that
// authenticated, so its size is bounded by the tokens file.
type limiters struct {
	every rate.Limit
	burst int

	mu sync.Mutex // guards m
	m  map[string]*rate.Limiter
}

// allow takes one request from name's bucket; when the bucket is empty it reports how
// long until a request would be allowed. A nil *limiters allows everything.
func (l *limiters) allow(name string) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	lim, ok := l.m[name]
	if !ok {
		lim = rate.NewLimiter(l.every, l.burst)
		l.m[name] = lim
	}
	l.mu.Unlock()
	res := lim.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return max(d, time.Second), false
	}
	return 0, true
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}

// reject is one rejected input line in a POST /v1/records answer.
type reject struct {
	Line     int64  `json:"line"`
	RecordID string `json:"record_id,omitempty"`
	Field    string `json:"field,omitempty"`
	Error    string `json:"error"`
}

// postRecords stores an NDJSON body or a JSON array. The body is read as a stream in
// constant memory; valid records are stored even when others fail, and the answer lists
// the failures. A JSON array that breaks off (bad syntax) cannot be resynchronised, so it
// ends the request with 400 after storing the elements before the fault.
func (s *Server) postRecords(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	var src engine.Source
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case "", "application/x-ndjson", "application/jsonl", "application/ndjson", "text/plain":
		src = ingest.NewReader(body, 0)
	case "application/json":
		src = newArraySource(body)
	default:
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: want application/x-ndjson or application/json (an array of records)", ct))
		return
	}
	rejects := []reject{}
	// A few records are linked into current clusters as they come (engine's incremental
	// path); a bulk post leaves clustering to the next read (engine.EnsureClustered): a
	// feed posting batch after batch would otherwise rebuild the clusters of the whole
	// store per request.
	sum, err := s.eng.Ingest(r.Context(), src, &engine.IngestOptions{
		SkipCluster: true,
		Link:        true,
		OnReject: func(pe *ingest.ParseError) {
			if len(rejects) < s.opts.MaxRejects {
				rejects = append(rejects, reject{Line: pe.Line, RecordID: pe.RecordID, Field: pe.Field, Error: pe.Err.Error()})
			}
		},
	})
	s.m.countIngest(sum)
	answer := map[string]any{
		"accepted": sum.Accepted(), "new": sum.New, "updated": sum.Updated, "unchanged": sum.Unchanged,
		"rejected_count": sum.Rejected, "rejected": rejects,
	}
	var tooBig *http.MaxBytesError
	var bad *bodyError
	switch {
	case errors.As(err, &tooBig):
		answer["error"] = fmt.Sprintf("body larger than %d bytes; the %d records before the limit were stored", tooBig.Limit, sum.Accepted())
		writeJSON(w, http.StatusRequestEntityTooLarge, answer)
		return
	case errors.As(err, &bad):
		answer["error"] = bad.Error()
		answer["line"] = bad.Line
		writeJSON(w, http.StatusBadRequest, answer)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := s.eng.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	returned(r, 1)
	writeJSON(w, http.StatusOK, map[string]any{
		"record_id": rec.ID, "version": rec.Version, "observed_at": rec.ObservedAt,
		"record": json.RawMessage(rec.JSON), "identifiers": rec.Identifiers, "clusters": clusterNames(rec.Clusters),
	})
}

func clusterNames(cs map[graph.Level]string) map[string]string {
	out := make(map[string]string, len(cs))
	for l, c := range cs {
		out[l.String()] = c
	}
	return out
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
	if flags := q["flag"]; len(flags) > 0 {
		cs = slices.DeleteFunc(cs, func(c *graph.Cluster) bool { return !ClusterHasFlags(c, flags) })
	}
	page, err := PageClusters(cs, q.Get("cursor"), limit)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error(), "parameter": "cursor"})
		return
	}
	n := 0
	for _, c := range page.Clusters {
		c.Evidence = nil // the list is a queue; a cluster's page has the evidence
		if c.Flags == nil {
			c.Flags = []string{}
		}
		n += len(c.Records)
	}
	returned(r, n)
	answer := map[string]any{"clusters": page.Clusters, "total": len(cs)}
	if page.Next != "" {
		answer["next_cursor"] = page.Next
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) getCluster(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Cluster(r.Context(), r.PathValue("id"))
	if err != nil {
		writeLookupError(w, err)
		return
	}
	returned(r, len(c.Records))
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if q == "" {
		writeError(w, http.StatusBadRequest, "q: required")
		return
	}
	limit, ok := intParam(w, r, "limit", 50)
	if !ok {
		return
	}
	hits, err := s.eng.Search(r.Context(), q, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if hits == nil {
		hits = []graph.Hit{}
	}
	returned(r, len(hits))
	writeJSON(w, http.StatusOK, map[string]any{"hits": hits})
}

// intParam reads a positive integer query parameter; the OpenAPI check has bounded it
// already, this only converts (and answers 400 if called on an unchecked route).
func intParam(w http.ResponseWriter, r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": name + ": want a positive integer", "parameter": name})
		return 0, false
	}
	return n, true
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

// IsLoopback reports whether a listen address only accepts connections from this
// machine: "localhost" or a loopback IP. An empty host (all interfaces) is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
