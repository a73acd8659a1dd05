package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

func FuzzDecodeCursor(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	fp := fingerprint("agents")
	good := encodeCursor(key, cursorArticles, fp, [cursorSlots]uint64{1, 2, 3, 4, 5})
	for _, s := range []string{good, "", "AQ", "garbage!", good + "A", strings.Repeat("A", 200), good[:len(good)-1]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pos, err := decodeCursor(key, cursorArticles, fp, s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cursor: ") {
				t.Fatalf("error %q does not name the parameter", err)
			}
			return
		}
		// Only a cursor this key signed is accepted, and it means what
		// was signed.
		again, err := decodeCursor(key, cursorArticles, fp, encodeCursor(key, cursorArticles, fp, pos))
		if err != nil || again != pos {
			t.Fatalf("accepted %q as %v but its re-encoding gives %v %v", s, pos, again, err)
		}
		if _, err := decodeCursor(key, cursorStories, fp, s); err == nil {
			t.Fatalf("%q accepted as a cursor of another list", s)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-01-02", "2026-01-02T15:04:05Z", "2026-01-02T15:04:05.123+02:00", "yesterday", "", "2026-13-01", "0000-01-01", "9999-12-31T23:59:59Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, end := range []bool{false, true} {
			tm, err := parseTime("since", s, end)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "since: ") || !strings.Contains(err.Error(), "is not a date") {
					t.Fatalf("error %q", err)
				}
				continue
			}
			if strings.TrimSpace(s) == "" != tm.IsZero() && !tm.IsZero() {
				t.Fatalf("%q gave %v", s, tm)
			}
		}
	})
}

func FuzzAsOfTime(f *testing.F) {
	for _, s := range []string{"2025", "2025-03", "2025-Q2", "2025-03-09", "", "2025-Q9", "abcd", "2025-1", "2025-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := asOfTime(s)
		if ok && (tm.Year() < 1900 || tm.Year() > 2200 || tm.Location() != time.UTC) {
			t.Fatalf("%q gave %v", s, tm)
		}
		if !ok && !tm.IsZero() {
			t.Fatalf("%q: not ok but %v", s, tm)
		}
	})
}

func FuzzSnippetParts(f *testing.F) {
	m1, m2 := archive.HighlightStart, archive.HighlightEnd
	for _, s := range []string{"a " + m1 + "b" + m2 + " c", m2 + m1, m1 + m1 + "x" + m2 + m2, "<script>" + m1 + "&" + m2, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var text strings.Builder
		for _, p := range snippetParts(s) {
			if strings.ContainsAny(p.Text, m1+m2) || p.Text == "" {
				t.Fatalf("%q: part %q", s, p.Text)
			}
			text.WriteString(p.Text)
		}
		if text.String() != stripMarkers(s) {
			t.Fatalf("%q: parts say %q", s, text.String())
		}
		h := string(markSnippet(s))
		if strings.Count(h, "<mark>") != strings.Count(h, "</mark>") || strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h), "<") {
			t.Fatalf("%q: unsafe HTML %q", s, h)
		}
	})
}

// FuzzArticlesQuery sends arbitrary query strings to the search endpoint
// and the search page: every answer is a 200 or a 4xx with a JSON error
// (a page for the page), never a 500.
func FuzzArticlesQuery(f *testing.F) {
	fx := newFixture(f)
	h := New(Options{Store: fx.store, Logger: quiet, RateLimit: RateLimit{Disabled: true}, Now: func() time.Time { return fixedAt }})
	for _, s := range []string{"q=agents", "q=%22report", "since=2024-01-01&until=2024-02-01", "limit=0", "cursor=AAAA", "q=a*+NEAR(b)",
		"metric=task_horizon&topic=autonomy", "q=" + strings.Repeat("x+", 40), "q=title:agents", "q=%00", "source=%FF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, path := range []string{"/api/v1/articles?", "/?"} {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path = strings.TrimSuffix(path, "?")
			req.URL.RawQuery = raw
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch {
			case rec.Code == http.StatusOK:
			case rec.Code >= 400 && rec.Code < 500:
				if path != "/?" && !bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"error":`)) {
					t.Fatalf("%s%s: %d %s", path, raw, rec.Code, rec.Body)
				}
			default:
				t.Fatalf("%s%s: %d %s", path, raw, rec.Code, rec.Body)
			}
		}
	})
}

// apiFuzzPaths are the GET routes FuzzAPIQuery sends queries to; "%s"
// stands for a fuzzed path segment.
var apiFuzzPaths = []string{
	"/api/v1/articles", "/api/v1/articles/%s", "/api/v1/stories", "/api/v1/figures", "/api/v1/milestones",
	"/api/v1/metrics", "/api/v1/metrics/%s/series", "/api/v1/sources", "/api/v1/silences",
	"/", "/articles/%s", "/milestones", "/charts", "/charts/%s", "/sources",
}

// FuzzAPIQuery sends arbitrary query strings and path segments to every
// GET route of the API and the pages: every answer is a 200 or a 4xx
// (with a JSON error under /api/), never a 500 or a panic.
func FuzzAPIQuery(f *testing.F) {
	fx := newFixture(f)
	h := New(Options{Store: fx.store, Logger: quiet, RateLimit: RateLimit{Disabled: true}, Now: func() time.Time { return fixedAt }})
	seeds := []struct {
		path        uint8
		query, part string
	}{
		{0, "q=agents&since=2024-01-01&limit=5", ""}, {1, "", "1"}, {1, "", "-1"}, {1, "", "99999999999999999999"},
		{2, "limit=2&cursor=AAAA", ""}, {3, "metric=task_horizon&subject=Claude&format=csv", ""},
		{3, "metric=nope&since=yesterday", ""}, {4, "since=2024-02-30&metric=rnd_speedup", ""},
		{6, "since=2024-01-01&until=2023-01-01&limit=100000", "task_horizon"}, {6, "", "..%2F..%2Fetc"},
		{9, "q=%22time+horizon%22&topic=autonomy", ""}, {10, "", "0x10"}, {13, "", "doubling_time"},
		{3, "format=xml&limit=-5", ""}, {4, "limit=1e3&cursor=" + strings.Repeat("A", 200), ""},
	}
	for _, s := range seeds {
		f.Add(s.path, s.query, s.part)
	}
	f.Fuzz(func(t *testing.T, which uint8, raw, part string) {
		tmpl := apiFuzzPaths[int(which)%len(apiFuzzPaths)]
		path := tmpl
		if strings.Contains(tmpl, "%s") {
			path = strings.Replace(tmpl, "%s", url.PathEscape(part), 1)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawPath = path
		var err error
		if req.URL.Path, err = url.PathUnescape(path); err != nil {
			return
		}
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code >= 300 && rec.Code < 400: // the mux cleaning a path
		case rec.Code >= 400 && rec.Code < 500:
			if strings.HasPrefix(tmpl, "/api/") &&
				!bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"error":`)) {
				t.Fatalf("%s?%s: %d %s", path, raw, rec.Code, rec.Body)
			}
		default:
			t.Fatalf("%s?%s: %d %s", path, raw, rec.Code, rec.Body)
		}
	})
}
