package server

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the hand-written OpenAPI 3 description of every JSON
// endpoint; a test checks it against the route table.
//
//go:embed openapi.json
var openapiJSON []byte

// openapi is GET /api/openapi.json.
func (s *server) openapi(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openapiJSON)
}
