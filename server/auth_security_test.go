package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTokenOnlyFromAuthorization: the token is taken from the
// Authorization header (Bearer, or Basic's password) and nowhere else: not
// from the query string (where it would land in proxy and access logs and
// browser history), a form field, a cookie or another header. Each such
// write is refused and changes nothing; the same write with the header
// succeeds.
func TestTokenOnlyFromAuthorization(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken})
	count := func() int {
		var list struct {
			Silences []any `json:"silences"`
		}
		getJSON(t, srv.URL+"/api/v1/silences", http.StatusOK, &list)
		return len(list.Silences)
	}
	before := count()
	body := `{"until":"2030-01-01","reason":"test"}`
	for _, q := range []string{"token", "access_token", "api_key", "bearer", "auth", "Authorization"} {
		status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/silences?"+q+"="+url.QueryEscape(testToken), "", body)
		if status != http.StatusUnauthorized {
			t.Errorf("?%s=TOKEN: status %d, want 401: %s", q, status, b)
		}
	}
	for name, set := range map[string]func(*http.Request){
		"cookie":               func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "token", Value: testToken}) },
		"X-Api-Key":            func(r *http.Request) { r.Header.Set("X-Api-Key", testToken) },
		"X-Auth-Token":         func(r *http.Request) { r.Header.Set("X-Auth-Token", testToken) },
		"Authorization, bare":  func(r *http.Request) { r.Header.Set("Authorization", testToken) },
		"Authorization, Token": func(r *http.Request) { r.Header.Set("Authorization", "Token "+testToken) },
		"Basic, token as user": func(r *http.Request) { r.SetBasicAuth(testToken, "") },
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/silences", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		set(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
	}
	// A form post (what a cross-site page could send) is refused too.
	resp, err := http.PostForm(srv.URL+"/api/v1/silences", url.Values{"token": {testToken}, "until": {"2030-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("form with token: status %d, want 401", resp.StatusCode)
	}
	if n := count(); n != before {
		t.Fatalf("refused writes added %d silences", n-before)
	}
	if status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/silences", testToken, body); status != http.StatusCreated {
		t.Fatalf("with the header: %d %s", status, b)
	}

	// Reads behind the token take it from the header only, too.
	rsrv := newServer(t, f, Options{Token: testToken, ReadTokenRequired: true})
	for _, path := range []string{"/api/v1/articles?token=", "/api/v1/articles?access_token=", "/sources?token="} {
		if status, _, _ := call(t, http.MethodGet, rsrv.URL+path+url.QueryEscape(testToken), "", ""); status != http.StatusUnauthorized {
			t.Errorf("GET %sTOKEN: %d, want 401", path, status)
		}
	}
}

// TestTokenEqual: tokens match exactly, whatever their lengths. (The
// comparison hashes both and uses crypto/subtle: its time does not depend
// on where they differ or on their lengths; that is by construction, not
// measured.)
func TestTokenEqual(t *testing.T) {
	tests := []struct {
		given string
		want  bool
	}{
		{testToken, true},
		{testToken[:len(testToken)-1], false},
		{testToken + "x", false},
		{strings.ToUpper(testToken), false},
		{" " + testToken, false},
		{"", false},
		{strings.Repeat("a", 10000), false},
	}
	for _, tt := range tests {
		if got := tokenEqual(tt.given, testToken); got != tt.want {
			t.Errorf("tokenEqual(%.20q…) = %v, want %v", tt.given, got, tt.want)
		}
	}
	if tokenEqual("", "") != true {
		t.Error("two empty strings differ") // authorize refuses an empty server token before comparing
	}
}

// TestTokenNeverEchoed: no answer (wrong token, right token, 404, 405)
// and no log line, at debug level, repeats a token that was sent or the
// server's own.
func TestTokenNeverEchoed(t *testing.T) {
	f := newFixture(t)
	var logs syncBuffer
	srv := newServer(t, f, Options{Token: testToken, ReadTokenRequired: true, Logger: newTextLogger(&logs)})
	const wrong = "wrong-token-3f9a1c"
	var bodies bytes.Buffer
	for _, c := range []struct{ method, path, token string }{
		{"GET", "/api/v1/articles", wrong},
		{"GET", "/api/v1/articles", testToken},
		{"POST", "/api/v1/silences", wrong},
		{"POST", "/api/v1/silences", testToken},
		{"GET", "/api/v1/nope", testToken},
		{"PUT", "/api/v1/sources", testToken},
		{"GET", "/sources", wrong},
		{"GET", "/articles/999999", testToken},
	} {
		_, h, b := call(t, c.method, srv.URL+c.path, c.token, `{"until":"2030-01-01"}`)
		bodies.Write(b)
		for k, vs := range h {
			bodies.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
		}
	}
	for _, secret := range []string{testToken, wrong} {
		if bytes.Contains(bodies.Bytes(), []byte(secret)) {
			t.Errorf("a response shows %q:\n%s", secret, bodies.Bytes())
		}
		if bytes.Contains(logs.Bytes(), []byte(secret)) {
			t.Errorf("the log shows %q:\n%s", secret, logs.Bytes())
		}
	}
}

// TestSourceURLPasswordMasked: a source URL with a password in it
// (https://user:password@host/feed) is shown with the password masked by
// the API and the sources page; the archive keeps it to fetch with.
func TestSourceURLPasswordMasked(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken})
	const pw = "feed-Pa55-7781"
	feedURL := "https://reader:" + pw + "@private.example/feed.xml?key=visible"
	if status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/sources", testToken, `{"name":"private","url":"`+feedURL+`"}`); status != http.StatusCreated {
		t.Fatalf("add: %d %s", status, b)
	}
	if bytes.Contains(mustGet(t, srv.URL+"/api/v1/sources"), []byte(pw)) {
		t.Error("the API shows the feed's password")
	}
	var list struct {
		Sources []sourceView `json:"sources"`
	}
	getJSON(t, srv.URL+"/api/v1/sources", http.StatusOK, &list)
	var shown string
	for _, s := range list.Sources {
		if s.Name == "private" {
			shown = s.URL
		}
	}
	if shown != "https://private.example/feed.xml?key=visible" { // the user part is dropped
		t.Errorf("API url = %q", shown)
	}
	if p := getPage(t, srv.URL+"/sources", 200); strings.Contains(p, pw) {
		t.Error("the sources page shows the feed's password")
	}
	src, err := f.store.Source(t.Context(), "private")
	if err != nil || src.URL != feedURL {
		t.Errorf("stored URL %q, %v; want the URL as given", src.URL, err)
	}
}

func mustGet(t *testing.T, u string) []byte {
	t.Helper()
	_, _, b := call(t, http.MethodGet, u, "", "")
	return b
}

// TestWritesRefuseCrossSiteForms: with the token in a browser's Basic-auth
// cache (the pages ask for it when read_token_required is on), a page on
// another site can make the browser send a write: a form (urlencoded,
// multipart, text/plain) or a fetch with a body of no type, none of which
// needs a CORS preflight. Each is refused with 415 and changes nothing;
// a JSON body (which needs a preflight this server never grants: no CORS
// headers) is the only kind accepted.
func TestWritesRefuseCrossSiteForms(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken, ReadTokenRequired: true})
	count := func() int {
		var list struct {
			Silences []any `json:"silences"`
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/silences", nil)
		req.SetBasicAuth("", testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		return len(list.Silences)
	}
	before := count()
	post := func(path, contentType, body string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth("", testToken) // what the browser adds by itself
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS granted to %s", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		return resp.StatusCode
	}
	silence := `{"metric":"task_horizon","until":"2030-01-01","reason":"csrf"}`
	source := `{"name":"csrf","url":"https://evil.example/feed"}`
	for _, ct := range []string{"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		for path, body := range map[string]string{"/api/v1/silences": silence, "/api/v1/sources": source} {
			if status := post(path, ct, body); status != http.StatusUnsupportedMediaType {
				t.Errorf("POST %s with Content-Type %q: %d, want 415", path, ct, status)
			}
		}
	}
	if n := count(); n != before {
		t.Fatalf("cross-site writes added %d silences", n-before)
	}
	if _, err := f.store.Source(t.Context(), "csrf"); err == nil {
		t.Fatal("a cross-site write added a source")
	}
	// A preflight is not granted.
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/api/v1/silences", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.StatusCode < 400 {
		t.Errorf("preflight: %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// The same write as JSON goes through (the test can fail).
	if status := post("/api/v1/silences", "application/json", silence); status != http.StatusCreated {
		t.Errorf("JSON write: %d, want 201", status)
	}
}
