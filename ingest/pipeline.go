// Package ingest is the pipeline from what a source produced to what the
// archive keeps: canonical URLs, plain text, and one transaction per poll.
// Later stages (full text, dedup, topics, figures) hook in here.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/dedup"
)

// Batch is one successful poll of a source: what it produced and the state
// to remember for the next poll.
type Batch struct {
	Source       frontierwatch.Source
	Documents    []frontierwatch.Document
	ETag         string
	LastModified string
	// NewURL is the source's new address after a permanent redirect.
	NewURL string
}

// Outcome counts what one batch did.
type Outcome struct {
	Documents int // documents the source produced
	Skipped   int // documents dropped: no usable URL, or repeated within the batch
	New       int // articles archived for the first time
	Known     int // articles the archive already had
	// Duplicates counts the new articles that joined an existing story
	// (another copy of news already archived).
	Duplicates int
	// Unmatched counts new articles that matched no topic and were not
	// archived (archive.keep_unmatched keeps them).
	Unmatched int
	// Figures and Milestones count what the new articles stated and made.
	Figures    int
	Milestones int
	// Inserted are the new articles, with their IDs.
	Inserted []frontierwatch.Article
}

// Pipeline turns documents into archived articles.
type Pipeline struct {
	store  *archive.Store
	canon  *dedup.Canonicalizer
	now    func() time.Time
	logger *slog.Logger

	// mu serialises finding duplicates and storing, so two copies of one
	// report arriving at once (two feeds) cannot both start a story. The
	// archive has one writer anyway.
	mu     sync.Mutex
	det    *dedup.Detector
	loaded bool

	analysis *Analysis
	alerting Alerting
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithClock sets the clock that stamps fetch times (tests).
func WithClock(now func() time.Time) Option { return func(p *Pipeline) { p.now = now } }

// WithLogger sets the pipeline's logger.
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.logger = l } }

// WithCanonicalizer sets the URL canonicalizer (its tracking-parameter list).
func WithCanonicalizer(c *dedup.Canonicalizer) Option { return func(p *Pipeline) { p.canon = c } }

// New returns a pipeline that stores into store.
func New(store *archive.Store, opts ...Option) *Pipeline {
	p := &Pipeline{store: store, canon: dedup.NewCanonicalizer(), now: time.Now, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Load rebuilds the near-duplicate index from the archive, first giving a
// story to every article archived without one (by an older version). Ingest
// calls it once if the caller did not.
func (p *Pipeline) Load(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.load(ctx)
}

func (p *Pipeline) load(ctx context.Context) error {
	if p.loaded {
		return nil
	}
	start := time.Now()
	sigs, err := p.store.Signatures(ctx)
	if err != nil {
		return fmt.Errorf("ingest: load: %w", err)
	}
	all := make([]dedup.Signed, len(sigs))
	for i, s := range sigs {
		all[i] = dedup.Signed{ID: s.ID, Sig: dedup.Signature{Hash: s.Hash, Lead: s.Lead, Tail: s.Tail}}
	}
	p.det = dedup.NewDetector()
	p.det.AddMany(all)
	backfilled := 0
	for {
		old, err := p.store.ArticlesWithoutStory(ctx, 500)
		if err != nil {
			return fmt.Errorf("ingest: load: %w", err)
		}
		if len(old) == 0 {
			break
		}
		sigs := p.fingerprint(old)
		p.findDuplicates(old, sigs)
		if err := p.store.AssignStories(ctx, old); err != nil {
			return fmt.Errorf("ingest: load: %w", err)
		}
		for i := range old {
			p.det.Add(old[i].ID, sigs[i])
		}
		backfilled += len(old)
	}
	p.loaded = true
	p.logger.Info("near-duplicate index loaded", "articles", p.det.Len(), "backfilled", backfilled, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// fingerprint sets each article's content hash, SimHashes and site, and
// returns their signatures.
func (p *Pipeline) fingerprint(arts []frontierwatch.Article) []dedup.Signature {
	sigs := make([]dedup.Signature, len(arts))
	for i := range arts {
		sigs[i] = dedup.Sign(arts[i].Text)
		arts[i].ContentHash, arts[i].SimHash, arts[i].SimHashTail = sigs[i].Hash, sigs[i].Lead, sigs[i].Tail
		arts[i].Site = dedup.Site(arts[i].URL)
	}
	return sigs
}

// findDuplicates sets DuplicateOf: the closest archived duplicate, else an
// earlier duplicate in the same batch.
func (p *Pipeline) findDuplicates(arts []frontierwatch.Article, sigs []dedup.Signature) {
	for i := range arts {
		if m := p.det.Find(sigs[i]); len(m) > 0 {
			arts[i].DuplicateOf = m[0].ID
			continue
		}
		for j := range i {
			if dedup.Duplicate(sigs[j], sigs[i]) {
				arts[i].DuplicateOf = -int64(j + 1)
				break
			}
		}
	}
}

// Ingest stores a batch: its new articles, each in its story (a new one, or
// the story of an earlier exact or near duplicate), and the source's new
// state, in one transaction, so a crash leaves either both or neither and
// the next poll repeats the work instead of losing it. Storing the same
// batch twice stores nothing the second time.
func (p *Pipeline) Ingest(ctx context.Context, b Batch) (Outcome, error) {
	now := p.now().UTC()
	arts, sums, skipped := p.articles(b.Documents, now)
	out := Outcome{Documents: len(b.Documents), Skipped: skipped}

	// Known articles are not analysed again: only new ones cost work.
	urls := make([]string, len(arts))
	for i, a := range arts {
		urls[i] = a.URL
	}
	known, err := p.store.KnownURLs(ctx, urls)
	if err != nil {
		return out, fmt.Errorf("ingest: source %q: %w", b.Source.Name, err)
	}
	fresh, freshSums := arts[:0:0], sums[:0:0]
	for i, a := range arts {
		if !known[a.URL] {
			fresh, freshSums = append(fresh, a), append(freshSums, sums[i])
		}
	}
	keep, unmatched := p.analyze(fresh, freshSums)
	// Oldest first: feeds list newest first, but records and first figures
	// must be judged in the order the news was published.
	slices.SortStableFunc(keep, func(x, y frontierwatch.Article) int { return published(x).Compare(published(y)) })
	sigs := p.fingerprint(keep)

	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.load(ctx); err != nil {
		return out, err
	}
	p.findDuplicates(keep, sigs)
	hook := func(ctx context.Context, tx *archive.Tx, inserted []frontierwatch.Article) error {
		if err := tx.SkipURLs(ctx, b.Source.Name, unmatched); err != nil {
			return err
		}
		var err error
		out.Figures, out.Milestones, err = p.storeFigures(ctx, tx, inserted)
		return err
	}
	inserted, err := p.store.CommitPoll(ctx, archive.PollUpdate{
		SourceID:     b.Source.ID,
		At:           now,
		ETag:         b.ETag,
		LastModified: b.LastModified,
		NewURL:       b.NewURL,
	}, keep, hook)
	if err != nil {
		return Outcome{}, fmt.Errorf("ingest: source %q: %w", b.Source.Name, err)
	}
	for _, a := range inserted {
		p.det.Add(a.ID, dedup.Signature{Hash: a.ContentHash, Lead: a.SimHash, Tail: a.SimHashTail})
		if a.DuplicateOf != 0 {
			out.Duplicates++
		}
	}
	out.New = len(inserted)
	out.Known = len(arts) - len(fresh) + len(keep) - len(inserted)
	out.Unmatched = len(unmatched)
	out.Inserted = inserted
	return out, nil
}

// published is when an article appeared: its publication time, else when
// it was fetched.
func published(a frontierwatch.Article) time.Time {
	if a.Published.IsZero() {
		return a.Fetched
	}
	return a.Published
}

// Articles turns documents into articles fetched at now: canonical URL (the
// page's stated one when known), the page's main text when it was fetched,
// else plain text from the item's content or summary (the longer), and
// documents with no usable URL or repeated within the batch skipped.
func (p *Pipeline) Articles(docs []frontierwatch.Document, now time.Time) (arts []frontierwatch.Article, skipped int) {
	arts, _, skipped = p.articles(docs, now)
	return arts, skipped
}

// articles is Articles that also returns each article's feed summary as
// plain text (topic matching may read it).
func (p *Pipeline) articles(docs []frontierwatch.Document, now time.Time) (arts []frontierwatch.Article, summaries []string, skipped int) {
	seen := make(map[string]bool, len(docs))
	arts = make([]frontierwatch.Article, 0, len(docs))
	summaries = make([]string, 0, len(docs))
	for _, d := range docs {
		raw := d.URL
		if d.Canonical != "" {
			raw = d.Canonical
		}
		u, err := p.canon.Canonical(raw)
		if err != nil || seen[u] {
			if err != nil {
				p.logger.Debug("document skipped", "source", d.Source, "url", d.URL, "error", err)
			}
			skipped++
			continue
		}
		seen[u] = true
		summary := clip(article.PlainText(d.Summary), MaxTextBytes)
		text := d.Text
		if text == "" {
			text = article.PlainText(d.HTML)
			if len(summary) > len(text) {
				text = summary
			}
		}
		text = clip(text, MaxTextBytes)
		summaries = append(summaries, summary)
		arts = append(arts, frontierwatch.Article{
			URL:       u,
			Source:    d.Source,
			Title:     clip(article.PlainText(d.Title), MaxTitleBytes),
			Author:    d.Author,
			Published: d.Published,
			Fetched:   now,
			Text:      text,
			Language:  d.Language,
		})
	}
	return arts, summaries, skipped
}

// Caps on what one item brings: news articles are tens of kilobytes of
// text, and a feed that sends megabytes in one item (a hostile one, or a
// whole book) must not make every later stage (topics, figures, the
// index) work on all of it.
const (
	MaxTextBytes  = 512 << 10
	MaxTitleBytes = 1 << 10
)

// clip returns s cut to at most n bytes, at the last space before the cut
// when there is one near it, and never inside a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut-256 && sp > 0 {
		cut = sp
	}
	return s[:cut]
}
