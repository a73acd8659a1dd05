// Package crawler crawls one site with colly: from a seed page (fetched
// every run with a conditional GET) and the site's sitemaps (robots.txt
// Sitemap lines, /sitemap.xml, sitemap indexes, Google News sitemaps) to the
// article pages that the source's follow patterns name.
//
// It obeys robots.txt (Disallow rules and Crawl-delay), sends one request at
// a time per host by default with a delay and random jitter between them,
// skips responses that are not HTML, and shares the fetch client's guarded
// Transport, timeout, body cap and User-Agent. Article URLs go through a
// durable Frontier whose "add" is an atomic test-and-set: an article is
// fetched once, across runs and restarts, and a stopped crawl goes on where
// it stopped. Each run is bounded by the source's max_pages and max_depth,
// which, with URL canonicalisation (sorted queries, no session IDs) and a
// redirect cap with loop detection, keeps crawler traps finite.
//
// What a page says is not the crawler's business: it hands each fetched
// article page to a Handler.
package crawler

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/dedup"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// Link is an article URL in a site's frontier.
type Link struct {
	Key   string // canonical URL: the visited-set key
	URL   string // the URL to fetch
	Depth int    // links from the seed (sitemap entries count as 1)
	// Title and Published come from a (news) sitemap, when the URL was
	// found in one.
	Title     string
	Published time.Time
}

// Page is a fetched article page.
type Page struct {
	Link
	FinalURL   string // after redirects
	StatusCode int
	// ContentType is the response's, charset included. Body is as the
	// server sent it (decompressed, not decoded): article.Extract decodes
	// it by that charset, a byte-order mark or a <meta> tag.
	ContentType string
	Header      http.Header
	Body        []byte
	FetchedAt   time.Time
}

// Outcome is how fetching one frontier link ended.
type Outcome struct {
	Key string
	// Err is why the fetch failed; nil means the link is done.
	Err error
	// Permanent failures (robots.txt forbids the URL) are not tried again.
	Permanent bool
}

// Frontier is the durable crawl state of one site source. Implementations
// must be safe for concurrent use.
type Frontier interface {
	// Add records links as found and returns those that were not known
	// before: an atomic test-and-set per link, so that of several finders
	// (pages, runs, processes) exactly one gets each link.
	Add(ctx context.Context, links []Link) ([]Link, error)
	// Pending returns up to limit links found but not yet done.
	Pending(ctx context.Context, limit int) ([]Link, error)
	// Finish records outcomes: done, or one more failed attempt.
	Finish(ctx context.Context, outcomes []Outcome) error
	// Archived reports which of the keys (canonical URLs) the archive
	// already has: those are never fetched.
	Archived(ctx context.Context, keys []string) (map[string]bool, error)
	// Validators and SetValidators keep the ETag and Last-Modified of the
	// pages fetched every run (seeds, sitemaps).
	Validators(ctx context.Context, url string) (etag, lastModified string, err error)
	SetValidators(ctx context.Context, url, etag, lastModified string) error
}

// Handler receives the article pages of a crawl. The crawler calls it from
// one goroutine at a time.
type Handler interface {
	// Handle takes one fetched article page.
	Handle(ctx context.Context, p *Page) error
	// Flush stores what Handle took. The pages handed over before it are
	// marked done in the frontier only after Flush returns nil, so a crash
	// in between fetches them again instead of losing them.
	Flush(ctx context.Context) error
}

// Result counts what one crawl run did.
type Result struct {
	Requests         int // page requests (seeds, listing pages, articles): at most max_pages
	Seeds            int // seed pages requested
	SeedsNotModified int // seeds that answered 304
	Listings         int // non-article pages fetched for their links
	Articles         int // article pages handed to the Handler
	Archived         int // article URLs the archive already had: not fetched
	Skipped          int // article URLs that were not HTML, or said noindex
	Disallowed       int // URLs robots.txt forbids
	Failed           int // page fetches that failed (timeouts, 4xx/5xx, too large, redirect loops)
	Discovered       int // article URLs new to the frontier
	Sitemaps         int // sitemap files read
	SitemapURLs      int // article URLs listed in them
	Pending          int // article URLs left for later runs (budget spent or failed)
	// Err is set when the source failed: its seed could not be fetched
	// (or robots.txt forbids it). The run's other work still counts.
	Err error
}

// Options configures a Crawler. Zero fields get their defaults.
type Options struct {
	// DefaultDelay is the per-host delay of sources that set none. Zero
	// means no delay (the daemon sets 1s).
	DefaultDelay time.Duration
	// MaxBody is the body cap: the fetch client's (config http.max_body).
	// Default fetch.DefaultMaxBody. A larger body fails its request.
	MaxBody int64
	// MaxCrawlDelay caps a robots.txt Crawl-delay. Default 30s.
	MaxCrawlDelay time.Duration
	// Parallelism is the number of requests in flight per host. Default 1.
	Parallelism int
	// FlushEvery is how many handled pages make a Flush. Default 25.
	FlushEvery int
	// MaxAttempts is how many failed fetches make a link failed for good.
	// Default 3.
	MaxAttempts int
	// MaxSitemaps is how many sitemap files a run reads. Default 20.
	MaxSitemaps int
	// MaxSitemapURLs is how many article URLs a run takes from sitemaps.
	// Default 10000.
	MaxSitemapURLs int
	// MaxLinksPerPage is how many links of one page are looked at.
	// Default 1000.
	MaxLinksPerPage int
	// NoSitemaps turns sitemap discovery off.
	NoSitemaps bool
	Logger     *slog.Logger
	// Now is the clock of fetch times (tests).
	Now func() time.Time
}

// Crawler crawls site sources through one fetch client. It is safe for
// concurrent use; each Crawl is independent.
type Crawler struct {
	client *fetch.Client
	opts   Options
	canon  *dedup.Canonicalizer
}

// New returns a Crawler that fetches through client's Transport, with its
// timeout, body cap and User-Agent.
func New(client *fetch.Client, opts Options) *Crawler {
	if opts.MaxCrawlDelay <= 0 {
		opts.MaxCrawlDelay = 30 * time.Second
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 1
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 25
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
	}
	if opts.MaxSitemaps <= 0 {
		opts.MaxSitemaps = 20
	}
	if opts.MaxSitemapURLs <= 0 {
		opts.MaxSitemapURLs = 10000
	}
	if opts.MaxLinksPerPage <= 0 {
		opts.MaxLinksPerPage = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Crawler{client: client, opts: opts, canon: newCanonicalizer()}
}

// Key returns the visited-set key of an article URL: its canonical form,
// session IDs dropped. ok is false for a URL that cannot be crawled.
func (c *Crawler) Key(rawURL string) (key string, ok bool) {
	u, ok := resolve(nil, rawURL)
	if !ok {
		return "", false
	}
	k, err := c.canon.Canonical(u.String())
	return k, err == nil
}

// Crawl runs one crawl of the site source src: robots.txt, sitemaps, the
// seed, the pending links of earlier runs and the links it finds, within
// src's max_pages and max_depth. Article pages go to h; the frontier fr
// remembers what was found and fetched. A failure of the site is in
// Result.Err; the error result is for a failure of fr or h (the archive)
// or the end of ctx, and stops the run. When ctx has a deadline, the run
// stops taking requests while the request timeout and ten seconds are
// left, and ends cleanly: the rest waits in the frontier.
func (c *Crawler) Crawl(ctx context.Context, src frontierwatch.Source, fr Frontier, h Handler) (Result, error) {
	rl, err := newRules(src)
	if err != nil {
		return Result{Err: err}, nil
	}
	r := newRun(ctx, c, src, rl, fr, h)
	return r.crawl()
}
