package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/crawler"
	"github.com/frontierwatch/frontierwatch/ingest"
)

// Site sources: a crawl with the crawler, each article page's main text
// extracted with the article package, stored through the ingest pipeline
// in batches (the crawler's Flush).

// siteMaxAttempts is how many failed fetches make a crawled URL failed
// for good.
const siteMaxAttempts = 3

// siteDefaultDelay is the per-host delay of site sources that set none.
const siteDefaultDelay = time.Second

// newCrawler builds the daemon's crawler over its fetch client.
func (d *Daemon) newCrawler() *crawler.Crawler {
	return crawler.New(d.client, crawler.Options{
		DefaultDelay: siteDefaultDelay,
		MaxBody:      int64(d.cfg.HTTP.MaxBody),
		MaxAttempts:  siteMaxAttempts,
		Logger:       d.log.With("component", "crawler"),
		Now:          d.now,
	})
}

// pollSite crawls a site source once and stores its new articles.
func (d *Daemon) pollSite(ctx context.Context, src frontierwatch.Source, r Report, start time.Time) (Report, error) {
	if src.Kind != frontierwatch.KindSite {
		r.Status = StatusUnsupported
		r.Err = fmt.Errorf("daemon: source %q: kind %q is not supported by this build", src.Name, src.Kind)
		return r, nil
	}
	h := &siteHandler{d: d, src: src}
	// One crawl per seed page (the source's url, then its seeds), sharing
	// the source's frontier and visited set and its max_pages budget.
	var res crawler.Result
	for i, seed := range append([]string{src.URL}, d.seeds[src.Name]...) {
		s := src
		s.URL = seed
		if src.MaxPages > 0 {
			if s.MaxPages = src.MaxPages - res.Requests; s.MaxPages <= 0 {
				break
			}
		}
		one, err := d.crawler.Crawl(ctx, s, siteFrontier{store: d.store, source: src.ID, now: d.now}, h)
		if ctx.Err() != nil {
			return r, ctx.Err() // interrupted: the frontier keeps what is left
		}
		if err != nil {
			return r, fmt.Errorf("daemon: crawl %q: %w", src.Name, err)
		}
		if one.Err != nil && i > 0 {
			// An extra seed failing does not fail the source.
			d.log.Warn("seed page failed", "source", src.Name, "error", one.Err.Error())
			one.Err = nil
		}
		res = addResults(res, one)
	}
	h.addTo(&r)
	r.Known += res.Archived
	log := d.log.With("source", src.Name)
	switch {
	case res.Err != nil:
		return d.recordFailure(ctx, src, r, start, res.Err)
	case h.batches == 0 && res.Articles == 0 && res.SeedsNotModified == res.Seeds:
		if err := d.store.RecordNotModified(ctx, src.ID, d.now()); err != nil {
			return r, err
		}
		r.Status = StatusNotModified
	default:
		if h.batches == 0 {
			// Nothing stored, but the crawl succeeded: say so on the source.
			out, err := d.pipe.Ingest(ctx, ingest.Batch{Source: src})
			if err != nil {
				return r, err
			}
			r.New += out.New
		}
		r.Status = StatusOK
	}
	r.Duration = d.now().Sub(start)
	log.Debug("crawled", "status", r.Status, "new", r.New, "known", r.Known, "requests", res.Requests,
		"articles", res.Articles, "failed", res.Failed, "disallowed", res.Disallowed, "discovered", res.Discovered,
		"sitemaps", res.Sitemaps, "pending", res.Pending, "duration", r.Duration)
	return r, nil
}

// siteHandler turns crawled pages into documents and ingests them a batch
// at a time.
type siteHandler struct {
	d   *Daemon
	src frontierwatch.Source

	mu      sync.Mutex
	docs    []frontierwatch.Document
	batches int
	out     ingest.Outcome // summed over the batches
}

// Handle extracts a page's main text and metadata; a page without main
// text is left out (and not fetched again).
func (h *siteHandler) Handle(_ context.Context, p *crawler.Page) error {
	pageURL := p.FinalURL
	if pageURL == "" {
		pageURL = p.URL
	}
	res, err := article.Extract(p.Body, article.Options{URL: pageURL, ContentType: p.ContentType})
	if err != nil {
		h.d.log.Debug("no main text", "source", h.src.Name, "url", pageURL, "error", err.Error())
		return nil
	}
	doc := frontierwatch.Document{
		Source:    h.src.Name,
		URL:       pageURL,
		Title:     p.Title, // a news sitemap's title first
		Author:    res.Author,
		Published: p.Published,
		Text:      res.Text,
		Language:  res.Language,
		Canonical: res.Canonical,
	}
	if doc.Title == "" {
		doc.Title = res.Title
	}
	if doc.Published.IsZero() {
		doc.Published = res.Published
	}
	h.mu.Lock()
	h.docs = append(h.docs, doc)
	h.mu.Unlock()
	return nil
}

// Flush stores the documents handled since the last Flush.
func (h *siteHandler) Flush(ctx context.Context) error {
	h.mu.Lock()
	docs := h.docs
	h.docs = nil
	h.mu.Unlock()
	if len(docs) == 0 {
		return nil
	}
	out, err := h.d.pipe.Ingest(ctx, ingest.Batch{Source: h.src, Documents: docs})
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.batches++
	h.out.New += out.New
	h.out.Known += out.Known
	h.out.Unmatched += out.Unmatched
	h.out.Duplicates += out.Duplicates
	h.out.Figures += out.Figures
	h.out.Milestones += out.Milestones
	h.mu.Unlock()
	return nil
}

func (h *siteHandler) addTo(r *Report) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.New += h.out.New
	r.Known += h.out.Known
	r.Unmatched += h.out.Unmatched
	r.Duplicates += h.out.Duplicates
	r.Figures += h.out.Figures
	r.Milestones += h.out.Milestones
}

// siteFrontier is a site source's crawl frontier in the archive.
type siteFrontier struct {
	store  *archive.Store
	source int64
	now    func() time.Time
}

func (f siteFrontier) Add(ctx context.Context, links []crawler.Link) ([]crawler.Link, error) {
	in := make([]archive.CrawlURL, len(links))
	for i, l := range links {
		in[i] = archive.CrawlURL{Key: l.Key, URL: l.URL, Depth: l.Depth, Title: l.Title, Published: l.Published}
	}
	added, err := f.store.AddCrawlURLs(ctx, f.source, in, f.now())
	return fromCrawlURLs(added), err
}

func (f siteFrontier) Pending(ctx context.Context, limit int) ([]crawler.Link, error) {
	p, err := f.store.PendingCrawlURLs(ctx, f.source, limit)
	return fromCrawlURLs(p), err
}

func (f siteFrontier) Finish(ctx context.Context, outs []crawler.Outcome) error {
	rs := make([]archive.CrawlResult, len(outs))
	for i, o := range outs {
		rs[i] = archive.CrawlResult{Key: o.Key, Permanent: o.Permanent}
		if o.Err != nil {
			rs[i].Err = o.Err.Error()
		}
	}
	return f.store.FinishCrawlURLs(ctx, f.source, rs, siteMaxAttempts, f.now())
}

func (f siteFrontier) Archived(ctx context.Context, keys []string) (map[string]bool, error) {
	return f.store.KnownURLs(ctx, keys)
}

func (f siteFrontier) Validators(ctx context.Context, url string) (string, string, error) {
	return f.store.CrawlValidators(ctx, f.source, url)
}

func (f siteFrontier) SetValidators(ctx context.Context, url, etag, lastModified string) error {
	return f.store.SetCrawlValidators(ctx, f.source, url, etag, lastModified, f.now())
}

func fromCrawlURLs(us []archive.CrawlURL) []crawler.Link {
	out := make([]crawler.Link, len(us))
	for i, u := range us {
		out[i] = crawler.Link{Key: u.Key, URL: u.URL, Depth: u.Depth, Title: u.Title, Published: u.Published}
	}
	return out
}

// fullText runs the full-text stage on a feed's documents.
func (d *Daemon) fullText(ctx context.Context, src frontierwatch.Source, docs []frontierwatch.Document) []frontierwatch.Document {
	// The linked pages get one HTTP timeout in all: the items whose page
	// has not come by then keep their feed text, and the batch is stored
	// well inside the poll job's timeout. Without the budget, a feed whose
	// pages stall one after the other would lose its whole batch.
	fctx, cancel := context.WithTimeout(ctx, d.cfg.HTTP.Timeout.Std())
	defer cancel()
	out, st := d.full.Apply(fctx, src, docs)
	if fctx.Err() != nil && ctx.Err() == nil {
		d.log.Warn("full text: time budget spent; the other items keep their feed text",
			"source", src.Name, "budget", d.cfg.HTTP.Timeout.Std().String(), "fetched", st.Fetched, "failed", st.Failed)
	}
	if st.Fetched+st.Failed > 0 {
		d.log.Debug("full text", "source", src.Name, "fetched", st.Fetched, "failed", st.Failed, "known", st.Known)
	}
	return out
}

// addResults sums two crawl results; the first error stands.
func addResults(a, b crawler.Result) crawler.Result {
	a.Requests += b.Requests
	a.Seeds += b.Seeds
	a.SeedsNotModified += b.SeedsNotModified
	a.Listings += b.Listings
	a.Articles += b.Articles
	a.Archived += b.Archived
	a.Skipped += b.Skipped
	a.Disallowed += b.Disallowed
	a.Failed += b.Failed
	a.Discovered += b.Discovered
	a.Sitemaps += b.Sitemaps
	a.SitemapURLs += b.SitemapURLs
	a.Pending = b.Pending // what the last crawl left is what the source has left
	if a.Err == nil {
		a.Err = b.Err
	}
	return a
}
