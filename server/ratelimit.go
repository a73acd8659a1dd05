package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of RateLimit.
const (
	defaultRate  = 10
	defaultBurst = 40
	// Clients idle this long are forgotten (their bucket is full again
	// long before), checked at most once a sweepEvery.
	idleClient = 10 * time.Minute
	sweepEvery = time.Minute
)

// limiter is a token bucket per client IP.
type limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(c RateLimit, now func() time.Time) *limiter {
	l := &limiter{rate: rate.Limit(c.Rate), burst: c.Burst, now: now, clients: map[string]*client{}}
	if c.Rate <= 0 {
		l.rate = defaultRate
	}
	if c.Burst <= 0 {
		l.burst = defaultBurst
	}
	return l
}

// take spends one token of ip's bucket; when there is none it returns
// false and how long until there is.
func (l *limiter) take(ip string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		for k, c := range l.clients {
			if now.Sub(c.seen) >= idleClient {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	c := l.clients[ip]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// allow applies the rate limit to r's client; when over it, it answers 429
// with Retry-After (seconds) and reports false.
func (s *server) allow(w http.ResponseWriter, r *http.Request, page bool) bool {
	if s.limiter == nil {
		return true
	}
	ok, wait := s.limiter.take(clientIP(r))
	if ok {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	msg := "too many requests; retry in " + strconv.Itoa(max(secs, 1)) + " s"
	if page {
		s.renderError(w, r, http.StatusTooManyRequests, "Too many requests", msg)
		return false
	}
	writeError(w, http.StatusTooManyRequests, codeRateLimited, msg)
	return false
}

// clientIP is the remote address without its port; IPv6 clients are
// grouped by /64, the smallest block a host usually gets. Headers such as
// X-Forwarded-For are not trusted: behind a proxy every client shares the
// proxy's bucket, so give the proxy its own limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}
