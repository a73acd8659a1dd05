package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

type recorder struct{ *httptest.ResponseRecorder }

func newRecorder() recorder { return recorder{httptest.NewRecorder()} }

func (r recorder) String() string { return r.Body.String() }

func httpRequest(url, host string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, url, strings.NewReader(""))
	if host != "" {
		req.Host = host
	}
	return req
}
