package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// kind says what a request is for.
type kind int

const (
	kindSeed    kind = iota // the source's seed: fetched every run, conditionally
	kindArticle             // a frontier link
	kindListing             // another page of the site, fetched for its links
	kindSitemap             // a sitemap file
)

// item is one request of a run, and what colly's callbacks saw of it.
type item struct {
	kind kind
	link Link
	hdr  http.Header

	status  int
	header  http.Header
	body    []byte
	final   string
	notHTML bool
	ctype   string // the Content-Type of a page that is not HTML
}

// hostQueue holds one host's waiting requests: seeds first, then articles,
// then listing pages.
type hostQueue struct {
	seeds, articles, listings []*item
	workers                   int
}

func (q *hostQueue) pop() *item {
	for _, l := range []*[]*item{&q.seeds, &q.articles, &q.listings} {
		if len(*l) > 0 {
			it := (*l)[0]
			(*l)[0] = nil
			*l = (*l)[1:]
			return it
		}
	}
	return nil
}

// run is one crawl of one source.
type run struct {
	ctx   context.Context
	c     *Crawler
	src   frontierwatch.Source
	rules *rules
	fr    Frontier
	h     Handler
	tr    *transport
	col   *colly.Collector
	log   *slog.Logger

	mu       sync.Mutex
	cond     *sync.Cond
	queues   map[string]*hostQueue
	queued   int
	inflight int
	budget   int // page requests left
	seen     map[string]bool
	wg       sync.WaitGroup
	res      Result
	fatal    error

	dropped  int         // requests dropped when the budget ran out
	seedVals http.Header // the seed's validators, saved when the run completes

	hmu     sync.Mutex // serialises the Handler
	handled []string   // keys handled since the last Flush
}

func newRun(ctx context.Context, c *Crawler, src frontierwatch.Source, rl *rules, fr Frontier, h Handler) *run {
	delay := src.Delay
	if delay <= 0 {
		delay = c.opts.DefaultDelay
	}
	maxBody := c.opts.MaxBody
	if maxBody <= 0 {
		maxBody = fetch.DefaultMaxBody
	}
	r := &run{
		ctx: ctx, c: c, src: src, rules: rl, fr: fr, h: h,
		tr: newTransport(c.client.Transport(), c.client.UserAgent(), c.client.HTTPClient().Timeout, maxBody,
			c.opts.Parallelism, delay, c.opts.MaxCrawlDelay),
		log:    c.opts.Logger.With("source", src.Name),
		queues: map[string]*hostQueue{},
		budget: rl.maxPages,
		seen:   map[string]bool{},
	}
	r.cond = sync.NewCond(&r.mu)
	col := colly.NewCollector(
		colly.UserAgent(c.client.UserAgent()),
		colly.StdlibContext(ctx),
		colly.AllowURLRevisit(), // the frontier is the visited set
		colly.MaxBodySize(0),    // the transport caps bodies, and says so
	)
	col.IgnoreRobotsTxt = false // colly v2 ignores robots.txt unless told
	col.WithTransport(r.tr)
	// The transport bounds each request (and each redirect hop) with the
	// client's timeout once the host's turn has come; a timeout here
	// would also count the wait for that turn.
	col.SetRequestTimeout(0)
	col.SetRedirectHandler(r.checkRedirect)
	col.OnResponseHeaders(r.onHeaders)
	col.OnResponse(r.onResponse)
	col.OnError(func(resp *colly.Response, _ error) {
		if it := itemOf(resp.Ctx); it != nil {
			it.status = resp.StatusCode
			if resp.Headers != nil {
				restoreContentType(*resp.Headers)
				it.header = *resp.Headers
			}
		}
	})
	r.col = col
	return r
}

func (r *run) crawl() (Result, error) {
	stop := context.AfterFunc(r.ctx, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer stop()

	seed := r.rules.seed
	robots := r.tr.robotsFor(r.ctx, seed.Scheme, seed.Host)
	if robots.err != nil {
		if r.ctx.Err() != nil {
			return r.res, r.ctx.Err()
		}
		r.res.Err = fmt.Errorf("crawler: %s: robots.txt: %w", redact(seed.String()), robots.err)
		return r.res, nil
	}
	if robots.status >= 500 {
		// Google's rule, which colly's robots.txt parser follows: a
		// robots.txt that fails with a server error forbids everything.
		r.res.Err = fmt.Errorf("crawler: %s: robots.txt answered %d: nothing may be fetched until it works", redact(seed.String()), robots.status)
		return r.res, nil
	}
	if !robots.group.Test(pathQuery(seed)) {
		r.res.Err = fmt.Errorf("crawler: %s: robots.txt forbids fetching the seed", redact(seed.String()))
		return r.res, nil
	}
	if d := r.tr.hostDelay(seed.Host); d > 0 {
		r.log.Debug("crawl delay", "host", seed.Host, "delay", d)
	}

	// The links earlier runs left pending are marked seen before anything
	// is fetched, so that finding them again does not hide them.
	if key, ok := r.c.Key(seed.String()); ok {
		r.markSeen(key)
	}
	pending, err := r.pendingLinks()
	if err != nil {
		return r.res, err
	}
	// The seed first, then the pending links; the sitemap reads overlap
	// their requests.
	r.res.Seeds++
	r.enqueue(&item{kind: kindSeed, link: Link{URL: seed.String()}, hdr: r.conditional(seed.String())})
	for _, l := range pending {
		r.enqueue(&item{kind: kindArticle, link: l, hdr: pageHeader()})
	}
	if !r.c.opts.NoSitemaps {
		r.readSitemaps(robots)
	}

	r.wg.Wait()
	if r.fatal != nil {
		return r.res, r.fatal
	}
	if err := r.ctx.Err(); err != nil {
		return r.res, err
	}
	r.hmu.Lock()
	err = r.flush()
	r.hmu.Unlock()
	if err != nil {
		return r.res, err
	}
	// The seed's validators are kept only when the run got through all it
	// found: else the next run must read the seed again to find its way
	// back to the pages this one had no budget left for (listing pages
	// are not kept between runs, articles are).
	seedURL := seed.String()
	switch {
	case r.dropped > 0:
		err = r.fr.SetValidators(r.ctx, seedURL, "", "")
	case r.seedVals != nil && (r.seedVals.Get("ETag") != "" || r.seedVals.Get("Last-Modified") != ""):
		err = r.fr.SetValidators(r.ctx, seedURL, r.seedVals.Get("ETag"), r.seedVals.Get("Last-Modified"))
	}
	return r.res, err
}

// pendingLinks returns the links earlier runs found but did not finish,
// marked seen, without (and finishing) those the archive has meanwhile.
func (r *run) pendingLinks() ([]Link, error) {
	links, err := r.fr.Pending(r.ctx, 2*r.rules.maxPages)
	if err != nil {
		return nil, err
	}
	var fresh []Link
	for _, l := range links {
		if r.markSeen(l.Key) {
			fresh = append(fresh, l)
		}
	}
	return r.notArchived(fresh)
}

// queueArticles queues links (already marked seen), after finishing those
// the archive already has.
func (r *run) queueArticles(links []Link) error {
	links, err := r.notArchived(links)
	if err != nil {
		return err
	}
	for _, l := range links {
		r.enqueue(&item{kind: kindArticle, link: l, hdr: pageHeader()})
	}
	return nil
}

// notArchived returns the links the archive does not have, and finishes
// the others as done.
func (r *run) notArchived(links []Link) ([]Link, error) {
	if len(links) == 0 {
		return nil, nil
	}
	keys := make([]string, len(links))
	for i, l := range links {
		keys[i] = l.Key
	}
	archived, err := r.fr.Archived(r.ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []Link
	var done []Outcome
	for _, l := range links {
		if archived[l.Key] {
			done = append(done, Outcome{Key: l.Key})
		} else {
			out = append(out, l)
		}
	}
	if len(done) > 0 {
		r.count(func(res *Result) { res.Archived += len(done) })
		if err := r.fr.Finish(r.ctx, done); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// timeLeft reports whether ctx's deadline (a job timeout) leaves time for
// one more request and the run's wrap-up: the request timeout plus ten
// seconds. Without a deadline there is always time.
func (r *run) timeLeft() bool {
	dl, ok := r.ctx.Deadline()
	if !ok {
		return true
	}
	return time.Until(dl) > r.c.client.HTTPClient().Timeout+10*time.Second
}

// stopped reports whether the run must stop: ctx done or a fatal error.
func (r *run) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ctx.Err() != nil || r.fatal != nil
}

// enqueue adds it to its host's queue and starts a worker for the host if
// it has fewer than Parallelism.
func (r *run) enqueue(it *item) {
	u, err := url.Parse(it.link.URL)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queues[u.Host]
	if q == nil {
		q = &hostQueue{}
		r.queues[u.Host] = q
	}
	switch it.kind {
	case kindSeed:
		q.seeds = append(q.seeds, it)
	case kindArticle:
		q.articles = append(q.articles, it)
	default:
		q.listings = append(q.listings, it)
	}
	r.queued++
	r.cond.Broadcast()
	if q.workers < r.c.opts.Parallelism {
		q.workers++
		r.wg.Add(1)
		go r.worker(q)
	}
}

func (r *run) worker(q *hostQueue) {
	defer r.wg.Done()
	for {
		it := r.next(q)
		if it == nil {
			return
		}
		r.process(it)
		r.mu.Lock()
		r.inflight--
		r.cond.Broadcast()
		r.mu.Unlock()
	}
}

// next returns the host's next request, or nil when the run is over: no
// request queued or in flight anywhere, the budget spent, ctx done or a
// fatal error. Requests left when the budget is spent are dropped; their
// articles stay pending in the frontier.
func (r *run) next(q *hostQueue) *item {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.ctx.Err() != nil || r.fatal != nil {
			q.workers--
			return nil
		}
		if it := q.pop(); it != nil {
			r.queued--
			if r.budget > 0 && !r.timeLeft() {
				r.budget = 0 // out of time: what is left waits for the next run
			}
			if r.budget <= 0 {
				if it.kind == kindArticle {
					r.res.Pending++
				}
				r.dropped++
				continue
			}
			r.budget--
			r.res.Requests++
			r.inflight++
			return it
		}
		if r.queued == 0 && r.inflight == 0 {
			q.workers--
			r.cond.Broadcast()
			return nil
		}
		r.cond.Wait()
	}
}

// fetchItem makes it's request through colly and returns colly's error.
func (r *run) fetchItem(it *item) error {
	cctx := colly.NewContext()
	cctx.Put("item", it)
	return r.col.Request(http.MethodGet, it.link.URL, nil, cctx, it.hdr)
}

func itemOf(c *colly.Context) *item {
	if c == nil {
		return nil
	}
	it, _ := c.GetAny("item").(*item)
	return it
}

func (r *run) onHeaders(resp *colly.Response) {
	it := itemOf(resp.Ctx)
	if it == nil {
		return
	}
	it.status = resp.StatusCode
	if it.kind != kindSitemap && resp.StatusCode >= 200 && resp.StatusCode < 300 && !isHTML(resp.Headers.Get("Content-Type")) {
		it.notHTML = true
		it.ctype = resp.Headers.Get("Content-Type")
		resp.Request.Abort()
	}
}

func (r *run) onResponse(resp *colly.Response) {
	it := itemOf(resp.Ctx)
	if it == nil {
		return
	}
	it.status = resp.StatusCode
	it.body = resp.Body
	if resp.Headers != nil {
		restoreContentType(*resp.Headers)
		it.header = *resp.Headers
	}
	it.final = resp.Request.URL.String()
}

// checkRedirect is the run's redirect policy: at most
// fetch.DefaultMaxRedirects hops, no loops, allowed domains only, and
// nothing robots.txt forbids.
func (r *run) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > fetch.DefaultMaxRedirects {
		return fmt.Errorf("crawler: stopped after %d redirects", fetch.DefaultMaxRedirects)
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return fmt.Errorf("crawler: redirect loop at %s", redact(next))
		}
	}
	if !r.rules.allowed(req.URL.Hostname()) {
		return fmt.Errorf("crawler: redirect to %s: not an allowed domain", req.URL.Hostname())
	}
	if !r.tr.allowedByRobots(req.URL.Scheme, req.URL.Host, pathQuery(req.URL)) {
		return colly.ErrRobotsTxtBlocked
	}
	return nil
}

// process makes one request and deals with its outcome.
func (r *run) process(it *item) {
	err := r.fetchItem(it)
	if r.ctx.Err() != nil {
		return // interrupted, not failed: the next run repeats it
	}
	switch {
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		r.count(func(res *Result) { res.Disallowed++ })
		if it.kind == kindArticle {
			r.finish(Outcome{Key: it.link.Key, Err: errors.New("robots.txt forbids it"), Permanent: true})
		}
		if it.kind == kindSeed {
			r.count(func(res *Result) {
				res.Err = fmt.Errorf("crawler: %s: robots.txt forbids fetching the seed", redact(it.link.URL))
			})
		}
		return
	case it.status == http.StatusNotModified && it.kind == kindSeed:
		r.count(func(res *Result) { res.SeedsNotModified++ })
		return
	case it.notHTML:
		switch it.kind {
		case kindArticle:
			r.count(func(res *Result) { res.Skipped++ })
			r.finish(Outcome{Key: it.link.Key})
		case kindSeed:
			// No links can come of it: the source is broken, and says so.
			mt, _, _ := mime.ParseMediaType(it.ctype)
			r.count(func(res *Result) {
				res.Err = fmt.Errorf("crawler: GET %s: the seed is not an HTML page but %s", redact(it.link.URL), mt)
			})
		}
		return
	case err != nil:
		ferr := r.fetchError(it, err)
		r.log.Debug("fetch failed", "url", redact(it.link.URL), "error", ferr.Error())
		r.count(func(res *Result) { res.Failed++ })
		switch it.kind {
		case kindSeed:
			r.count(func(res *Result) { res.Err = ferr })
		case kindArticle:
			r.finish(Outcome{Key: it.link.Key, Err: ferr})
		}
		return
	}
	scan := scanLinks(it.body, r.c.opts.MaxLinksPerPage)
	switch it.kind {
	case kindSeed:
		r.mu.Lock()
		r.seedVals = it.header
		r.mu.Unlock()
	case kindListing:
		r.count(func(res *Result) { res.Listings++ })
	case kindArticle:
		if scan.noindex {
			r.count(func(res *Result) { res.Skipped++ })
			r.finish(Outcome{Key: it.link.Key})
		} else if err := r.handle(it); err != nil {
			r.setFatal(err)
			return
		}
	}
	if err := r.follow(it, scan); err != nil {
		r.setFatal(err)
	}
}

// fetchError describes a failed request without userinfo. An error status
// unwraps to a *fetch.StatusError with the server's Retry-After, which the
// caller's backoff honours as it does a feed's.
func (r *run) fetchError(it *item, err error) error {
	if it.status >= 300 {
		u := redact(it.link.URL)
		se := &fetch.StatusError{Method: http.MethodGet, URL: u, Code: it.status,
			RetryAfter: fetch.ParseRetryAfter(it.header.Get("Retry-After"), r.c.opts.Now())}
		return &statusError{msg: fmt.Sprintf("crawler: GET %s: %d %s", u, it.status, http.StatusText(it.status)), se: se}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("crawler: GET %s: %w", redact(it.link.URL), err)
}

// handle gives an article page to the Handler, and flushes every
// FlushEvery pages.
func (r *run) handle(it *item) error {
	p := &Page{
		Link:        it.link,
		FinalURL:    it.final,
		StatusCode:  it.status,
		ContentType: it.header.Get("Content-Type"),
		Header:      it.header,
		Body:        it.body,
		FetchedAt:   r.c.opts.Now(),
	}
	r.hmu.Lock()
	defer r.hmu.Unlock()
	if err := r.h.Handle(r.ctx, p); err != nil {
		return err
	}
	r.handled = append(r.handled, it.link.Key)
	r.count(func(res *Result) { res.Articles++ })
	if len(r.handled) >= r.c.opts.FlushEvery {
		return r.flush()
	}
	return nil
}

// flush stores the handled pages and marks them done; r.hmu is held.
func (r *run) flush() error {
	if len(r.handled) == 0 {
		return nil
	}
	if err := r.h.Flush(r.ctx); err != nil {
		return err
	}
	outs := make([]Outcome, len(r.handled))
	for i, k := range r.handled {
		outs[i] = Outcome{Key: k}
	}
	if err := r.fr.Finish(r.ctx, outs); err != nil {
		return err
	}
	r.handled = r.handled[:0]
	return nil
}

// follow takes the links of a fetched page: article links go to the
// frontier (and, when new, to the queue), other links of the site are
// queued as listing pages while max_depth allows their links to be used.
func (r *run) follow(it *item, scan pageLinks) error {
	depth := it.link.Depth + 1
	if depth > r.rules.maxDepth || scan.nofollow {
		return nil
	}
	base, err := url.Parse(it.final)
	if err != nil {
		return nil
	}
	if scan.base != "" {
		if b, err := base.Parse(scan.base); err == nil {
			base = b
		}
	}
	var articles []Link
	for _, href := range scan.hrefs {
		u, ok := resolve(base, href)
		if !ok || !r.rules.allowed(u.Hostname()) {
			continue
		}
		s := u.String()
		key, err := r.c.canon.Canonical(s)
		if err != nil || !r.markSeen(key) {
			continue
		}
		switch {
		case r.rules.article(s):
			articles = append(articles, Link{Key: key, URL: s, Depth: depth})
		case depth < r.rules.maxDepth:
			r.enqueue(&item{kind: kindListing, link: Link{Key: key, URL: s, Depth: depth}, hdr: pageHeader()})
		}
	}
	return r.addArticles(articles)
}

// addArticles records links in the frontier and queues those that are new.
func (r *run) addArticles(links []Link) error {
	if len(links) == 0 {
		return nil
	}
	added, err := r.fr.Add(r.ctx, links)
	if err != nil {
		return err
	}
	r.count(func(res *Result) { res.Discovered += len(added) })
	return r.queueArticles(added)
}

// markSeen marks key as seen in this run; false if it was already.
func (r *run) markSeen(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[key] {
		return false
	}
	r.seen[key] = true
	return true
}

func (r *run) finish(o Outcome) {
	if err := r.fr.Finish(r.ctx, []Outcome{o}); err != nil {
		r.setFatal(err)
	}
}

func (r *run) count(f func(*Result)) {
	r.mu.Lock()
	f(&r.res)
	r.mu.Unlock()
}

func (r *run) setFatal(err error) {
	r.mu.Lock()
	if r.fatal == nil && r.ctx.Err() == nil {
		r.fatal = err
	}
	r.cond.Broadcast()
	r.mu.Unlock()
}

// conditional returns the request header of a page fetched every run, with
// its stored validators.
func (r *run) conditional(u string) http.Header {
	h := pageHeader()
	etag, lm, err := r.fr.Validators(r.ctx, u)
	if err != nil {
		r.log.Warn("read validators", "url", redact(u), "error", err.Error())
		return h
	}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	if lm != "" {
		h.Set("If-Modified-Since", lm)
	}
	return h
}

func (r *run) saveValidators(it *item) error {
	etag, lm := it.header.Get("ETag"), it.header.Get("Last-Modified")
	if etag == "" && lm == "" {
		return nil
	}
	return r.fr.SetValidators(r.ctx, it.link.URL, etag, lm)
}

// pageHeader is the request header of a page.
func pageHeader() http.Header {
	h := http.Header{}
	h.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	return h
}

// pathQuery is the part of u that robots.txt rules match.
func pathQuery(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// statusError is a page's error status: the crawler's message, unwrapping
// to the fetch package's StatusError.
type statusError struct {
	msg string
	se  *fetch.StatusError
}

func (e *statusError) Error() string { return e.msg }
func (e *statusError) Unwrap() error { return e.se }
