package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Request is one GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators of the last response; when
	// set they are sent as If-None-Match and If-Modified-Since.
	ETag         string
	LastModified string
	// Accept is sent as the Accept header when set.
	Accept string
}

// Response is a successful GET: a 2xx with its body, or a 304.
type Response struct {
	StatusCode int
	URL        string // final URL, after redirects
	Header     http.Header
	Body       []byte // decompressed; empty for a 304
	// NotModified is true for a 304 answer to a conditional GET.
	NotModified bool
	// ETag and LastModified are the response's validators, to send back
	// next time. On a 304 that omits them, they are the request's.
	ETag         string
	LastModified string
	// PermanentURL is set when the request was redirected and every hop
	// was a 301 or 308: it is the final URL, which the caller should store
	// in place of the one it asked for. It is "" otherwise.
	PermanentURL string
	ContentType  string
}

// drainLimit is how much of an unwanted body (error page, 304) is read so
// that the connection can be reused.
const drainLimit = 64 << 10

// Get fetches r.URL. It returns a *Response for a 2xx (with the whole body)
// or a 304, a *StatusError for any other final status, and otherwise an
// error that wraps ErrBadURL, ErrBlockedAddress, ErrTooManyRedirects,
// ErrBodyTooLarge, context.DeadlineExceeded or a transport error. Use
// Retryable and RetryAfter to decide what to do next.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	display := redactURL(r.URL)
	u, err := url.Parse(r.URL)
	if err != nil {
		msg := "invalid URL"
		var ue *url.Error
		if errors.As(err, &ue) {
			msg += ": " + ue.Err.Error()
		}
		return nil, newError(display, msg, ErrBadURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, newError(display, fmt.Sprintf("unsupported URL scheme %q (want http or https)", u.Scheme), ErrBadURL)
	}
	if u.Host == "" {
		return nil, newError(display, "URL has no host", ErrBadURL)
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, newError(display, "invalid URL", ErrBadURL)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	resp, err := c.get.Do(req)
	if err != nil {
		if resp != nil { // CheckRedirect refused: the body is closed already
			resp.Body.Close()
		}
		return nil, c.requestError(parent, ctx, display, "", err)
	}
	defer resp.Body.Close()

	out := &Response{
		StatusCode:   resp.StatusCode,
		URL:          resp.Request.URL.String(),
		Header:       resp.Header,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		PermanentURL: permanentURL(resp),
		ContentType:  resp.Header.Get("Content-Type"),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
		return nil, &StatusError{
			Method:     http.MethodGet,
			URL:        display,
			Code:       resp.StatusCode,
			RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), c.Now()),
		}
	}

	limit := c.opts.MaxBody
	tooLarge := newError(display, "body larger than "+formatSize(limit), ErrBodyTooLarge)
	if resp.ContentLength > limit {
		return nil, tooLarge
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	// The Transport has already undone any gzip, so the cap counts
	// decompressed bytes and a gzip bomb stops at limit+1.
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1)); err != nil {
		return nil, c.requestError(parent, ctx, display, "read body: ", err)
	}
	if int64(buf.Len()) > limit {
		return nil, tooLarge
	}
	out.Body = buf.Bytes()
	return out, nil
}

// requestError turns an error of the request (or of its body read, with
// prefix "read body: ") into Get's error, free of userinfo and header values.
func (c *Client) requestError(parent, ctx context.Context, display, prefix string, err error) error {
	var be *blockedError
	if errors.As(err, &be) {
		return newError(display, be.Error(), be)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message repeats the URL, with the username
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "failed to parse Location header") {
		// net/http quotes the header value; say what happened without it.
		msg = "redirect with an invalid Location header"
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		msg = fmt.Sprintf("no complete response within %s (%s)", c.opts.Timeout, msg)
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
	}
	return newError(display, prefix+msg, err)
}

// checkRedirect is the redirect policy: at most MaxRedirects hops, no
// loops, http and https targets only.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return &cause{msg: fmt.Sprintf("stopped after %d redirects", c.opts.MaxRedirects), err: ErrTooManyRedirects}
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return &cause{msg: fmt.Sprintf("redirect to unsupported URL scheme %q", s), err: ErrBadURL}
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return &cause{msg: "redirect loop at " + redactParsed(req.URL), err: ErrTooManyRedirects}
		}
	}
	return nil
}

// permanentURL returns the final URL of resp when it was reached through
// one or more redirects that were all 301 or 308, and "" otherwise.
func permanentURL(resp *http.Response) string {
	hops := 0
	for r := resp.Request; r != nil && r.Response != nil; r = r.Response.Request {
		if code := r.Response.StatusCode; code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
			return ""
		}
		hops++
	}
	if hops == 0 {
		return ""
	}
	return resp.Request.URL.String()
}
