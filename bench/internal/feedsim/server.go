package feedsim

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Server serves a pre-rendered corpus: no work per request beyond a map
// look-up and one write, so it is never the bottleneck. It answers 304 to an
// If-None-Match carrying the feed's ETag (or, without one, to an
// If-Modified-Since not before its Last-Modified).
type Server struct {
	feeds map[string]*Feed
	full  atomic.Int64 // 200 answers
	not   atomic.Int64 // 304 answers
	miss  atomic.Int64 // 404 answers
}

// NewServer returns a Server for corpus.
func NewServer(corpus []Feed) *Server {
	s := &Server{feeds: make(map[string]*Feed, len(corpus))}
	for i := range corpus {
		s.feeds[corpus[i].Path] = &corpus[i]
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.feeds[r.URL.Path]
	if f == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.miss.Add(1)
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h["Etag"] = []string{f.ETag}
	h["Last-Modified"] = []string{f.Modified}
	h["Cache-Control"] = []string{"max-age=300"}
	if notModified(r, f) {
		s.not.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.full.Add(1)
	h["Content-Type"] = []string{"application/rss+xml; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(f.Body))}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(f.Body)
	}
}

// notModified reports whether r's validators match f.
func notModified(r *http.Request, f *Feed) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == f.ETag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		since, err := http.ParseTime(ims)
		mod, err2 := http.ParseTime(f.Modified)
		return err == nil && err2 == nil && !mod.After(since)
	}
	return false
}

// Counts returns how many 200, 304 and 404 answers were sent.
func (s *Server) Counts() (full, notMod, miss int64) {
	return s.full.Load(), s.not.Load(), s.miss.Load()
}

// Serve starts an HTTP server for s on 127.0.0.1 and returns its base URL
// and a function that stops it.
func Serve(s *Server) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	stop = func() {
		_ = srv.Close()
		<-done
	}
	return "http://" + ln.Addr().String(), stop, nil
}
