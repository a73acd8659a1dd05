// Package frontierwatch holds the domain types that every other package of
// the daemon speaks: sources, the documents they produce, archived articles,
// stories, headline figures and milestones. It does no I/O.
package frontierwatch

import "time"

// Version is the release of this build; the linker sets it with
// -ldflags "-X github.com/frontierwatch/frontierwatch.Version=v1.2.3".
var Version = "dev"

// ProjectURL is where the project lives; it is the contact URL in the User-Agent.
const ProjectURL = "https://github.com/frontierwatch/frontierwatch"

// SourceKind says how a source is read.
type SourceKind string

// The kinds of source.
const (
	KindFeed SourceKind = "feed" // an RSS, Atom or JSON feed
	KindSite SourceKind = "site" // a web site crawled from seed pages
)

// Full-text policies for feed items (Source.FullText).
const (
	FullTextAuto   = "auto"   // fetch the linked page when the item's text is short
	FullTextAlways = "always" // always fetch the linked page
	FullTextNever  = "never"  // keep the feed's own text
)

// Source is one place frontierwatch reads: a feed or a site.
type Source struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Kind     SourceKind `json:"kind"`
	URL      string     `json:"url"`
	Schedule string     `json:"schedule"` // robfig/cron expression; empty means the configured default
	FullText string     `json:"full_text,omitempty"`
	Enabled  bool       `json:"enabled"`

	// Crawl rules for KindSite.
	Follow         []string      `json:"follow,omitempty"`
	AllowedDomains []string      `json:"allowed_domains,omitempty"`
	MaxDepth       int           `json:"max_depth,omitempty"`
	MaxPages       int           `json:"max_pages,omitempty"`
	Delay          time.Duration `json:"delay,omitempty"` // per-host politeness delay

	// Origin is "config" for sources from the config file and "user" for
	// sources added with `sources add` or `sources import`.
	Origin string `json:"origin"`

	State SourceState `json:"state"`
}

// Source origins.
const (
	OriginConfig = "config"
	OriginUser   = "user"
)

// SourceState is what the daemon remembers about polling a source.
type SourceState struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	LastPolledAt time.Time `json:"last_polled_at,omitzero"`
	LastOKAt     time.Time `json:"last_ok_at,omitzero"`
	LastErrorAt  time.Time `json:"last_error_at,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	// Failures counts consecutive failed polls; a success resets it.
	Failures int `json:"failures"`
	// NextAttemptAt is the earliest time the source may be polled again
	// (backoff after failures, or a server's Retry-After); zero means now.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
}

// Document is what a source produced: one feed item or one crawled page,
// before it is cleaned and archived.
type Document struct {
	Source    string // source name
	URL       string // the link as found
	GUID      string // feed item ID, when there is one
	Title     string
	Author    string
	Published time.Time // zero when unknown
	// HTML is the feed item's content (an HTML fragment); Summary the
	// feed's description. Either may be empty.
	HTML    string
	Summary string
	// Text is the main text extracted from the article's own page (a
	// crawled page, or the page a short feed item links to); when set it
	// is the article's text. Language is that page's language.
	Text     string
	Language string
	// Canonical is the URL the page itself states (<link rel="canonical">,
	// og:url); preferred over URL when set.
	Canonical string
}

// Article is a document as archived: cleaned, canonical and unique by URL.
type Article struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"` // canonical
	Source      string    `json:"source"`
	Title       string    `json:"title"`
	Author      string    `json:"author,omitempty"`
	Published   time.Time `json:"published,omitzero"`
	Fetched     time.Time `json:"fetched"`
	Text        string    `json:"text,omitempty"`
	Language    string    `json:"language,omitempty"`
	ContentHash string    `json:"content_hash,omitempty"`
	// SimHash and SimHashTail fingerprint the text's lead and its tail
	// (see package dedup): a copy with an edit at one end still matches.
	SimHash     uint64 `json:"simhash,omitempty"`
	SimHashTail uint64 `json:"simhash_tail,omitempty"`
	// Site is the registrable domain the article was published on.
	Site       string       `json:"site,omitempty"`
	StoryID    int64        `json:"story_id,omitempty"`
	StorySites int          `json:"story_sites,omitempty"` // distinct sites that carry the story
	Topics     []TopicScore `json:"topics,omitempty"`
	// Figures are the headline figures the text states.
	Figures []Figure `json:"figures,omitempty"`

	// DuplicateOf, when storing, names the article whose story this one
	// joins: an archived article's ID (> 0), or -(i+1) for the i-th
	// article earlier in the same batch. Zero starts a new story.
	DuplicateOf int64 `json:"-"`
}

// TopicScore says how well an article matches one watched topic.
type TopicScore struct {
	Topic string  `json:"topic"`
	Score float64 `json:"score"`
}

// Story groups articles that carry the same news (exact or near duplicates).
type Story struct {
	ID        int64     `json:"id"`
	FirstSeen time.Time `json:"first_seen"`
	Articles  []int64   `json:"articles"`
	Sites     int       `json:"sites"` // distinct registrable domains
}

// Qualifier says how a figure's value is bounded.
type Qualifier string

// The qualifiers of a figure.
const (
	Exact   Qualifier = "exact"
	Over    Qualifier = "over"
	Under   Qualifier = "under"
	UpTo    Qualifier = "up_to"
	AtLeast Qualifier = "at_least"
	About   Qualifier = "about"
	Range   Qualifier = "range"
)

// Figure is one headline figure stated in an article.
type Figure struct {
	ID        int64     `json:"-"`
	ArticleID int64     `json:"-"`
	Metric    string    `json:"metric"`
	Value     *float64  `json:"value"`
	Min       *float64  `json:"min"`
	Max       *float64  `json:"max"`
	Unit      string    `json:"unit"`
	Qualifier Qualifier `json:"qualifier"`
	Subject   string    `json:"subject"`
	Benchmark string    `json:"benchmark"`
	AsOf      string    `json:"as_of"`
	Forecast  bool      `json:"forecast"`
	Surface   string    `json:"surface"`
	Sentence  string    `json:"sentence"`
}

// MilestoneKind says why a figure is a milestone.
type MilestoneKind string

// The kinds of milestone.
const (
	MilestoneRecord    MilestoneKind = "record"
	MilestoneThreshold MilestoneKind = "threshold"
	MilestoneFirst     MilestoneKind = "first"
)

// Milestone is a figure that matters: a new record, a crossed threshold, or
// the first figure of a metric.
type Milestone struct {
	ID         int64         `json:"id"`
	Kind       MilestoneKind `json:"kind"`
	Metric     string        `json:"metric"`
	Subject    string        `json:"subject"`
	Value      float64       `json:"value"`
	Beats      *float64      `json:"beats"` // the record it beats, if any
	Figures    []int64       `json:"figures"`
	Sources    []string      `json:"sources"`
	DetectedAt time.Time     `json:"detected_at"`
}
