package server

import (
	"errors"
	"net/http"

	"github.com/frontierwatch/frontierwatch/archive"
)

// Error codes of the API's JSON errors.
const (
	codeBadParameter     = "bad_parameter"      // a query parameter or path value is not valid
	codeBadRequest       = "bad_request"        // the request body is not valid
	codeBadQuery         = "bad_query"          // the search text is not a valid query
	codeNotFound         = "not_found"          // no such route or resource
	codeMethodNotAllowed = "method_not_allowed" // the route exists with other methods
	codeUnauthorized     = "unauthorized"       // no token was given
	codeForbidden        = "forbidden"          // the token is wrong, or writes are disabled
	codeRateLimited      = "rate_limited"       // too many requests; see Retry-After
	codeTooLarge         = "payload_too_large"  // the body is over 1 MiB
	codeUnsupportedType  = "unsupported_media_type"
	codeConflict         = "conflict" // e.g. a source from the config file
	codeInternal         = "internal"
)

// apiError is the body of every error answer:
// {"error": {"code": "bad_parameter", "message": "..."}}.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// httpError is an error with its status and code, returned by parameter
// parsers and turned into an answer by fail.
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.message }

func badParam(name, format string, args ...any) error {
	return &httpError{http.StatusBadRequest, codeBadParameter, name + ": " + sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, codeNotFound, sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{errorBody{Code: code, Message: message}})
}

// fail answers err as JSON: its own status for an httpError, 400 for a bad
// search query, 404 for archive.ErrNotFound, else 500 (logged; the client
// gets no detail).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := s.classify(r, err)
	writeError(w, status, code, msg)
}

// classify maps an error to a status, a code and a message for the client.
func (s *server) classify(r *http.Request, err error) (int, string, string) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status, he.code, he.message
	case errors.Is(err, archive.ErrBadQuery):
		return http.StatusBadRequest, codeBadQuery, "q: " + trimPrefix(err.Error(), "archive: ")
	case errors.Is(err, archive.ErrNotFound):
		return http.StatusNotFound, codeNotFound, "not found"
	case r.Context().Err() != nil:
		// The client went away or gave up; nobody reads the answer.
		return http.StatusServiceUnavailable, codeInternal, "request cancelled"
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	return http.StatusInternalServerError, codeInternal, "internal error"
}
