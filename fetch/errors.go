package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrBodyTooLarge: the (decompressed) body is larger than Options.MaxBody.
	ErrBodyTooLarge = errors.New("fetch: body too large")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects, or a loop.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrBlockedAddress: the destination resolved to a loopback, private,
	// link-local or otherwise non-public address and private networks are
	// not allowed.
	ErrBlockedAddress = errors.New("fetch: blocked address")
	// ErrBadURL: the URL (or a redirect target) is not an absolute http or
	// https URL.
	ErrBadURL = errors.New("fetch: bad URL")
)

// StatusError is a final response with a status other than 2xx or 304.
type StatusError struct {
	Method string // "GET"
	URL    string // the requested URL, without userinfo
	Code   int    // HTTP status code
	// RetryAfter is the server's Retry-After as a delay from the response
	// time (0 when absent or unparsable), capped at MaxRetryAfter.
	RetryAfter time.Duration
}

// Error says the method, the URL (without userinfo) and the status:
// "fetch: GET https://example.org/feed: 503 Service Unavailable".
func (e *StatusError) Error() string {
	text := http.StatusText(e.Code)
	if text == "" {
		text = "status"
	}
	return "fetch: " + e.Method + " " + e.URL + ": " + strconv.Itoa(e.Code) + " " + text
}

// Retryable reports whether the request may succeed if made again later:
// true for network errors, timeouts, 5xx, 429 and 408; false for nil, other
// status codes, bodies over the cap, blocked addresses, bad URLs, too many
// redirects, unknown hosts, TLS certificate errors and a cancelled context
// (the caller gave up; it knows why).
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrBlockedAddress) ||
		errors.Is(err, ErrBadURL) || errors.Is(err, ErrTooManyRedirects) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	if CertificateError(err) {
		return false
	}
	// Everything else Get returns is a transport failure: refused or reset
	// connections, EOFs, protocol errors, timeouts.
	return true
}

// RetryAfter returns the Retry-After delay carried by err, if err is (or
// wraps) a *StatusError whose response had one.
func RetryAfter(err error) (time.Duration, bool) {
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		return se.RetryAfter, true
	}
	return 0, false
}

// fetchError is what Get returns for everything but a *StatusError: a
// message already free of userinfo, and the cause for errors.Is/As.
type fetchError struct {
	msg string
	err error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.err }

// cause is an inner error with its own message and a sentinel to match,
// e.g. "stopped after 5 redirects" wrapping ErrTooManyRedirects.
type cause struct {
	msg string
	err error
}

func (e *cause) Error() string { return e.msg }
func (e *cause) Unwrap() error { return e.err }

// newError makes the error of a GET of the (already redacted) URL u:
// "fetch: GET u: msg", unwrapping to err.
func newError(u, msg string, err error) error {
	return &fetchError{msg: "fetch: GET " + u + ": " + redactText(msg), err: err}
}

// userinfoRE matches the userinfo of URLs inside free text.
var userinfoRE = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.\-]*:)?//[^/?#\s"'<>]*@`)

// redactURL returns raw without userinfo, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactText(raw)
	}
	return redactParsed(u)
}

// redactParsed returns u as a string without userinfo.
func redactParsed(u *url.URL) string {
	if u.User == nil {
		return redactText(u.String())
	}
	v := *u
	v.User = nil
	return redactText(v.String())
}

// redactText removes the userinfo of every URL in s.
func redactText(s string) string {
	return userinfoRE.ReplaceAllString(s, "$1//")
}

// formatSize says n bytes the way a config file would: "10 MiB", "512 KiB",
// "1000 bytes".
func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// CertificateError reports whether err is a TLS certificate that could not
// be verified (expired, unknown authority, wrong host name): a fault of the
// server's setup that retrying does not mend.
func CertificateError(err error) bool {
	var (
		certInvalid  x509.CertificateInvalidError
		unknownAuth  x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		certVerifErr *tls.CertificateVerificationError
	)
	return errors.As(err, &certInvalid) || errors.As(err, &unknownAuth) ||
		errors.As(err, &hostnameErr) || errors.As(err, &certVerifErr)
}
