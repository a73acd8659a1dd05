// Package server is frontierwatch's HTTP face: health and readiness now,
// the JSON API, the web page and metrics as they land.
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
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
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
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
