package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// authorize checks the request's token: "Authorization: Bearer TOKEN", or
// HTTP Basic auth with the token as the password (any user name), which is
// how a browser sends it to the pages. It answers 401 when there is no
// token (page asks the browser for one) and 403 when it is wrong or the
// server has none; it reports whether the request may go on. Tokens are
// compared in constant time.
func (s *server) authorize(w http.ResponseWriter, r *http.Request, page bool) bool {
	if s.opts.Token == "" {
		what := "writes are disabled"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			what = "reads need a token"
		}
		s.deny(w, r, page, http.StatusForbidden, codeForbidden,
			what+": the server has no token (set server.token_env or server.token_file)")
		return false
	}
	given, ok := requestToken(r)
	if !ok {
		if page {
			w.Header().Set("WWW-Authenticate", `Basic realm="frontierwatch", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="frontierwatch"`)
		}
		s.deny(w, r, page, http.StatusUnauthorized, codeUnauthorized,
			"this endpoint needs the server's token: Authorization: Bearer TOKEN")
		return false
	}
	if !tokenEqual(given, s.opts.Token) {
		if page {
			// Let the browser ask again rather than show a dead end.
			w.Header().Set("WWW-Authenticate", `Basic realm="frontierwatch", charset="UTF-8"`)
			s.deny(w, r, page, http.StatusUnauthorized, codeUnauthorized, "the token is not valid")
			return false
		}
		s.deny(w, r, page, http.StatusForbidden, codeForbidden, "the token is not valid")
		return false
	}
	return true
}

// deny answers an authorization failure as JSON, or as a page.
func (s *server) deny(w http.ResponseWriter, r *http.Request, page bool, status int, code, msg string) {
	if page {
		s.renderError(w, r, status, "Access denied", msg)
		return
	}
	writeError(w, status, code, msg)
}

// requestToken returns the token of a Bearer or Basic Authorization header.
func requestToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(tok)
		return tok, tok != ""
	}
	if _, pass, ok := r.BasicAuth(); ok && pass != "" {
		return pass, true
	}
	return "", false
}

// tokenEqual compares two tokens in constant time; hashing first makes
// the time independent of their lengths too.
func tokenEqual(given, want string) bool {
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
