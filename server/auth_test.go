package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteAuth(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken})
	body := `{"name":"new-feed","url":"https://new.example/feed.xml"}`
	for _, c := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"no token", "", 401, codeUnauthorized},
		{"wrong token", "not-the-token", 403, codeForbidden},
		{"prefix of the token", testToken[:5], 403, codeForbidden},
		{"right token", testToken, 201, ""},
	} {
		status, h, b := call(t, http.MethodPost, srv.URL+"/api/v1/sources", c.token, body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, status, c.status, b)
			continue
		}
		if c.code != "" {
			if e := errorOf(t, b); e.Code != c.code || strings.Contains(e.Message, testToken) {
				t.Errorf("%s: %+v", c.name, e)
			}
		}
		if status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, h.Get("WWW-Authenticate"))
		}
	}
	// Basic auth with the token as password works too.
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/v1/sources/new-feed", nil)
	req.SetBasicAuth("anyone", testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("basic auth delete: %d", resp.StatusCode)
	}
	// Reads stay open.
	if status, _, _ := call(t, http.MethodGet, srv.URL+"/api/v1/sources", "", ""); status != 200 {
		t.Errorf("open read: %d", status)
	}
	// Without a configured token, writes are disabled whatever is sent.
	srv2 := newServer(t, f, Options{})
	status, _, b := call(t, http.MethodPost, srv2.URL+"/api/v1/silences", testToken, `{"until":"2030-01-01"}`)
	if status != 403 || !strings.Contains(errorOf(t, b).Message, "writes are disabled") {
		t.Errorf("no token configured: %d %s", status, b)
	}
}

func TestReadTokenMode(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken, ReadTokenRequired: true})
	for _, path := range []string{"/api/v1/articles", "/api/v1/metrics/task_horizon/series", "/api/v1/sources", "/", "/charts", "/static/app.css"} {
		if status, _, _ := call(t, http.MethodGet, srv.URL+path, "", ""); status != 401 {
			t.Errorf("%s without token: %d, want 401", path, status)
		}
		if status, _, _ := call(t, http.MethodGet, srv.URL+path, testToken, ""); status != 200 {
			t.Errorf("%s with token: %d", path, status)
		}
	}
	status, _, _ := call(t, http.MethodGet, srv.URL+"/api/v1/articles", "wrong", "")
	if status != 403 {
		t.Errorf("API read with a wrong token: %d, want 403", status)
	}
	// Pages ask the browser for the token with Basic auth.
	status, h, body := call(t, http.MethodGet, srv.URL+"/sources", "", "")
	if status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") || !strings.Contains(string(body), "<html") {
		t.Errorf("page without token: %d %q", status, h.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/sources", nil)
	req.SetBasicAuth("", testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("page with basic auth: %d", resp.StatusCode)
	}
	// Health stays open for probes.
	for _, path := range []string{"/healthz", "/readyz", "/api/openapi.json"} {
		if status, _, _ := call(t, http.MethodGet, srv.URL+path, "", ""); status != 200 {
			t.Errorf("%s: %d", path, status)
		}
	}
	// Read-token mode without a token fails closed.
	srv2 := newServer(t, f, Options{ReadTokenRequired: true})
	if status, _, _ := call(t, http.MethodGet, srv2.URL+"/api/v1/articles", "", ""); status != 403 {
		t.Errorf("read token required, none configured: %d", status)
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t)
	clk := &clock{t: fixedAt}
	srv := newServer(t, f, Options{RateLimit: RateLimit{Rate: 0.5, Burst: 3}, Now: clk.now})
	for i := range 3 {
		if status, _, _ := call(t, http.MethodGet, srv.URL+"/api/v1/metrics", "", ""); status != 200 {
			t.Fatalf("request %d within the burst: %d", i, status)
		}
	}
	status, h, body := call(t, http.MethodGet, srv.URL+"/api/v1/metrics", "", "")
	if status != http.StatusTooManyRequests || errorOf(t, body).Code != codeRateLimited || h.Get("Retry-After") != "2" {
		t.Fatalf("over the limit: %d Retry-After %q %s", status, h.Get("Retry-After"), body)
	}
	// Pages are limited too, with a page; health and static files are not.
	if status, _, _ := call(t, http.MethodGet, srv.URL+"/", "", ""); status != http.StatusTooManyRequests {
		t.Errorf("page over the limit: %d", status)
	}
	for _, p := range []string{"/healthz", "/static/app.css", "/api/openapi.json"} {
		if status, _, _ := call(t, http.MethodGet, srv.URL+p, "", ""); status != 200 {
			t.Errorf("%s is limited: %d", p, status)
		}
	}
	// A token a second refills after Retry-After.
	clk.advance(2 * time.Second)
	if status, _, _ := call(t, http.MethodGet, srv.URL+"/api/v1/metrics", "", ""); status != 200 {
		t.Errorf("after Retry-After: %d", status)
	}
	if status, _, _ := call(t, http.MethodGet, srv.URL+"/api/v1/metrics", "", ""); status != 429 {
		t.Errorf("second request after one refill: %d", status)
	}
}

func TestLimiterPerClient(t *testing.T) {
	clk := &clock{t: fixedAt}
	l := newLimiter(RateLimit{Rate: 1, Burst: 1}, clk.now)
	if ok, _ := l.take("10.0.0.1"); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := l.take("10.0.0.1"); ok || wait != time.Second {
		t.Errorf("second request: %v %v", ok, wait)
	}
	if ok, _ := l.take("10.0.0.2"); !ok {
		t.Error("another client shares the bucket")
	}
	// Idle clients are forgotten.
	clk.advance(idleClient + sweepEvery)
	l.take("10.0.0.3")
	if n := len(l.clients); n != 1 {
		t.Errorf("%d clients kept after the sweep, want 1", n)
	}
	for _, c := range []struct{ remote, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:80", "2001:db8:1:2::/64"},
		{"garbage", "garbage"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		if got := clientIP(r); got != c.want {
			t.Errorf("clientIP(%q) = %q, want %q", c.remote, got, c.want)
		}
	}
}

func TestSourcesWrites(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken, NextRun: func(name string) time.Time {
		if name == "metr" {
			return fixedAt.Add(20 * time.Minute)
		}
		return time.Time{}
	}})
	var list struct {
		Sources []sourceView `json:"sources"`
	}
	getJSON(t, srv.URL+"/api/v1/sources", http.StatusOK, &list)
	if len(list.Sources) != 2 || list.Sources[1].Name != "metr" || list.Sources[1].NextRun == nil ||
		!list.Sources[1].NextRun.Equal(fixedAt.Add(20*time.Minute)) || list.Sources[0].LastError == "" || list.Sources[0].Failures != 1 {
		t.Fatalf("sources %+v", list.Sources)
	}
	for _, c := range []struct {
		name, body string
		status     int
		inMessage  string
	}{
		{"feed", `{"name":"blog","url":"https://blog.example/feed","schedule":"@every 2h","delay":"2s"}`, 201, ""},
		{"replace", `{"name":"blog","url":"https://blog.example/feed2"}`, 200, ""},
		{"site", `{"name":"news","kind":"site","url":"https://news.example/","follow":["^https://news\\.example/a/"],"max_depth":1}`, 201, ""},
		{"config source", `{"name":"metr","url":"https://x.example/"}`, 409, "config file"},
		{"bad name", `{"name":"Bad Name","url":"https://x.example/"}`, 400, "name:"},
		{"no name", `{"url":"https://x.example/"}`, 400, "name: is required"},
		{"bad url", `{"name":"x","url":"ftp://x.example/"}`, 400, "url:"},
		{"bad kind", `{"name":"x","kind":"podcast","url":"https://x.example/"}`, 400, "kind:"},
		{"bad schedule", `{"name":"x","url":"https://x.example/","schedule":"every day"}`, 400, "schedule:"},
		{"bad delay", `{"name":"x","url":"https://x.example/","delay":"soon"}`, 400, "delay:"},
		{"feed with follow", `{"name":"x","url":"https://x.example/","follow":["a"]}`, 400, "only to sources of kind site"},
		{"site without follow", `{"name":"x","kind":"site","url":"https://x.example/"}`, 400, "follow:"},
		{"bad regexp", `{"name":"x","kind":"site","url":"https://x.example/","follow":["("]}`, 400, "follow[0]"},
		{"unknown field", `{"name":"x","url":"https://x.example/","colour":"red"}`, 400, "unknown field"},
		{"not json", `name=x`, 400, "body:"},
		{"two values", `{"name":"x","url":"https://x.example/"} {}`, 400, "body:"},
	} {
		status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/sources", testToken, c.body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, status, c.status, b)
			continue
		}
		if c.inMessage != "" && !strings.Contains(errorOf(t, b).Message, c.inMessage) {
			t.Errorf("%s: %s", c.name, b)
		}
	}
	getJSON(t, srv.URL+"/api/v1/sources", http.StatusOK, &list)
	if len(list.Sources) != 4 || list.Sources[0].Name != "blog" || list.Sources[0].URL != "https://blog.example/feed2" ||
		list.Sources[0].Origin != "user" || list.Sources[3].Kind != "site" {
		t.Errorf("after writes: %+v", list.Sources)
	}
	for _, c := range []struct {
		name   string
		status int
	}{{"blog", 204}, {"blog", 404}, {"metr", 409}, {"nope", 404}} {
		if status, _, b := call(t, http.MethodDelete, srv.URL+"/api/v1/sources/"+c.name, testToken, ""); status != c.status {
			t.Errorf("delete %s: %d, want %d: %s", c.name, status, c.status, b)
		}
	}
	// Wrong content type, empty body, body over 1 MiB.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/sources", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d", resp.StatusCode)
	}
	if status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/sources", testToken, " "); status != 400 || !strings.Contains(string(b), "empty") {
		t.Errorf("empty body: %d %s", status, b)
	}
	big := `{"name":"x","url":"https://x.example/","schedule":"` + strings.Repeat("a", maxBody) + `"}`
	status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/sources", testToken, big)
	if status != http.StatusRequestEntityTooLarge || errorOf(t, b).Code != codeTooLarge {
		t.Errorf("big body: %d %s", status, b)
	}
}

func TestSilences(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{Token: testToken, ConfigSilences: configSilences()})
	var added struct {
		Silence silenceView `json:"silence"`
	}
	status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/silences", testToken,
		`{"metric":"task_horizon","subject":"Model E","until":"2026-07-01","reason":"known claim"}`)
	if status != 201 || json.Unmarshal(b, &added) != nil || added.Silence.ID == nil || !added.Silence.Active ||
		added.Silence.Origin != "api" || !added.Silence.Until.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("add: %d %s", status, b)
	}
	for _, c := range []struct{ body, inMessage string }{
		{`{"metric":"task_horizon"}`, "until: is required"},
		{`{"until":"next week"}`, "until:"},
		{`{"until":"2020-01-01"}`, "not in the future"},
		{`{"until":"2030-01-01","metric":"vibes"}`, "unknown metric"},
		{`{"until":"2030-01-01","subject":"two\nlines"}`, "subject:"},
		{`{"until":"2030-01-01","reason":"` + strings.Repeat("r", 1001) + `"}`, "reason:"},
		{`{"until":"2030-01-01","extra":1}`, "unknown field"},
	} {
		status, _, b := call(t, http.MethodPost, srv.URL+"/api/v1/silences", testToken, c.body)
		if status != 400 || !strings.Contains(errorOf(t, b).Message, c.inMessage) {
			t.Errorf("%s: %d %s", c.body, status, b)
		}
	}
	var list struct {
		Silences []silenceView `json:"silences"`
	}
	getJSON(t, srv.URL+"/api/v1/silences", http.StatusOK, &list)
	if len(list.Silences) != 3 || list.Silences[0].Origin != "config" || list.Silences[0].ID != nil || list.Silences[2].ID == nil {
		t.Errorf("list: %+v", list.Silences)
	}
	getJSON(t, srv.URL+"/api/v1/silences?active=true", http.StatusOK, &list)
	if len(list.Silences) != 2 {
		t.Errorf("active: %+v", list.Silences)
	}
	id := strconv.FormatInt(*added.Silence.ID, 10)
	for _, c := range []struct {
		path   string
		status int
	}{{id, 204}, {id, 404}, {"x", 400}} {
		if status, _, b := call(t, http.MethodDelete, srv.URL+"/api/v1/silences/"+c.path, testToken, ""); status != c.status {
			t.Errorf("delete %s: %d, want %d: %s", c.path, status, c.status, b)
		}
	}
}

// TestSecretsNotLogged checks that the token never reaches the log, even
// when a request carries a wrong one.
func TestSecretsNotLogged(t *testing.T) {
	f := newFixture(t)
	var buf syncBuffer
	srv := newServer(t, f, Options{Token: testToken, Logger: newTextLogger(&buf)})
	call(t, http.MethodPost, srv.URL+"/api/v1/silences", testToken, `{"until":"2030-01-01"}`)
	call(t, http.MethodPost, srv.URL+"/api/v1/silences", testToken+"x", `{"until":"2030-01-01"}`)
	call(t, http.MethodGet, srv.URL+"/api/v1/articles?q="+testToken, "", "")
	if bytes.Contains(buf.Bytes(), []byte(testToken)) {
		t.Errorf("the token is in the log: %s", buf.Bytes())
	}
	if !bytes.Contains(buf.Bytes(), []byte("silence added")) {
		t.Errorf("nothing logged: %s", buf.Bytes())
	}
}
