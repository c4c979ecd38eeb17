package ui

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Engine is what the UI reads and writes through; *engine.Engine implements it.
type Engine interface {
	Record(ctx context.Context, id string) (*graph.StoredRecord, error)
	Clusters(ctx context.Context, l graph.Level, f engine.ClusterFilter) ([]*graph.Cluster, error)
	Cluster(ctx context.Context, id string) (*graph.Cluster, error)
	Search(ctx context.Context, q string, limit int) ([]graph.Hit, error)
	Holders(ctx context.Context, kind ingest.Kind, value string) ([]string, error)
	Explain(ctx context.Context, a, b string) (*engine.Explanation, error)
	Bridges(ctx context.Context, clusterID string) ([]engine.Bridge, error)
	Label(ctx context.Context, l *graph.Label) error
	Labels(ctx context.Context, q graph.LabelQuery) ([]*graph.Label, error)
	ValueLabel(ctx context.Context, kind ingest.Kind, value string) (string, error)
	ClusterLabel(ctx context.Context, clusterID string) (*graph.Label, error)
}

var _ Engine = (*engine.Engine)(nil)

// Options configure the UI. The zero value of each field means its default.
type Options struct {
	// Auth checks the tokens users sign in with; the API server's. Default: none, and
	// then nobody can sign in unless InsecureNoAuth is set.
	Auth api.Authenticator
	// InsecureNoAuth lets anyone sign in without a token, as an admin named "insecure",
	// as the API's flag does. Default: false.
	InsecureNoAuth bool
	// Audit receives an entry per page that shows personal data (api.Server.Audit).
	// Default: none.
	Audit func(*api.AuditEntry)
	// Logger receives errors. Default: zerolog.Nop().
	Logger zerolog.Logger
	// SessionTTL is how long a session lasts after sign-in. Default: 8 hours.
	SessionTTL time.Duration
	// Now is the clock, for tests. Default: time.Now.
	Now func() time.Time
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Handler serves the web UI.
type Handler struct {
	eng   Engine
	opts  Options
	log   zerolog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template
	sess  *sessions
}

// New returns the UI over eng. A nil opts means defaults.
func New(eng Engine, opts *Options) *Handler {
	h := &Handler{eng: eng, log: zerolog.Nop()}
	if opts != nil {
		h.opts = *opts
		h.log = opts.Logger
	}
	if h.opts.SessionTTL <= 0 {
		h.opts.SessionTTL = 8 * time.Hour
	}
	if h.opts.Now == nil {
		h.opts.Now = time.Now
	}
	h.sess = newSessions(h.opts.SessionTTL, h.opts.Now)
	pages, err := parsePages()
	if err != nil {
		// The templates are embedded and parsed by every test: a failure is a build defect.
		panic(err)
	}
	h.pages = pages

	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static") // the directory is embedded above
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(static)))
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.signedIn(h.logout))
	m.HandleFunc("GET /{$}", h.signedIn(h.dashboard))
	m.HandleFunc("GET /queue", h.signedIn(h.queue))
	m.HandleFunc("GET /clusters/{id}", h.signedIn(h.cluster))
	m.HandleFunc("POST /clusters/{id}/label", h.signedIn(h.labelCluster))
	m.HandleFunc("GET /clusters/{id}/export", h.signedIn(h.export))
	m.HandleFunc("GET /records/{id}", h.signedIn(h.record))
	m.HandleFunc("GET /identifier", h.signedIn(h.identifier))
	m.HandleFunc("POST /identifier/label", h.signedIn(h.labelValue))
	m.HandleFunc("GET /search", h.signedIn(h.search))
	m.HandleFunc("GET /explain", h.signedIn(h.explain))
	h.mux = m
	return h
}

// ServeHTTP sets the headers every answer carries and routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with
	// form posts, which sameOrigin must refuse.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// staticHandler serves the embedded CSS and script; they change only with the binary.
func staticHandler(fsys fs.FS) http.Handler {
	fh := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fh.ServeHTTP(w, r)
	})
}

// view is what every page template gets: the page's own data in Data.
type view struct {
	Title     string
	Nav       string // which menu entry is current
	Who       api.Principal
	CSRF      string
	CanExport bool
	Data      any
}

// render executes a page into a buffer first, so that a template error is a clean 500
// rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if s := sessionOf(r); s != nil {
		v.Who, v.CSRF, v.CanExport = s.who, s.csrf, s.who.Role.CanExport()
	}
	t, ok := h.pages[name]
	if !ok {
		panic("ui: no page template " + name) // programmer error: names are constants
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "base", v); err != nil {
		h.log.Error().Err(err).Str("page", name).Msg("render")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes()) // the client went away; nothing to tell it
}

// fail shows an error page: 404 for what does not exist, 400 for bad input, else 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, graph.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, errBadInput), errors.Is(err, engine.ErrBadLabel), errors.Is(err, graph.ErrBadLabel):
		status = http.StatusBadRequest
	}
	if status == http.StatusInternalServerError {
		h.log.Error().Err(err).Str("path", r.URL.Path).Msg("page")
	}
	h.render(w, r, status, "error", view{Title: http.StatusText(status), Data: err.Error()})
}

// errBadInput is a form or query value the page cannot use.
var errBadInput = errors.New("bad input")
