package daemon

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/fetch"
)

func TestPollStoresThenNotModified(t *testing.T) {
	fs := newFeedServer()
	fs.items["a"], fs.items["b"] = 5, 3
	srv := httptest.NewServer(fs)
	defer srv.Close()
	d := newDaemon(t, testConfig(t, sourcesYAML(srv.URL, []string{"a", "b"}, "@every 1h")))
	ctx := context.Background()
	srcs, err := d.Sources(ctx)
	if err != nil || len(srcs) != 2 {
		t.Fatalf("sources %v, %v", srcs, err)
	}
	sum, err := d.PollAll(ctx, srcs, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 8 || sum.Errors != 0 || sum.Sources != 2 {
		t.Fatalf("first cycle %+v", sum)
	}
	if n, _ := d.Store().CountArticles(ctx); n != 8 {
		t.Fatalf("%d articles stored, want 8", n)
	}
	srcs, _ = d.Sources(ctx)
	sum, err = d.PollAll(ctx, srcs, false, nil)
	if err != nil || sum.NotModified != 2 || sum.New != 0 {
		t.Fatalf("second cycle %+v, %v", sum, err)
	}
	// A changed feed gives only its new items.
	fs.mu.Lock()
	fs.items["a"] = 7
	fs.mu.Unlock()
	srcs, _ = d.Sources(ctx)
	sum, _ = d.PollAll(ctx, srcs, false, nil)
	if sum.New != 2 || sum.NotModified != 1 {
		t.Fatalf("third cycle %+v", sum)
	}
	hits, err := d.Store().Search(ctx, archiveQuery("hours"))
	if err != nil || len(hits) == 0 {
		t.Fatalf("search: %d hits, %v", len(hits), err)
	}
	if strings.Contains(hits[0].URL, "utm_source") {
		t.Errorf("stored URL not canonical: %s", hits[0].URL)
	}
}

func TestBackoffGrowsAndResets(t *testing.T) {
	var fail bool = true
	var gets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		if fail {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Write(rss("x", 2))
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	d := newDaemon(t, testConfig(t, "sources:\n  - {name: x, url: "+srv.URL+"}\n"), WithClock(clock.Now))
	ctx := context.Background()
	poll := func(force bool) Report {
		t.Helper()
		src, err := d.Store().Source(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		r, err := d.PollSource(ctx, src, force)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	wantDelays := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute}
	for i, want := range wantDelays {
		r := poll(false)
		if r.Status != StatusError {
			t.Fatalf("poll %d: status %s", i, r.Status)
		}
		if got := r.Retry.Sub(clock.Now()); got != want {
			t.Errorf("failure %d: next attempt in %v, want %v", i+1, got, want)
		}
		// Before the backoff ends the source is not fetched.
		clock.Advance(want - time.Second)
		before := gets
		if r := poll(false); r.Status != StatusBackingOff || gets != before {
			t.Fatalf("polled during backoff: %s", r.Status)
		}
		clock.Advance(time.Second)
	}
	src, _ := d.Store().Source(ctx, "x")
	if src.State.Failures != 4 || !strings.Contains(src.State.LastError, "500") || src.State.LastErrorAt.IsZero() {
		t.Errorf("state after failures: %+v", src.State)
	}
	for range 20 { // many more failures: the delay stops at 24 h
		clock.Advance(25 * time.Hour)
		poll(false)
	}
	src, _ = d.Store().Source(ctx, "x")
	if got := src.State.NextAttemptAt.Sub(clock.Now()); got != 24*time.Hour {
		t.Errorf("delay after 24 failures %v, want the 24h cap", got)
	}
	fail = false
	clock.Advance(25 * time.Hour)
	if r := poll(false); r.Status != StatusOK || r.New != 2 {
		t.Fatalf("recovery poll: %+v", r)
	}
	src, _ = d.Store().Source(ctx, "x")
	if src.State.Failures != 0 || !src.State.NextAttemptAt.IsZero() {
		t.Errorf("success must reset the backoff: %+v", src.State)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, tt := range []struct {
		code  int
		value string
		want  time.Duration
	}{
		{http.StatusTooManyRequests, "3600", time.Hour},
		{http.StatusServiceUnavailable, "Mon, 01 Jun 2026 14:00:00 GMT", 2 * time.Hour},
		{http.StatusTooManyRequests, "60", 5 * time.Minute}, // shorter than the backoff: the backoff wins
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", tt.value)
			w.WriteHeader(tt.code)
		}))
		clock := &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
		d := newDaemon(t, testConfig(t, "sources:\n  - {name: x, url: "+srv.URL+"}\n"), WithClock(clock.Now))
		d.client.Now = clock.Now
		src, _ := d.Store().Source(context.Background(), "x")
		r, err := d.PollSource(context.Background(), src, false)
		srv.Close()
		if err != nil || r.Status != StatusError {
			t.Fatalf("%d: %+v, %v", tt.code, r, err)
		}
		if got := r.Retry.Sub(clock.Now()); got != tt.want {
			t.Errorf("%d Retry-After %q: next attempt in %v, want %v", tt.code, tt.value, got, tt.want)
		}
	}
}

func TestPermanentRedirectUpdatesURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { w.Write(rss("m", 1)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	d := newDaemon(t, testConfig(t, "sources: []\n"))
	ctx := context.Background()
	if _, err := d.Store().UpsertSource(ctx, frontierwatch.Source{Name: "m", Kind: frontierwatch.KindFeed, URL: srv.URL + "/old", Enabled: true, Origin: frontierwatch.OriginUser}); err != nil {
		t.Fatal(err)
	}
	src, _ := d.Store().Source(ctx, "m")
	if r, err := d.PollSource(ctx, src, false); err != nil || r.Status != StatusOK {
		t.Fatalf("%+v %v", r, err)
	}
	src, _ = d.Store().Source(ctx, "m")
	if src.URL != srv.URL+"/new" {
		t.Errorf("stored URL %q, want the new one", src.URL)
	}
}

// TestHostileFeeds polls good feeds beside hostile ones: each hostile one
// ends as an error recorded on its source, in bounded time, and the good
// ones are stored all the same.
func TestHostileFeeds(t *testing.T) {
	const maxBody = 1 << 20
	mux := http.NewServeMux()
	mux.HandleFunc("/good1", func(w http.ResponseWriter, r *http.Request) { w.Write(rss("good1", 3)) })
	mux.HandleFunc("/good2", func(w http.ResponseWriter, r *http.Request) { w.Write(rss("good2", 4)) })
	mux.HandleFunc("/overcap", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", maxBody+1)))
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(200)
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(200 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	bomb := gzipped(make([]byte, 64<<20))
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bomb)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><title>Blog</title><p>Subscribe!</p>"))
	})
	mux.HandleFunc("/badxml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</channel>`))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hostile := map[string]string{
		"overcap": "larger than 1 MiB", "drip": "", "loop": "redirect", "bomb": "larger than 1 MiB",
		"html": "text/html", "badxml": "not a feed", "empty": "empty",
	}
	var b strings.Builder
	b.WriteString("sources:\n  - {name: good1, url: " + srv.URL + "/good1}\n  - {name: good2, url: " + srv.URL + "/good2}\n")
	for name := range hostile {
		b.WriteString("  - {name: " + name + ", url: " + srv.URL + "/" + name + "}\n")
	}
	d := newDaemon(t, testConfig(t, b.String()))
	ctx := context.Background()
	srcs, _ := d.Sources(ctx)
	start := time.Now()
	sum, err := d.PollAll(ctx, srcs, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("cycle took %v: a hostile feed was not cut off by the 2 s timeout", el)
	}
	if sum.New != 7 || sum.Errors != len(hostile) {
		t.Errorf("summary %+v, want 7 new and %d errors", sum, len(hostile))
	}
	for name, want := range hostile {
		src, err := d.Store().Source(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if src.State.Failures != 1 || src.State.LastError == "" || !strings.Contains(src.State.LastError, want) {
			t.Errorf("%s: recorded %d failures, error %q (want it to say %q)", name, src.State.Failures, src.State.LastError, want)
		}
	}
}

func TestPrivateAddressesRefusedByDefault(t *testing.T) {
	fs := newFeedServer()
	fs.items["a"] = 1
	srv := httptest.NewServer(fs)
	defer srv.Close()
	cfg := testConfig(t, sourcesYAML(srv.URL, []string{"a"}, "@every 1h"))
	cfg.HTTP.AllowPrivateNetworks = false
	d := newDaemon(t, cfg)
	src, _ := d.Store().Source(context.Background(), "a")
	r, err := d.PollSource(context.Background(), src, false)
	if err != nil || r.Status != StatusError || !errors.Is(r.Err, fetch.ErrBlockedAddress) {
		t.Fatalf("report %+v, %v: want a blocked-address error", r, err)
	}
	if fs.total.Load() != 0 {
		t.Errorf("the server was reached %d times", fs.total.Load())
	}
}
