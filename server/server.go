package server

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/figures"
)

// Options configure the server New returns.
type Options struct {
	// Store is the archive the API and the pages read; required.
	Store *archive.Store
	// Checks are the readiness checks of /readyz; nil means the archive's
	// Ping alone.
	Checks map[string]Check
	// Token is the bearer token of the write endpoints (POST and DELETE).
	// Empty disables writes: they answer 403.
	Token string
	// ReadTokenRequired makes every read (the API and the web pages) need
	// the token too. Pages take it as the password of HTTP Basic auth, so
	// a browser asks for it.
	ReadTokenRequired bool
	// RateLimit limits the requests of each client (remote IP).
	RateLimit RateLimit
	// NextRun tells when a source is polled next (zero: not scheduled);
	// nil shows no next run.
	NextRun func(source string) time.Time
	// Metrics, when set, is served at GET /metrics (Prometheus).
	Metrics http.Handler
	// MetricDefs are the metrics the archive's figures may have, with
	// their units and directions; nil means figures.BuiltinMetrics().
	MetricDefs []figures.MetricDef
	// ConfigSilences are the config file's alerts.silences; the silences
	// endpoint lists them (read-only) beside those added through the API.
	ConfigSilences []config.Silence
	// CursorKey signs pagination cursors. Empty means a random key kept
	// in the archive, so that cursors survive restarts and work across
	// instances that share the database.
	CursorKey []byte
	// Logger gets server errors; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (rate limits, "ago", silences); nil means time.Now.
	Now func() time.Time
}

// RateLimit is a token bucket per client: Rate requests a second on
// average, bursts of up to Burst. Health checks, /metrics and static files
// are not limited.
type RateLimit struct {
	Rate     float64 // requests per second; 0 means 10
	Burst    int     // 0 means 40
	Disabled bool
}

// Request body cap of the write endpoints.
const maxBody = 1 << 20

// server holds what the handlers share.
type server struct {
	opts    Options
	store   *archive.Store
	log     *slog.Logger
	now     func() time.Time
	metrics map[string]figures.MetricDef
	order   []string // metric names in display order
	limiter *limiter
	routes  []route
	mux     *http.ServeMux
	pages   *pages

	keyOnce sync.Once
	key     []byte
}

// route is one endpoint of the mux.
type route struct {
	method, pattern string
	kind            routeKind
	handler         http.HandlerFunc
}

// routeKind says how a route is guarded.
type routeKind int

const (
	kindRead   routeKind = iota // API read: rate limited, token when reads need one
	kindWrite                   // API write: rate limited, always the token
	kindPage                    // HTML page: like a read, Basic auth prompt
	kindOpen                    // health, metrics, static files: no limit, no token
	kindStatic                  // static files: no limit, token when reads need one
)

// New returns the HTTP handler of the daemon: the JSON API under /api/, the
// web pages, /healthz, /readyz and, when set, /metrics.
func New(opts Options) http.Handler {
	s := &server{opts: opts, store: opts.Store, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "server")
	if s.now == nil {
		s.now = time.Now
	}
	defs := opts.MetricDefs
	if defs == nil {
		defs = figures.BuiltinMetrics()
	}
	s.metrics = make(map[string]figures.MetricDef, len(defs))
	for _, d := range defs {
		if _, dup := s.metrics[d.Name]; !dup {
			s.order = append(s.order, d.Name)
		}
		s.metrics[d.Name] = d
	}
	if s.opts.Checks == nil && s.store != nil {
		s.opts.Checks = map[string]Check{"archive": s.store.Ping}
	}
	if !opts.RateLimit.Disabled {
		s.limiter = newLimiter(opts.RateLimit, s.now)
	}
	s.pages = mustParsePages()
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, r := range s.routes {
		s.mux.Handle(r.method+" "+r.pattern, s.guard(r))
	}
	return http.HandlerFunc(s.serveHTTP)
}

// routeTable lists every endpoint; the OpenAPI test reads it.
func (s *server) routeTable() []route {
	rs := []route{
		{"GET", "/healthz", kindOpen, s.healthz},
		{"GET", "/readyz", kindOpen, s.readyz},
		{"GET", "/api/openapi.json", kindOpen, s.openapi},
		{"GET", "/api/v1/articles", kindRead, s.apiArticles},
		{"GET", "/api/v1/articles/{id}", kindRead, s.apiArticle},
		{"GET", "/api/v1/stories", kindRead, s.apiStories},
		{"GET", "/api/v1/figures", kindRead, s.apiFigures},
		{"GET", "/api/v1/milestones", kindRead, s.apiMilestones},
		{"GET", "/api/v1/metrics", kindRead, s.apiMetrics},
		{"GET", "/api/v1/metrics/{metric}/series", kindRead, s.apiSeries},
		{"GET", "/api/v1/sources", kindRead, s.apiSources},
		{"POST", "/api/v1/sources", kindWrite, s.apiAddSource},
		{"DELETE", "/api/v1/sources/{name}", kindWrite, s.apiDeleteSource},
		{"GET", "/api/v1/silences", kindRead, s.apiSilences},
		{"POST", "/api/v1/silences", kindWrite, s.apiAddSilence},
		{"DELETE", "/api/v1/silences/{id}", kindWrite, s.apiDeleteSilence},
		{"GET", "/{$}", kindPage, s.pageSearch},
		{"GET", "/articles/{id}", kindPage, s.pageArticle},
		{"GET", "/milestones", kindPage, s.pageMilestones},
		{"GET", "/charts", kindPage, s.pageCharts},
		{"GET", "/charts/{metric}", kindPage, s.pageChart},
		{"GET", "/sources", kindPage, s.pageSources},
		{"GET", "/static/", kindStatic, s.static},
	}
	if s.opts.Metrics != nil {
		rs = append(rs, route{"GET", "/metrics", kindOpen, s.opts.Metrics.ServeHTTP})
	}
	return rs
}

// guard wraps a route's handler in its rate limit and token check.
func (s *server) guard(r route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.kind != kindOpen && r.kind != kindStatic && !s.allow(w, req, r.kind == kindPage) {
			return
		}
		switch r.kind {
		case kindWrite:
			if !s.authorize(w, req, false) {
				return
			}
			req.Body = http.MaxBytesReader(w, req.Body, maxBody)
		case kindRead, kindPage, kindStatic:
			if s.opts.ReadTokenRequired && !s.authorize(w, req, r.kind != kindRead) {
				return
			}
		}
		r.handler(w, req)
	})
}

// serveHTTP sets the security headers, recovers from panics, and answers
// unknown routes and wrong methods with JSON errors (HTML for pages).
func (s *server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "path", r.URL.Path, "panic", v)
			writeError(w, http.StatusInternalServerError, codeInternal, "internal error")
		}
	}()
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unmatched(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// unmatched runs the mux's own 404 or 405 answer into a recorder and
// replies with a JSON error (an HTML page for browsers outside /api/).
func (s *server) unmatched(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	status := rec.status
	if status == 0 {
		status = http.StatusNotFound
	}
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if status == http.StatusMethodNotAllowed {
		writeError(w, status, codeMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+" (allowed: "+rec.header.Get("Allow")+")")
		return
	}
	if status >= 300 && status < 400 { // the mux's redirects (path cleaning)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		return
	}
	if wantsHTML(r) {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".")
		return
	}
	writeError(w, http.StatusNotFound, codeNotFound, "no route "+r.Method+" "+r.URL.Path)
}

// wantsHTML reports whether a request outside /api/ comes from a browser.
func wantsHTML(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// statusRecorder keeps the status and headers of a response and drops its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// csp is the Content-Security-Policy of every response: scripts and
// styles from this server only, nothing inline, no frames.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// cursorKey returns the key that signs cursors: Options.CursorKey, else a
// random key stored once in the archive, else (the archive failing) a
// random key of this process.
func (s *server) cursorKey(r *http.Request) []byte {
	s.keyOnce.Do(func() {
		if len(s.opts.CursorKey) > 0 {
			s.key = s.opts.CursorKey
			return
		}
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh)
		if s.store != nil {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
			defer cancel()
			v, err := s.store.SetMetaOnce(ctx, "api_cursor_key", encodeKey(fresh))
			if err == nil {
				if k, ok := decodeKey(v); ok {
					s.key = k
					return
				}
			}
			s.log.Warn("cursor key not stored; cursors end with this process", "error", errString(err))
		}
		s.key = fresh
	})
	return s.key
}

func errString(err error) string {
	if err == nil {
		return "malformed stored key"
	}
	return err.Error()
}
