// Package feeds polls one RSS, Atom or JSON feed: a conditional GET through
// the shared HTTP client, parsing with gofeed, and the per-feed backoff that
// keeps a failing source from being hammered.
package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// accept is the Accept header of a feed request: feed types first, anything
// else last so servers that ignore it still answer.
const accept = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

// Errors a poll can end with, besides the fetch package's.
var (
	// ErrNotFeed means the body is neither RSS, Atom nor JSON Feed.
	ErrNotFeed = errors.New("not a feed")
	// ErrEmptyFeed means the feed parsed but carries no items.
	ErrEmptyFeed = errors.New("feed has no items")
)

// Result is what one poll of a feed produced.
type Result struct {
	// NotModified is true when the server answered 304: nothing else is set.
	NotModified bool
	// Title is the feed's own title.
	Title string
	// Documents are the feed's items, newest as the feed orders them.
	Documents []frontierwatch.Document
	// ETag and LastModified are the validators to send next time.
	ETag, LastModified string
	// PermanentURL is the feed's new address when the server moved it for
	// good (every redirect was 301 or 308); empty otherwise.
	PermanentURL string
}

// Poller polls feeds. It is safe for concurrent use.
type Poller struct {
	client *fetch.Client
}

// NewPoller returns a Poller that fetches through client.
func NewPoller(client *fetch.Client) *Poller {
	return &Poller{client: client}
}

// Poll fetches src with the validators of its stored state and parses the
// answer. A 304 returns a Result with NotModified and costs no parsing.
func (p *Poller) Poll(ctx context.Context, src frontierwatch.Source) (*Result, error) {
	resp, err := p.client.Get(ctx, fetch.Request{
		URL:          src.URL,
		ETag:         src.State.ETag,
		LastModified: src.State.LastModified,
		Accept:       accept,
	})
	if err != nil {
		return nil, err // fetch errors name the URL already
	}
	res := &Result{
		ETag:         resp.ETag,
		LastModified: resp.LastModified,
		PermanentURL: resp.PermanentURL,
	}
	if resp.NotModified {
		res.NotModified = true
		// Keep the validators we sent when a 304 omits them.
		if res.ETag == "" {
			res.ETag = src.State.ETag
		}
		if res.LastModified == "" {
			res.LastModified = src.State.LastModified
		}
		return res, nil
	}
	base := resp.URL
	if base == "" {
		base = src.URL
	}
	feed, err := Parse(resp.Body, resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("feeds: %s: %w", redact(src.URL), err)
	}
	res.Title = strings.TrimSpace(feed.Title)
	res.Documents = Documents(src.Name, base, feed)
	if len(res.Documents) == 0 {
		return nil, fmt.Errorf("feeds: %s: %w", redact(src.URL), ErrEmptyFeed)
	}
	return res, nil
}

// Parse parses a feed body. contentType is the response's media type and
// only makes the error clearer when the body is not a feed (an HTML page
// served where a feed was expected is the usual case). A body with invalid
// UTF-8 is parsed again with the bad bytes replaced, so one stray byte does
// not lose a whole feed; UTF-16 bodies and UTF-8 bodies that declare
// another encoding are read as what they are (see normalizeEncoding).
func Parse(body []byte, contentType string) (*gofeed.Feed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrNotFeed)
	}
	body = normalizeEncoding(body)
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil && !utf8.Valid(body) && !errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if f, err2 := gofeed.NewParser().Parse(bytes.NewReader(bytes.ToValidUTF8(body, []byte("\uFFFD")))); err2 == nil {
			return f, nil
		}
	}
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		mt, _, _ := mime.ParseMediaType(contentType)
		if mt == "" {
			mt = "unknown type"
		}
		return nil, fmt.Errorf("%w: body is %s, not RSS, Atom or JSON Feed", ErrNotFeed, mt)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotFeed, err)
	}
	return feed, nil
}

// Documents turns a parsed feed's items into documents of source. Links are
// resolved against base (the address the feed was fetched from); items with
// no usable link are dropped, since an article is identified by its URL.
func Documents(source, base string, feed *gofeed.Feed) []frontierwatch.Document {
	baseURL, _ := url.Parse(base)
	if feed.Link != "" && baseURL != nil {
		// Relative item links in RSS resolve against the site, not the feed.
		if u, err := baseURL.Parse(feed.Link); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			baseURL = u
		}
	}
	docs := make([]frontierwatch.Document, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		link := itemLink(baseURL, it)
		if link == "" {
			continue
		}
		d := frontierwatch.Document{
			Source:  source,
			URL:     link,
			GUID:    strings.TrimSpace(it.GUID),
			Title:   strings.TrimSpace(it.Title),
			Author:  author(it),
			HTML:    it.Content,
			Summary: it.Description,
		}
		switch {
		case it.PublishedParsed != nil:
			d.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			d.Published = it.UpdatedParsed.UTC()
		}
		docs = append(docs, d)
	}
	return docs
}

// itemLink is the item's absolute http(s) link: its link, its first other
// link, or its GUID when that is a URL.
func itemLink(base *url.URL, it *gofeed.Item) string {
	cands := append([]string{it.Link}, it.Links...)
	cands = append(cands, it.GUID)
	for _, c := range cands {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		if (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.String()
		}
	}
	return ""
}

func author(it *gofeed.Item) string {
	var names []string
	for _, a := range it.Authors {
		if a != nil && strings.TrimSpace(a.Name) != "" {
			names = append(names, strings.TrimSpace(a.Name))
		}
	}
	if len(names) == 0 && it.Author != nil {
		names = append(names, strings.TrimSpace(it.Author.Name))
	}
	if len(names) == 0 && it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
		names = append(names, strings.TrimSpace(it.DublinCoreExt.Creator[0]))
	}
	return strings.Join(names, ", ")
}

// redact drops userinfo from a URL for messages.
func redact(raw string) string { return fetch.RedactURL(raw) }

// Backoff is the exponential backoff of a failing source.
type Backoff struct {
	Base time.Duration // wait after the first failure
	Max  time.Duration // cap (24 h by default)
}

// Delay is how long to wait after the given number of consecutive failures
// (1 or more): Base, 2·Base, 4·Base, … capped at Max.
func (b Backoff) Delay(failures int) time.Duration {
	base, max := b.Base, b.Max
	if base <= 0 {
		base = 5 * time.Minute
	}
	if max <= 0 {
		max = 24 * time.Hour
	}
	if failures < 1 {
		return 0
	}
	d := base
	for i := 1; i < failures; i++ {
		d *= 2
		if d >= max || d <= 0 {
			return max
		}
	}
	return min(d, max)
}

// NextAttempt is when a source that has just failed for the failures-th time
// in a row may be polled again: after the backoff, or after the server's
// Retry-After when that is later (capped at Max too).
func (b Backoff) NextAttempt(now time.Time, failures int, retryAfter time.Duration) time.Time {
	maxWait := b.Max
	if maxWait <= 0 {
		maxWait = 24 * time.Hour
	}
	return now.Add(max(b.Delay(failures), min(retryAfter, maxWait)))
}
