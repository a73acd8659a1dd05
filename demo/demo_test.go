package demo

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemo runs the demo: it serves, alerts on milestones as articles
// appear, and stops cleanly when its context ends.
func TestDemo(t *testing.T) {
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Out: &out, Listen: "127.0.0.1:0", Every: 150 * time.Millisecond, Ready: func(u string) { urls <- u }})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("demo ended: %v\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("demo not ready\n%s", out.String())
	}
	resp, err := http.Get(url + "healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the daemon does not serve: %v %v", resp, err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "new record for task_horizon") {
		if time.Now().After(deadline) {
			t.Fatalf("no task-horizon record within a minute:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop")
	}
	if !strings.Contains(out.String(), "demo stopped") {
		t.Errorf("no orderly stop:\n%s", out.String())
	}
}

func TestSiteRevealsAndServes(t *testing.T) {
	s := NewSite(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 8000)
	s.RevealFirstOfEach()
	for _, name := range s.Sites() {
		rec := newRecorder()
		s.ServeHTTP(rec, httpRequest("http://127.0.0.1:8000/feeds/"+name+".xml", ""))
		if !strings.Contains(rec.String(), "<item>") {
			t.Errorf("feed %s has no item at start", name)
		}
	}
	first := s.visible()[0]
	rec := newRecorder()
	s.ServeHTTP(rec, httpRequest(s.URL(first), first.Site+".localhost:8000"))
	if !strings.Contains(rec.String(), first.Title) {
		t.Errorf("article page: %s", rec.String())
	}
	n := len(s.visible())
	for s.Reveal() {
	}
	if len(s.visible()) != len(articles) || n >= len(articles) {
		t.Errorf("revealed %d then %d of %d", n, len(s.visible()), len(articles))
	}
}
