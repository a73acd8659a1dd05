// Package fetch is the one HTTP client of frontierwatch: every feed poll,
// full-text fetch and (through Transport) every crawl goes through it.
//
// It sends a versioned User-Agent, makes conditional GETs (ETag,
// Last-Modified), bounds every phase of a request with a timeout, caps the
// decompressed body, caps redirects, reports non-2xx answers as *StatusError
// with the server's Retry-After, refuses a 101 Switching Protocols that no
// request asked for (its raw connection would escape every timeout), and
// refuses at dial time to connect to loopback, private, link-local and
// other non-public addresses unless Options.AllowPrivate is set. The check runs on the IP actually dialled,
// after DNS resolution, so redirects and DNS rebinding cannot get around it.
//
// Errors never contain URL userinfo (user:password@) or header values.
package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// Defaults for the zero fields of Options.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultHeaderTimeout  = 20 * time.Second
	DefaultMaxBody        = 10 << 20 // 10 MiB
	DefaultMaxRedirects   = 5
)

// Options configures a Client. The zero value of every field means its default.
type Options struct {
	// UserAgent defaults to DefaultUserAgent().
	UserAgent string
	// Timeout bounds a whole Get: connecting, redirects, headers and the
	// body read. Default 30s.
	Timeout time.Duration
	// ConnectTimeout bounds a TCP connect. Default 10s.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers after the request
	// is written, and separately the TLS handshake. Default 20s.
	HeaderTimeout time.Duration
	// MaxBody is the largest body, after decompression, that Get accepts.
	// Default 10 MiB.
	MaxBody int64
	// MaxRedirects is how many redirects a request may follow. Default 5;
	// a negative value follows none.
	MaxRedirects int
	// AllowPrivate allows connections to loopback, private, link-local and
	// other non-public addresses (config http.allow_private_networks).
	AllowPrivate bool
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// DefaultUserAgent is the User-Agent sent when Options.UserAgent is empty:
// "frontierwatch/<version> (+<project URL>)".
func DefaultUserAgent() string {
	return "frontierwatch/" + frontierwatch.Version + " (+" + frontierwatch.ProjectURL + ")"
}

// Client fetches URLs over one shared, guarded Transport. It is safe for
// concurrent use; make one per process and share it.
type Client struct {
	// Now is the clock used to turn an HTTP-date Retry-After into a delay.
	// New sets it to time.Now; tests may replace it before first use.
	Now func() time.Time

	opts      Options
	transport *http.Transport
	client    *http.Client // shared, for HTTPClient(); has Timeout set
	get       *http.Client // same Transport and redirect policy, no Timeout: Get bounds itself with its context

	// blocked says whether an address may not be dialled; it is
	// blockedAddr, and tests replace it to pretend one loopback address is
	// public.
	blocked func(netip.Addr) bool
}

// New returns a Client with opts, zero fields set to their defaults.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.HeaderTimeout <= 0 {
		opts.HeaderTimeout = DefaultHeaderTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	} else if opts.MaxRedirects < 0 {
		opts.MaxRedirects = 0
	}

	c := &Client{Now: time.Now, opts: opts, blocked: blockedAddr}
	dialer := &net.Dialer{
		Timeout:        opts.ConnectTimeout,
		KeepAlive:      30 * time.Second,
		Resolver:       opts.Resolver,
		ControlContext: c.control,
	}
	c.transport = &http.Transport{
		// No proxy: a proxy would be dialled instead of the real
		// destination and so defeat the address guard.
		Proxy:                  nil,
		DialContext:            c.dialContext(dialer),
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    opts.HeaderTimeout,
		ResponseHeaderTimeout:  opts.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	c.client = &http.Client{
		Transport:     noSwitch{c.transport},
		CheckRedirect: c.checkRedirect,
		Timeout:       opts.Timeout,
	}
	c.get = &http.Client{
		Transport:     noSwitch{c.transport},
		CheckRedirect: c.checkRedirect,
	}
	return c
}

// Transport returns the shared guarded Transport, for other HTTP users such
// as the colly crawler. The address guard, connect, TLS and header timeouts
// and connection pool come with it; the User-Agent, body cap and redirect
// cap do not (they belong to the caller's client).
func (c *Client) Transport() http.RoundTripper { return noSwitch{c.transport} }

// noSwitch is the Transport as the client's users get it: it refuses a 101
// Switching Protocols answer to a request that asked for no protocol
// switch. net/http hands such a response over with the raw connection as
// its body, which no timeout or context reaches: reading or draining it
// would wait for as long as the server holds the connection open.
type noSwitch struct{ t *http.Transport }

func (n noSwitch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := n.t.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols && req.Header.Get("Upgrade") == "" {
		resp.Body.Close() // closes the connection
		return nil, errUnaskedSwitch
	}
	return resp, err
}

// errUnaskedSwitch is a 101 answer to a plain request.
var errUnaskedSwitch = errors.New("server answered 101 Switching Protocols to a request that asked for no protocol switch")

// HTTPClient returns the shared *http.Client: the guarded Transport, the
// redirect policy (at most Options.MaxRedirects, http and https only) and
// Options.Timeout. It does not set the User-Agent or cap bodies; prefer Get.
func (c *Client) HTTPClient() *http.Client { return c.client }

// UserAgent returns the User-Agent the client sends, for other HTTP users
// of Transport.
func (c *Client) UserAgent() string { return c.opts.UserAgent }

// CloseIdleConnections closes the Transport's idle connections; call it at
// shutdown.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }
