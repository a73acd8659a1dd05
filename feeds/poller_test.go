package feeds

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/fetch"
)

func testClient(t *testing.T) *fetch.Client {
	t.Helper()
	return fetch.New(fetch.Options{AllowPrivate: true, Timeout: 2 * time.Second, MaxBody: 1 << 20})
}

func serveFile(t *testing.T, path, contentType string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPollFormats(t *testing.T) {
	tests := []struct {
		file, ctype string
		wantTitle   string
		want        []frontierwatch.Document
	}{
		{"testdata/rss2.xml", "application/rss+xml", "Frontier Lab News", []frontierwatch.Document{
			{URL: "https://lab.example/news/twelve-hours?utm_source=rss&utm_medium=feed", GUID: "lab-news-101", Title: "Models now handle 12-hour tasks",
				Author: "Ada Researcher", Published: time.Date(2026, 6, 2, 9, 30, 0, 0, time.UTC)},
			{URL: "https://lab.example/news/eighty-percent", Title: "Over 80% of our code is written by the model",
				Published: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)},
		}},
		{"testdata/atom.xml", "application/atom+xml", "Evaluations Blog", []frontierwatch.Document{
			{URL: "https://evals.example/blog/doubling", GUID: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", Title: "Time horizons double every seven months",
				Author: "Eval Team", Published: time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)},
		}},
		{"testdata/rss1.rdf", "application/rdf+xml", "cs.AI updates", []frontierwatch.Document{
			{URL: "https://arxiv.example/abs/2606.00001", Title: "Measuring AI Ability to Complete Long Tasks",
				Author: "A. Author, B. Author", Published: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		}},
		{"testdata/jsonfeed.json", "application/feed+json", "AI Newsletter", []frontierwatch.Document{
			{URL: "https://newsletter.example/issue-42", GUID: "https://newsletter.example/issue-42", Title: "Issue 42: a 52x speed-up",
				Author: "Newsletter Author", Published: time.Date(2026, 6, 3, 7, 0, 0, 0, time.UTC)},
		}},
		{"testdata/rss091.xml", "text/xml", "Old School AI News", []frontierwatch.Document{
			{URL: "http://old.example/agents-four-hours.html", Title: "Agents run for four hours"},
		}},
	}
	p := NewPoller(testClient(t))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			srv := serveFile(t, tt.file, tt.ctype)
			res, err := p.Poll(context.Background(), frontierwatch.Source{Name: "s", URL: srv.URL + "/feed"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Title != tt.wantTitle {
				t.Errorf("title %q, want %q", res.Title, tt.wantTitle)
			}
			if len(res.Documents) != len(tt.want) {
				t.Fatalf("%d documents, want %d", len(res.Documents), len(tt.want))
			}
			for i, w := range tt.want {
				g := res.Documents[i]
				if g.Source != "s" || g.URL != w.URL || g.GUID != w.GUID || g.Title != w.Title || g.Author != w.Author || !g.Published.Equal(w.Published) {
					t.Errorf("document %d:\n got %+v\nwant %+v", i, g, w)
				}
				if g.HTML == "" && g.Summary == "" {
					t.Errorf("document %d has no text", i)
				}
			}
		})
	}
}

func TestParseLatin1(t *testing.T) {
	body := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title><link>http://x.example/</link>" +
		"<item><title>R\xe9sum\xe9</title><link>http://x.example/a</link></item></channel></rss>")
	f, err := Parse(body, "text/xml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Café" || f.Items[0].Title != "Résumé" {
		t.Errorf("decoded %q / %q", f.Title, f.Items[0].Title)
	}
}

func TestParseInvalidUTF8Recovers(t *testing.T) {
	body := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title>" +
		"<item><title>bad \xff byte</title><link>http://x.example/a</link></item></channel></rss>")
	f, err := Parse(body, "application/rss+xml")
	if err != nil {
		t.Fatalf("a stray byte lost the feed: %v", err)
	}
	if got := f.Items[0].Title; got != "bad \uFFFD byte" {
		t.Errorf("title %q", got)
	}
}

func TestConditionalGet(t *testing.T) {
	body, _ := os.ReadFile("testdata/rss2.xml")
	var gets, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Tue, 02 Jun 2026 09:30:00 GMT" {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 02 Jun 2026 09:30:00 GMT")
		w.Write(body)
	}))
	defer srv.Close()
	p := NewPoller(testClient(t))
	src := frontierwatch.Source{Name: "s", URL: srv.URL}
	res, err := p.Poll(context.Background(), src)
	if err != nil || res.NotModified || res.ETag != `"v1"` || res.LastModified == "" {
		t.Fatalf("first poll: %+v, %v", res, err)
	}
	src.State.ETag, src.State.LastModified = res.ETag, res.LastModified
	res, err = p.Poll(context.Background(), src)
	if err != nil || !res.NotModified || len(res.Documents) != 0 {
		t.Fatalf("second poll: %+v, %v", res, err)
	}
	if res.ETag != `"v1"` {
		t.Errorf("a 304 without validators must keep the old ones, got %q", res.ETag)
	}
	if gets.Load() != 2 || notModified.Load() != 1 {
		t.Errorf("server saw %d gets, %d answered 304", gets.Load(), notModified.Load())
	}
}

func TestPermanentRedirect(t *testing.T) {
	body, _ := os.ReadFile("testdata/atom.xml")
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p := NewPoller(testClient(t))
	res, err := p.Poll(context.Background(), frontierwatch.Source{Name: "s", URL: srv.URL + "/old"})
	if err != nil {
		t.Fatal(err)
	}
	if res.PermanentURL != srv.URL+"/new" {
		t.Errorf("permanent URL %q", res.PermanentURL)
	}
	res, err = p.Poll(context.Background(), frontierwatch.Source{Name: "s", URL: srv.URL + "/temp"})
	if err != nil {
		t.Fatal(err)
	}
	if res.PermanentURL != "" {
		t.Errorf("a 302 must not move the feed, got %q", res.PermanentURL)
	}
}

func TestPollBadFeeds(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		want              error
		msg               string
	}{
		{"html page", "text/html; charset=utf-8", "<!doctype html><html><body><h1>Not a feed</h1></body></html>", ErrNotFeed, "text/html"},
		{"malformed xml", "application/rss+xml", "<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a</item></channel>", ErrNotFeed, ""},
		{"empty body", "application/rss+xml", "", ErrNotFeed, "empty"},
		{"empty feed", "application/rss+xml", "<rss version='2.0'><channel><title>x</title></channel></rss>", ErrEmptyFeed, ""},
		{"items without links", "application/rss+xml", "<rss version='2.0'><channel><title>x</title><item><title>a</title></item></channel></rss>", ErrEmptyFeed, ""},
		{"json not a feed", "application/json", `{"hello": [1,2,3]}`, ErrEmptyFeed, ""},
		{"truncated json", "application/feed+json", `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"`, ErrNotFeed, ""},
		{"billion laughs", "application/rss+xml", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title></item></channel></rss>`, nil, ""},
	}
	p := NewPoller(testClient(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := p.Poll(context.Background(), frontierwatch.Source{Name: "s", URL: srv.URL})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q should name the feed and say %q", err, tt.msg)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Base: 5 * time.Minute, Max: 24 * time.Hour}
	want := []time.Duration{0, 5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute}
	for n, w := range want {
		if got := b.Delay(n); got != w {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w)
		}
	}
	if got := b.Delay(12); got != 24*time.Hour {
		t.Errorf("Delay(12) = %v, want the 24h cap", got)
	}
	if got := b.Delay(1000); got != 24*time.Hour {
		t.Errorf("Delay(1000) = %v, want the cap (no overflow)", got)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := b.NextAttempt(now, 1, time.Hour); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("a longer Retry-After must win: %v", got)
	}
	if got := b.NextAttempt(now, 3, time.Minute); !got.Equal(now.Add(20 * time.Minute)) {
		t.Errorf("a shorter Retry-After must not shorten the backoff: %v", got)
	}
	if got := b.NextAttempt(now, 1, 30*24*time.Hour); !got.Equal(now.Add(24 * time.Hour)) {
		t.Errorf("Retry-After is capped at Max: %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/rss2.xml", "testdata/atom.xml", "testdata/rss1.rdf", "testdata/jsonfeed.json", "testdata/rss091.xml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<rss><channel><item><link>/x</link></item></channel></rss>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := Parse(body, "application/xml")
		if err != nil {
			return
		}
		for _, d := range Documents("s", "https://base.example/feed", feed) {
			if !strings.HasPrefix(d.URL, "http://") && !strings.HasPrefix(d.URL, "https://") {
				t.Fatalf("document URL %q is not absolute http(s)", d.URL)
			}
		}
	})
}
