package ui

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/personagraph/personagraph/api"
)

// cookieName names the session cookie.
const cookieName = "pg_session"

// maxSessions bounds the session table, so that sign-ins cannot grow memory without
// limit; past it the oldest session is dropped.
const maxSessions = 10000

// session is one signed-in browser.
type session struct {
	id      string
	csrf    string // the token every POST form of this session must carry
	token   string // the bearer token signed in with, re-checked per request
	who     api.Principal
	expires time.Time
}

// sessions is the server-side session table. Sessions live in memory only: a restart
// signs everyone out, which is the safe failure.
type sessions struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex // guards m
	m  map[string]*session
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, m: map[string]*session{}}
}

// randomID is 32 random bytes, base64url: unguessable session ids and CSRF tokens.
func randomID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// create starts a session for who, dropping expired ones (and the oldest if full).
func (ss *sessions) create(token string, who api.Principal) (*session, error) {
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	csrf, err := randomID()
	if err != nil {
		return nil, err
	}
	now := ss.now()
	s := &session{id: id, csrf: csrf, token: token, who: who, expires: now.Add(ss.ttl)}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var oldest *session
	for k, o := range ss.m {
		if now.After(o.expires) {
			delete(ss.m, k)
		} else if oldest == nil || o.expires.Before(oldest.expires) {
			oldest = o
		}
	}
	if len(ss.m) >= maxSessions && oldest != nil {
		delete(ss.m, oldest.id)
	}
	ss.m[id] = s
	return s, nil
}

// get returns the live session with id; nil if none or expired.
func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[id]
	if !ok {
		return nil
	}
	if ss.now().After(s.expires) {
		delete(ss.m, id)
		return nil
	}
	return s
}

func (ss *sessions) drop(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// authenticate checks a token as the API does.
func (h *Handler) authenticate(token string) (api.Principal, bool) {
	if h.opts.InsecureNoAuth {
		return api.Principal{Name: "insecure", Role: api.RoleAdmin}, true
	}
	if h.opts.Auth == nil {
		return api.Principal{}, false
	}
	return h.opts.Auth.Authenticate(strings.TrimSpace(token))
}

type sessionKey struct{}

// reqState is what a page tells the wrapper for the audit log.
type reqState struct {
	records int
}

type stateKey struct{}

func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// shown records how many records' data a page showed, for the audit log.
func shown(r *http.Request, n int) {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		st.records += n
	}
}

// sameOrigin refuses a request whose Origin header names another site. Browsers send
// Origin with every POST; SameSite=Strict already keeps the cookie off cross-site
// requests, and this is the second lock.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// signedIn wraps a page: it needs a live session whose token is still valid and may
// read, a matching CSRF token on POST, and it writes the audit entry afterwards.
func (h *Handler) signedIn(page http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s *session
		if c, err := r.Cookie(cookieName); err == nil {
			s = h.sess.get(c.Value)
		}
		if s != nil {
			// Re-check the token: a revoked token or a changed role ends the session.
			who, ok := h.authenticate(s.token)
			if !ok || who != s.who {
				h.sess.drop(s.id)
				s = nil
			}
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if !s.who.Role.CanRead() {
			h.render(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)), http.StatusForbidden, "error",
				view{Title: "Forbidden", Data: "role " + string(s.who.Role) + " may not use the web UI"})
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
				http.Error(w, "bad or missing CSRF token: reload the page", http.StatusForbidden)
				return
			}
		}
		st := &reqState{}
		ctx := context.WithValue(context.WithValue(r.Context(), sessionKey{}, s), stateKey{}, st)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		page(sw, r.WithContext(ctx))
		if h.opts.Audit != nil && (st.records > 0 || r.Method == http.MethodPost) {
			h.opts.Audit(&api.AuditEntry{Time: start.UTC(), Token: s.who.Name, Role: s.who.Role, Method: r.Method,
				Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Status: sw.status, Records: st.records, Remote: r.RemoteAddr})
		}
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", view{Title: "Sign in", Data: loginView{Next: safeNext(r.URL.Query().Get("next")), Insecure: h.opts.InsecureNoAuth}})
}

type loginView struct {
	Next, Error string
	Insecure    bool
}

// safeNext keeps a post-sign-in redirect on this site: a local path only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// login checks the token and starts a session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	next := safeNext(r.PostFormValue("next"))
	if !sameOrigin(r) {
		http.Error(w, "cross-site sign-in refused", http.StatusForbidden)
		return
	}
	token := r.PostFormValue("token")
	who, ok := h.authenticate(token)
	if h.opts.Audit != nil {
		// Sign-ins, failed ones too, are in the audit log as the API's 401s are.
		status := http.StatusSeeOther
		if !ok || !who.Role.CanRead() {
			status = http.StatusUnauthorized
		}
		h.opts.Audit(&api.AuditEntry{Time: h.opts.Now().UTC(), Token: who.Name, Role: who.Role, Method: r.Method,
			Path: r.URL.EscapedPath(), Status: status, Remote: r.RemoteAddr})
	}
	if !ok || !who.Role.CanRead() {
		msg := "Unknown or revoked token."
		if ok {
			msg = "Role " + string(who.Role) + " may not use the web UI (it needs analyst, investigator or admin)."
		}
		h.render(w, r, http.StatusUnauthorized, "login", view{Title: "Sign in", Data: loginView{Next: next, Error: msg, Insecure: h.opts.InsecureNoAuth}})
		return
	}
	s, err := h.sess.create(strings.TrimSpace(token), who)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, Expires: s.expires})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if s := sessionOf(r); s != nil {
		h.sess.drop(s.id)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
