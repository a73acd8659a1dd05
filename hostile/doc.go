// Package hostile holds no code, only tests: a suite of more than a hundred
// hostile server behaviours (huge and endless bodies, slow drips, stalled
// TLS handshakes, redirect loops and redirects into private addresses,
// compression bombs, broken and mixed encodings, deeply nested markup,
// entity expansion and external entities, wrong content types, truncated
// and malformed HTTP, 429 storms, hostile robots.txt and sitemaps, header
// and cookie floods) polled by a real daemon as feed, full-text and site
// sources, beside good sources in the same cycle.
//
// TestHostile runs one cycle over them all, as `frontierwatch poll` does:
// each hostile source must end within its time bound as the error recorded
// on it in the archive (or, when the answer is legitimately usable, as
// correctly stored articles), the heap must stay under a cap, every good
// source's articles must be archived, and a second cycle must find the
// failed sources backing off. TestHostileMemory polls the memory-hungry
// behaviours one at a time against per-poll caps; TestHostileWebhooks
// sends an alert to hostile webhook receivers.
//
// The daemon runs with private networks refused, as it does by default:
// the test servers on 127.0.0.1 are declared public to the fetch guard one
// address at a time (fetch.TreatAsPublicForTest), so that redirects to any
// other loopback, private or link-local address are refused as they would
// be in production.
//
//	go test -race ./hostile
//	go test ./hostile -run TestHostile -v -args -only='^robots-'
package hostile
