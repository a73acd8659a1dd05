package alerts

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/frontierwatch/frontierwatch/fetch"
)

// Error is a failed delivery. Its message names the channel and what went
// wrong, never a URL, secret, password or header value.
type Error struct {
	Channel string // the channel's name
	// Retry says whether trying again later may succeed.
	Retry bool
	// RetryAfter is the server's Retry-After, 0 when it sent none.
	RetryAfter time.Duration
	// Status is the HTTP status or SMTP reply code, 0 when there was none.
	Status int

	msg string
	err error // the cause, for errors.Is (context.DeadlineExceeded, syscall.ECONNREFUSED…)
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// RetryAfter returns the delay the receiver asked for (HTTP Retry-After on
// a 429 or 5xx), if err is or wraps an *Error that carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// Retryable reports whether err is or wraps an *Error worth retrying.
func Retryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retry
}

// result turns err into Notify's return values.
func result(err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	return Retryable(err), err
}

// redactor removes known secrets from text.
type redactor struct{ secrets []string }

// add registers secret values; short ones (under 4 bytes) would mask too
// much ordinary text and are skipped.
func (r *redactor) add(vals ...string) {
	for _, v := range vals {
		if len(v) >= 4 && !slices.Contains(r.secrets, v) {
			r.secrets = append(r.secrets, v)
		}
	}
	// Longest first, so that a URL is masked whole before its path.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// addURL registers a URL and the parts of it that identify it: the whole,
// the path, the query, the userinfo and every long path segment.
func (r *redactor) addURL(raw string) {
	r.add(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	r.add(u.String(), u.RawQuery, u.Fragment)
	if u.Path != "/" {
		r.add(u.Path, u.EscapedPath())
	}
	if u.User != nil {
		r.add(u.User.String(), u.User.Username())
		if p, ok := u.User.Password(); ok {
			r.add(p)
		}
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if len(seg) >= 6 {
			r.add(seg)
		}
	}
}

// addSMTPLogin registers an SMTP password and the forms in which an AUTH
// exchange carries it: base64 alone (LOGIN) and base64 of
// "[user]\x00user\x00password" (PLAIN). A server that repeats the
// exchange in its error reply then gets none of them into an error.
func (r *redactor) addSMTPLogin(user, password string) {
	if password == "" {
		return
	}
	b64 := base64.StdEncoding.EncodeToString
	r.add(password, b64([]byte(password)), b64([]byte("\x00"+user+"\x00"+password)),
		b64([]byte(user+"\x00"+user+"\x00"+password)))
}

// clean returns s with every secret replaced by "***", on one line, at
// most 300 bytes.
func (r *redactor) clean(s string) string {
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, "***")
	}
	s = strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return ' '
		}
		return c
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

// errorf makes an *Error for channel name, its message cleaned by r.
func (r *redactor) errorf(name string, retry bool, cause error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Channel: name, Retry: retry, msg: r.clean(fmt.Sprintf("alerts: channel %q: %s", name, msg)), err: cause}
}

// transportRetry says whether a network-level failure (no answer from the
// receiver) may pass: timeouts, refused and reset connections, DNS
// failures and EOFs do; certificate errors, a blocked address and a bad
// URL do not. A cancelled context is retryable: the daemon is stopping
// and the delivery should run again after the restart.
func transportRetry(err error) bool {
	if needsConfig(err) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	return errors.As(err, &netErr) || errors.As(err, &dnsErr) || errors.As(err, &opErr)
}

// needsConfig reports whether a transport failure stays until the
// channel's configuration changes: a blocked address, a bad URL, a
// certificate that does not verify, TLS spoken to a server without it.
func needsConfig(err error) bool {
	if errors.Is(err, fetch.ErrBlockedAddress) || errors.Is(err, fetch.ErrBadURL) || fetch.CertificateError(err) {
		return true
	}
	var recErr tls.RecordHeaderError
	return errors.As(err, &recErr)
}

// httpTransportRetry says whether a webhook POST that got no usable answer
// may pass later: every failure but those that need the configuration
// changed. A receiver that answers garbage (a malformed status line, a
// header flood, a 1xx it should not send) is broken now, but often only
// while it restarts or a proxy in front of it does: its deliveries wait
// for the next attempt rather than being dropped, within the channel's
// bounded attempts.
func httpTransportRetry(err error) bool { return !needsConfig(err) }

// describeTransport says what happened without the URL: "timed out after
// 10s", "connection refused", or the cause's own (URL-free) text.
func describeTransport(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer within %s (timeout)", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
