package crashtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"
)

// claim is what an alert announces: a milestone as a reader of the
// webhook knows it.
type claim struct {
	Kind      string
	Metric    string
	Benchmark string
	Subject   string
	Value     float64
}

func (c claim) String() string {
	m := c.Metric
	if c.Benchmark != "" {
		m += "/" + c.Benchmark
	}
	return fmt.Sprintf("%s %s %g (%s)", c.Kind, m, c.Value, c.Subject)
}

// keyPattern is the form of a milestone alert's Idempotency-Key on the
// channel named hook.
var keyPattern = regexp.MustCompile(`^fw-m[0-9]+-hook$`)

// receiver is the webhook: it checks each request's signature, records it
// by Idempotency-Key, and misbehaves the way receivers do. The first
// request of some keys is answered 503 with Retry-After: 1; some requests
// stall up to 1.5 s before the answer; while hold is set every request
// stalls until its client goes away (a kill during delivery).
type receiver struct {
	secret []byte
	seed   uint64
	srv    *httptest.Server

	mu        sync.Mutex
	requests  map[string]int   // key → requests
	delivered map[string]int   // key → 2xx answers a client was still there for
	claims    map[string]claim // key → what it announced
	problems  []string         // bad signatures, bodies that disagree with their key
	hold      bool
	inFlight  int
	refused   int // 503 answers
	stalled   int
	dropped   int // requests whose client went away before the answer
}

func newReceiver(secret string, seed uint64) *receiver {
	r := &receiver{secret: []byte(secret), seed: seed, requests: map[string]int{}, delivered: map[string]int{}, claims: map[string]claim{}}
	r.srv = httptest.NewServer(r)
	return r
}

func (r *receiver) Close() { r.srv.Close() }

// roll is a number in [0, 100) drawn from the seed, the key and the
// request's number: the same run of answers for the same seed.
func (r *receiver) roll(key string, n int) int {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], r.seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	h.Write(b[:])
	h.Write([]byte(key))
	return int(h.Sum64() % 100)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	key := req.Header.Get("Idempotency-Key")
	r.mu.Lock()
	r.inFlight++
	r.requests[key]++
	n, hold := r.requests[key], r.hold
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}()
	if err != nil {
		return
	}
	mac := hmac.New(sha256.New, r.secret)
	mac.Write(body)
	if got, want := req.Header.Get("X-Frontierwatch-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(got), []byte(want)) {
		r.problem("bad signature %q on %s", got, key)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var a struct {
		ID      string  `json:"id"`
		Test    bool    `json:"test"`
		Kind    string  `json:"kind"`
		Metric  string  `json:"metric"`
		Subject string  `json:"subject"`
		Value   float64 `json:"value"`
		Figure  struct {
			Benchmark string `json:"benchmark"`
		} `json:"figure"`
	}
	// The key names the milestone (the checks map it to the archive's).
	if err := json.Unmarshal(body, &a); err != nil || a.ID != key || a.Test || !keyPattern.MatchString(key) {
		r.problem("alert %q: id %q, test %v, %v", key, a.ID, a.Test, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c := claim{Kind: a.Kind, Metric: a.Metric, Benchmark: a.Figure.Benchmark, Subject: a.Subject, Value: a.Value}
	r.mu.Lock()
	if prev, ok := r.claims[key]; ok && prev != c {
		r.problems = append(r.problems, fmt.Sprintf("key %s announced %v, then %v", key, prev, c))
	}
	r.claims[key] = c
	r.mu.Unlock()

	roll := r.roll(key, n)
	switch {
	case hold:
		r.count(&r.stalled)
		sleep(req, 10*time.Second)
	case n == 1 && roll < 20:
		r.count(&r.refused)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case roll < 45:
		r.count(&r.stalled)
		sleep(req, time.Duration(300+roll*25)*time.Millisecond)
	}
	if req.Context().Err() != nil {
		r.count(&r.dropped)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	r.mu.Lock()
	r.delivered[key]++
	r.mu.Unlock()
}

func (r *receiver) count(n *int) {
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

func (r *receiver) problem(format string, args ...any) {
	r.mu.Lock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

// setHold makes every request stall until its client goes (on) or
// answers normally again (off).
func (r *receiver) setHold(on bool) {
	r.mu.Lock()
	r.hold = on
	r.mu.Unlock()
}

// total is the number of requests so far.
func (r *receiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.requests {
		n += v
	}
	return n
}

// busy reports whether a delivery is in flight.
func (r *receiver) busy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inFlight > 0
}

// wasDelivered reports whether key got a 2xx answer.
func (r *receiver) wasDelivered(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered[key] > 0
}

// receiverStats is what the receiver saw, for checks and the log.
type receiverStats struct {
	requests  map[string]int
	delivered map[string]int
	claims    map[string]claim
	problems  []string
	refused   int
	stalled   int
	dropped   int
}

func (r *receiver) stats() receiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := receiverStats{requests: map[string]int{}, delivered: map[string]int{}, claims: map[string]claim{},
		problems: append([]string(nil), r.problems...), refused: r.refused, stalled: r.stalled, dropped: r.dropped}
	for k, v := range r.requests {
		s.requests[k] = v
	}
	for k, v := range r.delivered {
		s.delivered[k] = v
	}
	for k, v := range r.claims {
		s.claims[k] = v
	}
	return s
}
