package main

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// requestLog wraps the feed server and records when each feed was
// requested, so that a feed fetched twice can be named with its times.
type requestLog struct {
	next http.Handler
	mu   sync.Mutex
	at   map[string][]time.Time // path → request times since the last reset
}

func newRequestLog(next http.Handler) *requestLog {
	return &requestLog{next: next, at: map[string][]time.Time{}}
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.at[r.URL.Path] = append(l.at[r.URL.Path], time.Now())
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

// reset forgets the requests so far.
func (l *requestLog) reset() {
	l.mu.Lock()
	clear(l.at)
	l.mu.Unlock()
}

// repeated describes up to n feeds requested more than once since the
// last reset, with their request times (UTC), and how many there were.
func (l *requestLog) repeated(n int) (lines []string, count int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, path := range slices.Sorted(maps.Keys(l.at)) {
		times := l.at[path]
		if len(times) < 2 {
			continue
		}
		count++
		if len(lines) < n {
			var ts []string
			for _, t := range times {
				ts = append(ts, t.UTC().Format("15:04:05.000"))
			}
			lines = append(lines, fmt.Sprintf("%s requested %d times, at %s", path, len(times), strings.Join(ts, ", ")))
		}
	}
	return lines, count
}

// serve starts an HTTP server for h on 127.0.0.1 and returns its base URL
// and a function that stops it.
func serve(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close(); <-done }, nil
}
