package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var retryNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"1", time.Second},
		{"120", 2 * time.Minute},
		{" 120 ", 2 * time.Minute},
		{"0003", 3 * time.Second},
		{"604800", MaxRetryAfter},
		{"604801", MaxRetryAfter},
		{"99999999999999999999999999", MaxRetryAfter},
		{"-5", 0},
		{"+5", 0},
		{"1.5", 0},
		{"5s", 0},
		{"soon", 0},
		{"Sun, 01 Mar 2026 12:01:30 GMT", 90 * time.Second},  // RFC 1123
		{"Sunday, 01-Mar-26 12:01:30 GMT", 90 * time.Second}, // RFC 850
		{"Sun Mar  1 12:01:30 2026", 90 * time.Second},       // asctime
		{"Sun, 01 Mar 2026 11:59:00 GMT", 0},                 // past
		{"Sun, 01 Mar 2026 12:00:00 GMT", 0},                 // now
		{"Sun, 15 Mar 2026 12:00:00 GMT", MaxRetryAfter},     // two weeks
		{"Fri, 31 Dec 9999 23:59:59 GMT", MaxRetryAfter},     // far future
		{"Sun, 01 Mar 2026 12:01:30 +0000", 0},               // not an HTTP-date
		{"Sun, 01 Mar 2026 25:01:30 GMT", 0},                 // invalid hour
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.in, retryNow); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"", "0", "120", "604801", "99999999999999999999999", "-1", "1e3", " 7 ",
		"Sun, 01 Mar 2026 12:01:30 GMT", "Sunday, 01-Mar-26 12:01:30 GMT",
		"Sun Mar  1 12:01:30 2026", "Mon, 01 Jan 0001 00:00:00 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT", "\x00", "١٢٣",
	} {
		f.Add(s, retryNow.Unix())
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0).UTC()
		d := ParseRetryAfter(v, now)
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, MaxRetryAfter)
		}
		trimmed := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(trimmed, 10, 64); err == nil && isDigits(trimmed) {
			want := MaxRetryAfter
			if n <= int64(MaxRetryAfter/time.Second) {
				want = time.Duration(n) * time.Second
			}
			if d != want {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %v", v, d, want)
			}
		}
		if when, err := http.ParseTime(trimmed); err == nil && !isDigits(trimmed) {
			want := when.Sub(now)
			want = min(max(want, 0), MaxRetryAfter)
			if d != want {
				t.Fatalf("ParseRetryAfter(%q, %v) = %v, want %v", v, now, d, want)
			}
		}
	})
}
