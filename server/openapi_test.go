package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// pageRoutes are the routes that serve HTML or files, not JSON: the
// OpenAPI file leaves them out.
var pageRoutes = []string{
	"GET /{$}", "GET /articles/{id}", "GET /milestones", "GET /charts", "GET /charts/{metric}", "GET /sources", "GET /static/",
}

// TestOpenAPI checks that the OpenAPI file is valid JSON of OpenAPI 3,
// that its references resolve, that it documents every route of the mux
// but the pages, and that every operation it documents is a route.
func TestOpenAPI(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %q", v)
	}
	// Every $ref resolves.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if resolve(doc, ref) == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)

	documented := map[string]bool{}
	paramRE := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			o := op.(map[string]any)
			if _, ok := o["responses"].(map[string]any); !ok {
				t.Errorf("%s has no responses", key)
			}
			if _, ok := o["operationId"].(string); !ok {
				t.Errorf("%s has no operationId", key)
			}
			// Path parameters are declared.
			for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
				found := false
				params, _ := o["parameters"].([]any)
				for _, p := range params {
					pm := p.(map[string]any)
					if ref, ok := pm["$ref"].(string); ok {
						pm, _ = resolve(doc, ref).(map[string]any)
					}
					if pm["name"] == m[1] && pm["in"] == "path" && pm["required"] == true {
						found = true
					}
				}
				if !found {
					t.Errorf("%s does not declare its path parameter %s", key, m[1])
				}
			}
		}
	}

	f := newFixture(t)
	srv := &server{opts: Options{Metrics: http.NotFoundHandler()}}
	routes := map[string]bool{}
	for _, r := range srv.routeTable() {
		key := r.method + " " + r.pattern
		routes[key] = true
		if slices.Contains(pageRoutes, key) {
			continue
		}
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	var docKeys []string
	for key := range documented {
		docKeys = append(docKeys, key)
		if !routes[key] {
			t.Errorf("openapi.json documents %s, which is no route", key)
		}
	}
	for _, p := range pageRoutes {
		if !routes[p] {
			t.Errorf("page route %s is gone: update pageRoutes", p)
		}
	}
	sort.Strings(docKeys)

	// The mux really serves each documented operation (no 404/405 from
	// the mux itself), e.g. GET /api/v1/articles/{id} with id 1.
	h := New(Options{Store: f.store, Logger: quiet, Metrics: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		RateLimit: RateLimit{Disabled: true}})
	for _, key := range docKeys {
		method, path, _ := strings.Cut(key, " ")
		path = paramRE.ReplaceAllString(path, "1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		if rec.Code == http.StatusMethodNotAllowed || (rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "no route")) {
			t.Errorf("%s %s is not served: %d %s", method, path, rec.Code, rec.Body)
		}
	}
}

// resolve follows a local JSON pointer ("#/components/schemas/Error").
func resolve(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	return cur
}

// TestOpenAPIServed checks the document is served as JSON.
func TestOpenAPIServed(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f, Options{})
	status, h, body := call(t, http.MethodGet, srv.URL+"/api/openapi.json", "", "")
	if status != 200 || h.Get("Content-Type") != "application/json" || !json.Valid(body) {
		t.Errorf("openapi.json: %d %s", status, h.Get("Content-Type"))
	}
}
