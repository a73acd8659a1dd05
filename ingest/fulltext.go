package ingest

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/dedup"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// Full text for feeds: many feeds carry a one-line summary of each item.
// The full-text stage fetches the page a new item links to and puts its
// main text (and the page's language, canonical URL and, where the feed
// has none, title, author and publication date) into the document, before
// the batch is ingested.

// Defaults of FullTextOptions.
const (
	DefaultFullTextMinWords = 150
	DefaultFullTextPerHost  = 2
	DefaultFullTextWorkers  = 8
)

// htmlAccept is the Accept header of a page fetch.
const htmlAccept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

// FullTextOptions configures the full-text stage.
type FullTextOptions struct {
	// MinWords: under policy "auto", an item whose own text has fewer
	// words is fetched (config defaults.full_text_min_words).
	MinWords int
	// PerHost bounds the fetches in flight to one host; Workers all of
	// them.
	PerHost, Workers int
	// Canonicalizer must be the ingest pipeline's, so that "already
	// archived" is decided on the URLs the archive stores.
	Canonicalizer *dedup.Canonicalizer
	Logger        *slog.Logger
}

// FullText is the full-text stage. It is safe for concurrent use.
type FullText struct {
	client *fetch.Client
	store  *archive.Store
	opts   FullTextOptions
}

// FullTextStats counts what one Apply did.
type FullTextStats struct {
	Fetched int // pages fetched and used
	Failed  int // pages that could not be fetched or had no main text
	Known   int // items skipped because the archive has them
}

// NewFullText returns the stage, fetching through client and asking store
// which items are new.
func NewFullText(client *fetch.Client, store *archive.Store, opts FullTextOptions) *FullText {
	if opts.MinWords <= 0 {
		opts.MinWords = DefaultFullTextMinWords
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultFullTextPerHost
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultFullTextWorkers
	}
	if opts.Canonicalizer == nil {
		opts.Canonicalizer = dedup.NewCanonicalizer()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &FullText{client: client, store: store, opts: opts}
}

// Apply returns docs with the main text of the linked pages filled in,
// following src's full_text policy: "never" changes nothing, "always"
// fetches every new item's page, "auto" (the default) those whose own text
// is shorter than MinWords. Items the archive already has are never
// fetched. A page that cannot be fetched, is not HTML or has less text
// than the feed leaves its item as the feed gave it: no item is ever lost.
// It returns early, with what it has, when ctx ends.
func (f *FullText) Apply(ctx context.Context, src frontierwatch.Source, docs []frontierwatch.Document) ([]frontierwatch.Document, FullTextStats) {
	var st FullTextStats
	policy := src.FullText
	if policy == frontierwatch.FullTextNever || len(docs) == 0 {
		return docs, st
	}
	out := append([]frontierwatch.Document(nil), docs...)
	// The candidates: new items whose text is too short (or all, "always").
	canon := make([]string, len(out))
	var keys []string
	for i, d := range out {
		raw := d.URL
		if d.Canonical != "" {
			raw = d.Canonical
		}
		if u, err := f.opts.Canonicalizer.Canonical(raw); err == nil {
			canon[i] = u
			keys = append(keys, u)
		}
	}
	known, err := f.store.KnownURLs(ctx, keys)
	if err != nil {
		f.opts.Logger.Warn("full text skipped: cannot tell new items", "source", src.Name, "error", err.Error())
		return docs, st
	}
	var todo []int
	for i, d := range out {
		switch {
		case canon[i] == "":
		case known[canon[i]]:
			st.Known++
		case policy == frontierwatch.FullTextAlways || article.WordCount(feedText(d)) < f.opts.MinWords:
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return out, st
	}

	hosts := map[string]*hostSlot{}
	for _, i := range todo {
		h := hostOf(out[i].URL)
		if hosts[h] == nil {
			hosts[h] = &hostSlot{sem: make(chan struct{}, f.opts.PerHost)}
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(f.opts.Workers)
	for _, i := range todo {
		if gctx.Err() != nil {
			break
		}
		host := hosts[hostOf(out[i].URL)]
		g.Go(func() error {
			select {
			case host.sem <- struct{}{}:
			case <-gctx.Done():
				return nil
			}
			defer func() { <-host.sem }()
			var d frontierwatch.Document
			err := errHostDown
			if !host.down.Load() {
				d, err = f.fetch(gctx, out[i])
				if unreachable(err) {
					// The other items of a host that cannot be reached
					// keep their feed text without trying it again.
					host.down.Store(true)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if gctx.Err() == nil {
					st.Failed++
					f.opts.Logger.Debug("full text not used", "source", src.Name, "url", out[i].URL, "error", err.Error())
				}
				return nil
			}
			out[i] = d
			st.Fetched++
			return nil
		})
	}
	_ = g.Wait()
	return out, st
}

// hostSlot bounds the fetches to one host and remembers that it is down.
type hostSlot struct {
	sem  chan struct{}
	down atomic.Bool
}

// errHostDown: an earlier fetch to the host found it unreachable.
var errHostDown = errors.New("host unreachable in this batch")

// unreachable reports whether err means the host cannot be reached at all
// (a transport error: DNS, refused connection, timeout) rather than a bad
// answer for one page.
func unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var se *fetch.StatusError
	if errors.As(err, &se) || errors.Is(err, fetch.ErrBodyTooLarge) || errors.Is(err, fetch.ErrBadURL) ||
		errors.Is(err, fetch.ErrTooManyRedirects) || errors.Is(err, errNoGain) || errors.Is(err, article.ErrNoText) {
		return false
	}
	var ue *url.Error
	var ne net.Error
	var de *net.DNSError
	return errors.As(err, &de) || errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, fetch.ErrBlockedAddress) ||
		errors.Is(err, context.DeadlineExceeded)
}

// errNoGain: the page has no more text than the feed.
var errNoGain = errors.New("page has no more text than the feed item")

// fetch reads d's page and returns d with the page's text and metadata.
func (f *FullText) fetch(ctx context.Context, d frontierwatch.Document) (frontierwatch.Document, error) {
	resp, err := f.client.Get(ctx, fetch.Request{URL: d.URL, Accept: htmlAccept})
	if err != nil {
		return d, err
	}
	if resp.NotModified {
		return d, errors.New("unexpected 304")
	}
	mt, _, _ := mime.ParseMediaType(resp.ContentType)
	if mt != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return d, errors.New("not an HTML page: " + mt)
	}
	res, err := article.Extract(resp.Body, article.Options{URL: resp.URL, ContentType: resp.ContentType})
	if err != nil {
		return d, err
	}
	if article.WordCount(res.Text) <= article.WordCount(feedText(d)) {
		return d, errNoGain
	}
	d.Text, d.Language = res.Text, res.Language
	if res.Canonical != "" {
		d.Canonical = res.Canonical
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = res.Title
	}
	if d.Author == "" {
		d.Author = res.Author
	}
	if d.Published.IsZero() {
		d.Published = res.Published
	}
	return d, nil
}

// feedText is the text the feed gave for d: the longer of its content and
// summary, as the pipeline would store it.
func feedText(d frontierwatch.Document) string {
	if d.Text != "" {
		return d.Text
	}
	text := article.PlainText(d.HTML)
	if s := article.PlainText(d.Summary); len(s) > len(text) {
		text = s
	}
	return text
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
