package fetch

import (
	"context"
	"net"
	"net/netip"
	"syscall"
)

// The address guard runs in net.Dialer.ControlContext, that is on the IP
// the socket is about to connect to, after DNS resolution. Every connection
// the Transport makes goes through it: the first request, every redirect
// hop, and every re-resolution of a name (DNS rebinding).

// dialHostKey carries the host name being dialled from dialContext to
// control, so that a refusal can name it next to the IP.
type dialHostKey struct{}

// dialContext wraps d.DialContext to remember the dialled host in ctx.
func (c *Client) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			ctx = context.WithValue(ctx, dialHostKey{}, host)
		}
		return d.DialContext(ctx, network, addr)
	}
}

// control refuses to connect to a non-public address unless the client
// allows private networks.
func (c *Client) control(ctx context.Context, _, address string, _ syscall.RawConn) error {
	if c.opts.AllowPrivate {
		return nil
	}
	host, _ := ctx.Value(dialHostKey{}).(string)
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: what cannot be classified is not dialled.
		return &blockedError{host: host, ip: address}
	}
	if c.blocked(ap.Addr()) && !publicForTest(ap) {
		return &blockedError{host: host, ip: ap.Addr().String()}
	}
	return nil
}

// blockedError is the refusal to dial a non-public address.
type blockedError struct {
	host string // the name dialled, when known
	ip   string // the address refused
}

func (e *blockedError) Error() string {
	who := e.ip
	if e.host != "" && e.host != e.ip {
		who = e.host + " (" + e.ip + ")"
	}
	return "refusing to connect to " + who + ": private or local address (set http.allow_private_networks to allow)"
}

func (e *blockedError) Unwrap() error { return ErrBlockedAddress }

// blockedPrefixes are the ranges, beyond what netip.Addr's predicates
// cover, that are not public unicast destinations.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),      // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),       // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),    // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),     // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved, and 255.255.255.255 broadcast
	netip.MustParsePrefix("::/96"),              // IPv4-compatible (deprecated), ::, ::1
	netip.MustParsePrefix("100::/64"),           // discard-only
	netip.MustParsePrefix("2001:db8::/32"),      // documentation
	netip.MustParsePrefix("fec0::/10"),          // site-local (deprecated)
	netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use NAT64
	netip.MustParsePrefix("2001:2::/48"),        // benchmarking
	netip.MustParsePrefix("2001:10::/28"),       // ORCHID (deprecated)
	netip.MustParsePrefix("3fff::/20"),          // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),          // SRv6 SIDs
	netip.MustParsePrefix("2001:0000::/32"),     // Teredo: tunnels to an obfuscated IPv4
	netip.MustParsePrefix("ff00::/8"),           // multicast (also via IsMulticast)
	netip.MustParsePrefix("fc00::/7"),           // unique local (also via IsPrivate)
	netip.MustParsePrefix("fe80::/10"),          // link-local (also via IsLinkLocalUnicast)
	netip.MustParsePrefix("169.254.0.0/16"),     // link-local, cloud metadata
	netip.MustParsePrefix("127.0.0.0/8"),        // loopback
	netip.MustParsePrefix("10.0.0.0/8"),         // RFC 1918
	netip.MustParsePrefix("172.16.0.0/12"),      // RFC 1918
	netip.MustParsePrefix("192.168.0.0/16"),     // RFC 1918
	netip.MustParsePrefix("224.0.0.0/4"),        // multicast
	netip.MustParsePrefix("255.255.255.255/32"), // broadcast
}

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: IPv4 in the last 32 bits
	sixToFo = netip.MustParsePrefix("2002::/16")    // 6to4: IPv4 in bits 16..47
)

// blockedAddr reports whether ip is not a public unicast address: loopback,
// private (RFC 1918, fc00::/7), link-local, unspecified, multicast,
// broadcast, CGNAT, reserved and documentation ranges, and IPv6 forms that
// embed such an IPv4 address (IPv4-mapped, NAT64, 6to4).
func blockedAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("").Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return blockedAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFo.Contains(ip):
			return blockedAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return false
}
