package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/dedup"
	"github.com/frontierwatch/frontierwatch/feeds"
	"github.com/frontierwatch/frontierwatch/fetch"
	"github.com/frontierwatch/frontierwatch/ingest"
)

// runBreakdown times the parts of a first and a steady cycle one after the
// other, each over every feed with the cycle's concurrency, using the same
// packages as the daemon: what PollAll interleaves, taken apart.
func runBreakdown(ctx context.Context, a childArgs) (*phaseResult, error) {
	dir, err := os.MkdirTemp(a.dir, "pollcycle-breakdown-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	urls := feedURLs(a.base, a.feeds)
	n := len(urls)
	res := &phaseResult{}
	// timedN runs fn(0..count-1), concurrency at a time, and times it all.
	timedN := func(name string, count int, fn func(i int) error) error {
		cpu0, start := cpuTime(), time.Now()
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(max(1, a.concurrency))
		for i := range count {
			g.Go(func() error {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				return fn(i)
			})
		}
		err := g.Wait()
		res.Parts = append(res.Parts, part{Name: name, Wall: time.Since(start), CPU: cpuTime() - cpu0})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	timed := func(name string, fn func(i int) error) error { return timedN(name, n, fn) }

	client := fetch.New(fetch.Options{AllowPrivate: true})
	defer client.CloseIdleConnections()
	bodies := make([]*fetch.Response, n)
	if err := timed("fetch: GET 200 (fetch.Client.Get)", func(i int) error {
		r, err := client.Get(ctx, fetch.Request{URL: urls[i]})
		bodies[i] = r
		return err
	}); err != nil {
		return nil, err
	}

	parsed := make([]*gofeed.Feed, n)
	if err := timed("parse: feeds.Parse (gofeed on the body)", func(i int) error {
		f, err := feeds.Parse(bodies[i].Body, bodies[i].ContentType)
		parsed[i] = f
		return err
	}); err != nil {
		return nil, err
	}
	docs := make([][]frontierwatch.Document, n)
	if err := timed("parse: feeds.Documents (items to documents)", func(i int) error {
		docs[i] = feeds.Documents(fmt.Sprintf("feed-%04d", i), urls[i], parsed[i])
		return nil
	}); err != nil {
		return nil, err
	}
	clear(parsed)

	canon := dedup.NewCanonicalizer()
	if err := timed("ingest: dedup canonical URLs", func(i int) error {
		for _, d := range docs[i] {
			if _, err := canon.Canonical(d.URL); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := timed("ingest: article.PlainText (content, summary, title)", func(i int) error {
		for _, d := range docs[i] {
			_ = article.PlainText(d.HTML)
			_ = article.PlainText(d.Summary)
			_ = article.PlainText(d.Title)
		}
		return nil
	}); err != nil {
		return nil, err
	}

	store, err := openStore(ctx, filepath.Join(dir, "breakdown.db"), urls)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	srcs := store.srcs

	pipe := ingest.New(store.Store)
	arts := make([][]frontierwatch.Article, n)
	now := time.Now().UTC()
	if err := timed("ingest: Pipeline.Articles (canonical + plain text)", func(i int) error {
		arts[i], _ = pipe.Articles(docs[i], now)
		return nil
	}); err != nil {
		return nil, err
	}

	// The whole of ingest, with the default pipeline, into another archive.
	full, err := openStore(ctx, filepath.Join(dir, "ingest.db"), urls)
	if err != nil {
		return nil, err
	}
	defer full.Store.Close()
	fullPipe := ingest.New(full.Store)
	if err := fullPipe.Load(ctx); err != nil {
		return nil, err
	}
	if err := timed("ingest: Pipeline.Ingest, default pipeline (text, SimHash, stories, one transaction; no topics or figures)", func(i int) error {
		out, err := fullPipe.Ingest(ctx, ingest.Batch{Source: full.srcs[i], Documents: docs[i], ETag: bodies[i].ETag})
		if err == nil && out.New != len(docs[i]) {
			err = fmt.Errorf("feed %d: ingested %d of %d documents", i, out.New, len(docs[i]))
		}
		return err
	}); err != nil {
		return nil, err
	}
	clear(docs)

	if err := timed("archive: CommitPoll alone (one transaction per feed)", func(i int) error {
		ins, err := store.CommitPoll(ctx, archive.PollUpdate{SourceID: srcs[i].ID, At: now, ETag: bodies[i].ETag}, arts[i])
		if err == nil && len(ins) != len(arts[i]) {
			err = fmt.Errorf("feed %d: inserted %d of %d articles", i, len(ins), len(arts[i]))
		}
		return err
	}); err != nil {
		return nil, err
	}

	cpu0, start := cpuTime(), time.Now()
	indexed, err := store.IndexPending(ctx, 0)
	res.Parts = append(res.Parts, part{Name: "archive: IndexPending (deferred FTS5; not in PollAll)", Wall: time.Since(start), CPU: cpuTime() - cpu0})
	if err != nil {
		return nil, err
	}
	if indexed != a.feeds*a.items {
		return nil, fmt.Errorf("indexed %d articles, want %d", indexed, a.feeds*a.items)
	}

	if err := timed("steady: GET 304 (fetch.Client.Get with ETag)", func(i int) error {
		r, err := client.Get(ctx, fetch.Request{URL: urls[i], ETag: bodies[i].ETag})
		if err == nil && !r.NotModified {
			err = fmt.Errorf("feed %d: status %d, want 304", i, r.StatusCode)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := timed("steady: RecordNotModified (one UPDATE per feed)", func(i int) error {
		return store.RecordNotModified(ctx, srcs[i].ID, time.Now())
	}); err != nil {
		return nil, err
	}

	// What-ifs for the archive: the same inserts into fresh archives.
	group, err := openStore(ctx, filepath.Join(dir, "group.db"), urls)
	if err != nil {
		return nil, err
	}
	defer group.Store.Close()
	const perTx = 10
	if err := timedN(fmt.Sprintf("what-if: CommitPoll of %d feeds per transaction (group commit)", perTx), (n+perTx-1)/perTx, func(k int) error {
		var batch []frontierwatch.Article
		for i := k * perTx; i < min(n, (k+1)*perTx); i++ {
			batch = append(batch, arts[i]...)
		}
		_, err := group.CommitPoll(ctx, archive.PollUpdate{SourceID: group.srcs[k*perTx].ID, At: now}, batch)
		return err
	}); err != nil {
		return nil, err
	}
	res.HWMCycle = peakRSS()
	return res, nil
}

// benchStore is an archive with the corpus's sources in it.
type benchStore struct {
	*archive.Store
	srcs []frontierwatch.Source // in the order of the feeds
}

// openStore opens a fresh archive at path holding one source per URL.
func openStore(ctx context.Context, path string, urls []string) (*benchStore, error) {
	store, err := archive.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	want := make([]frontierwatch.Source, len(urls))
	for i, u := range urls {
		want[i] = frontierwatch.Source{Name: fmt.Sprintf("feed-%04d", i), Kind: frontierwatch.KindFeed, URL: u, Enabled: true}
	}
	if err := store.SyncConfigSources(ctx, want); err != nil {
		store.Close()
		return nil, err
	}
	srcs, err := store.Sources(ctx) // ordered by name, which is the feeds' order
	if err != nil {
		store.Close()
		return nil, err
	}
	if len(srcs) != len(urls) {
		store.Close()
		return nil, fmt.Errorf("store has %d sources, want %d", len(srcs), len(urls))
	}
	return &benchStore{Store: store, srcs: srcs}, nil
}
