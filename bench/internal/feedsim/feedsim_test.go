package feedsim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func TestCorpus(t *testing.T) {
	a, b := RenderCorpus(7, 3, 10), RenderCorpus(7, 3, 10)
	links := map[string]bool{}
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) || a[i].ETag != b[i].ETag {
			t.Fatalf("feed %d differs between two renderings with one seed", i)
		}
		if i > 0 && a[i].ETag == a[i-1].ETag {
			t.Errorf("feeds %d and %d share an ETag", i-1, i)
		}
		f, err := gofeed.NewParser().ParseString(string(a[i].Body))
		if err != nil {
			t.Fatalf("feed %d: %v", i, err)
		}
		if len(f.Items) != 10 {
			t.Fatalf("feed %d has %d items, want 10", i, len(f.Items))
		}
		for _, it := range f.Items {
			words := len(strings.Fields(it.Description))
			switch {
			case links[it.Link]:
				t.Errorf("link %s repeats", it.Link)
			case it.Title == "" || it.GUID == "" || it.PublishedParsed == nil || it.Content == "":
				t.Errorf("item %s lacks a title, GUID, date or content", it.Link)
			case words < 100 || words > 240:
				t.Errorf("item %s: description of %d words, want about 100-200", it.Link, words)
			}
			links[it.Link] = true
		}
	}
	if c := RenderCorpus(8, 1, 10); bytes.Equal(c[0].Body, a[0].Body) {
		t.Error("another seed renders the same feed")
	}
}

func TestServerConditional(t *testing.T) {
	corpus := RenderCorpus(1, 1, 1)
	f := corpus[0]
	s := NewServer(corpus)
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	earlier := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	tests := []struct {
		name   string
		path   string
		header map[string]string
		want   int
	}{
		{"plain", f.Path, nil, http.StatusOK},
		{"etag matches", f.Path, map[string]string{"If-None-Match": f.ETag}, http.StatusNotModified},
		{"weak etag matches", f.Path, map[string]string{"If-None-Match": `"x", W/` + f.ETag}, http.StatusNotModified},
		{"etag differs", f.Path, map[string]string{"If-None-Match": `"other"`}, http.StatusOK},
		{"etag wins over date", f.Path, map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": later}, http.StatusOK},
		{"not modified since", f.Path, map[string]string{"If-Modified-Since": later}, http.StatusNotModified},
		{"modified since", f.Path, map[string]string{"If-Modified-Since": earlier}, http.StatusOK},
		{"unknown feed", "/feeds/9999.xml", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusOK && (!bytes.Equal(rec.Body.Bytes(), f.Body) || rec.Header().Get("ETag") != f.ETag) {
				t.Fatal("200 without the feed's body or ETag")
			}
		})
	}
	if full, notMod, miss := s.Counts(); full != 4 || notMod != 3 || miss != 1 {
		t.Errorf("counts %d, %d, %d; want 4, 3, 1", full, notMod, miss)
	}
}
