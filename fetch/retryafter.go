package fetch

import (
	"net/http"
	"strings"
	"time"
)

// MaxRetryAfter caps a server's Retry-After: a longer delay is read as this.
const MaxRetryAfter = 7 * 24 * time.Hour

// ParseRetryAfter turns a Retry-After header value into a delay from now.
// It accepts both forms of RFC 9110 section 10.2.3, delay-seconds ("120")
// and an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and the obsolete
// RFC 850 and asctime forms). It returns 0 for an empty, malformed or past
// value, and at most MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if isDigits(v) {
		const maxSecs = int64(MaxRetryAfter / time.Second)
		var secs int64
		for i := 0; i < len(v); i++ {
			secs = secs*10 + int64(v[i]-'0')
			if secs > maxSecs {
				return MaxRetryAfter
			}
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > MaxRetryAfter:
		return MaxRetryAfter
	}
	return d
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
