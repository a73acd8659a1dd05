package fetch

import (
	"net/netip"
	"sync"
	"sync/atomic"
)

// The address guard cannot be exercised end to end on a machine where
// every server a test can start is on a loopback address: the first
// request would be refused before any redirect could go wrong. Tests that
// build their clients deep inside other packages (a daemon from a config)
// declare their own servers public here instead.

var (
	publicMu    sync.Mutex
	publicAddrs = map[netip.AddrPort]int{} // address → registrations
	publicCount atomic.Int64               // len(publicAddrs), read without the lock
)

// Cleaner is the part of testing.TB that TreatAsPublicForTest needs.
type Cleaner interface {
	Cleanup(func())
}

// TreatAsPublicForTest makes every Client treat the listed addresses, each
// an exact IP and port such as a test server's, as public until tb's test
// ends: the guard lets them through even when private networks are not
// allowed, while every other non-public address, other ports of the same
// IP included, stays refused. It is for tests only; the guard of a program
// that never calls it is unchanged.
func TreatAsPublicForTest(tb Cleaner, addrs ...netip.AddrPort) {
	publicMu.Lock()
	defer publicMu.Unlock()
	for _, a := range addrs {
		a = netip.AddrPortFrom(a.Addr().WithZone("").Unmap(), a.Port())
		publicAddrs[a]++
		tb.Cleanup(func() {
			publicMu.Lock()
			defer publicMu.Unlock()
			if publicAddrs[a]--; publicAddrs[a] <= 0 {
				delete(publicAddrs, a)
			}
			publicCount.Store(int64(len(publicAddrs)))
		})
	}
	publicCount.Store(int64(len(publicAddrs)))
}

// publicForTest reports whether a test declared ap public.
func publicForTest(ap netip.AddrPort) bool {
	if publicCount.Load() == 0 {
		return false
	}
	ap = netip.AddrPortFrom(ap.Addr().WithZone("").Unmap(), ap.Port())
	publicMu.Lock()
	defer publicMu.Unlock()
	return publicAddrs[ap] > 0
}
