// Package server is frontierwatch's HTTP face: the JSON API (documented by
// the OpenAPI file it serves at /api/openapi.json), the web pages (search,
// milestones, charts of each metric with its trend, sources), /healthz,
// /readyz and, when the daemon gives one, /metrics. New builds the whole
// handler; Handler serves health and readiness alone.
package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Check reports whether one dependency is ready; nil means ready.
type Check func(ctx context.Context) error

// Handler serves /healthz (the process answers) and /readyz (every check
// passes: the archive answers, the scheduler runs).
func Handler(checks map[string]Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", readyz(checks))
	return mux
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func readyz(checks map[string]Check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		status, code := map[string]string{}, http.StatusOK
		for name, check := range checks {
			if err := check(ctx); err != nil {
				status[name] = err.Error()
				code = http.StatusServiceUnavailable
			} else {
				status[name] = "ok"
			}
		}
		writeJSON(w, code, status)
	}
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) { healthz(w, r) }

func (s *server) readyz(w http.ResponseWriter, r *http.Request) { readyz(s.opts.Checks)(w, r) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
