package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontierwatch/frontierwatch/bench/internal/feedsim"
)

// world serves the benchmark's feeds and makes them change: time is cut
// into epochs, and at every new epoch each feed gets newItems fresh items
// at the top while as many of its oldest drop off, as a news feed does. A
// feed is brought up to date when it is requested, so the rendering is
// spread over the polls. Within an epoch a feed keeps its ETag and
// Last-Modified, and conditional requests get 304.
type world struct {
	seed     uint64
	items    int
	newItems int
	start    time.Time
	epoch    time.Duration
	now      func() time.Time

	feeds []*worldFeed

	full, notMod, miss atomic.Int64
}

// worldFeed is one feed and its current rendering.
type worldFeed struct {
	mu     sync.Mutex
	i      int
	epoch  int
	head   []byte   // the channel, up to the first item
	foot   []byte   // after the last item
	blocks [][]byte // <item>…</item>, newest first
	body   []byte
	etag   string
	mod    time.Time
}

// newWorld renders n feeds of items items each (epoch 0); epochs of
// length epoch start at start.
func newWorld(seed uint64, n, items, newItems int, start time.Time, epoch time.Duration) (*world, error) {
	w := &world{seed: seed, items: items, newItems: newItems, start: start, epoch: epoch, now: time.Now,
		feeds: make([]*worldFeed, n)}
	for i, f := range feedsim.RenderCorpus(seed, n, items) {
		head, blocks, foot, err := splitFeed(f.Body)
		if err != nil {
			return nil, fmt.Errorf("feed %d: %w", i, err)
		}
		w.feeds[i] = &worldFeed{i: i, head: head, foot: foot, blocks: blocks, body: f.Body, etag: f.ETag, mod: start.Truncate(time.Second)}
	}
	return w, nil
}

// splitFeed cuts an RSS document into what comes before the first item,
// the items, and what follows the last.
func splitFeed(body []byte) (head []byte, blocks [][]byte, foot []byte, err error) {
	const open, closing = "<item>\n", "</item>\n"
	first := bytes.Index(body, []byte(open))
	if first < 0 {
		return nil, nil, nil, fmt.Errorf("no <item> in the feed")
	}
	head = body[:first]
	rest := body[first:]
	for bytes.HasPrefix(rest, []byte(open)) {
		end := bytes.Index(rest, []byte(closing))
		if end < 0 {
			return nil, nil, nil, fmt.Errorf("unclosed <item>")
		}
		end += len(closing)
		blocks = append(blocks, rest[:end:end])
		rest = rest[end:]
	}
	return head, blocks, rest, nil
}

// epochAt is the epoch at t.
func (w *world) epochAt(t time.Time) int {
	if w.epoch <= 0 || t.Before(w.start) {
		return 0
	}
	return int(t.Sub(w.start) / w.epoch)
}

// path is the URL path of feed i, as feedsim names it.
func feedPath(i int) string { return fmt.Sprintf("/feeds/%04d.xml", i) }

// feedIndex is the feed that path names, or -1.
func (w *world) feedIndex(path string) int {
	s, ok := strings.CutPrefix(path, "/feeds/")
	if !ok {
		return -1
	}
	s, ok = strings.CutSuffix(s, ".xml")
	if !ok {
		return -1
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(w.feeds) || feedPath(i) != path {
		return -1
	}
	return i
}

// current returns feed i as it is in epoch e.
func (w *world) current(i, e int) (body []byte, etag string, mod time.Time) {
	f := w.feeds[i]
	f.mu.Lock()
	defer f.mu.Unlock()
	if e > f.epoch {
		w.advance(f, e)
	}
	return f.body, f.etag, f.mod
}

// advance brings f to epoch e: newItems fresh items per epoch passed, on
// top, the oldest dropped.
func (w *world) advance(f *worldFeed, e int) {
	for k := f.epoch + 1; k <= e; k++ {
		fresh := w.freshItems(f.i, k)
		blocks := make([][]byte, 0, w.items)
		blocks = append(blocks, fresh...)
		blocks = append(blocks, f.blocks...)
		f.blocks = blocks[:min(len(blocks), w.items)]
	}
	var b bytes.Buffer
	b.Write(f.head)
	for _, blk := range f.blocks {
		b.Write(blk)
	}
	b.Write(f.foot)
	sum := sha256.Sum256(b.Bytes())
	f.body, f.etag, f.epoch = b.Bytes(), `"`+hex.EncodeToString(sum[:8])+`"`, e
	f.mod = w.start.Add(time.Duration(e) * w.epoch).Truncate(time.Second)
}

// freshItems renders the items that feed i gains at epoch k: feedsim's
// prose from a seed of that epoch, with links and GUIDs made unique to it.
func (w *world) freshItems(i, k int) [][]byte {
	if w.newItems <= 0 {
		return nil
	}
	f := feedsim.RenderFeed(w.seed+uint64(k)*0x9e3779b97f4a7c15, i, w.newItems)
	_, blocks, _, err := splitFeed(f.Body)
	if err != nil {
		return nil
	}
	host := fmt.Sprintf("news%04d.example.com", i)
	tag := fmt.Sprintf("e%d", k)
	for j, blk := range blocks {
		blk = bytes.ReplaceAll(blk, []byte("<link>https://"+host+"/"), []byte("<link>https://"+host+"/"+tag+"/"))
		blk = bytes.ReplaceAll(blk, []byte(`<guid isPermaLink="false">`), []byte(`<guid isPermaLink="false">`+tag+"-"))
		blocks[j] = blk
	}
	return blocks
}

// ServeHTTP answers GET and HEAD of a feed, with conditional requests.
func (w *world) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	i := w.feedIndex(r.URL.Path)
	if i < 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.miss.Add(1)
		http.NotFound(rw, r)
		return
	}
	body, etag, mod := w.current(i, w.epochAt(w.now()))
	h := rw.Header()
	h.Set("Etag", etag)
	h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	h.Set("Cache-Control", "max-age=60")
	sw := &statusWriter{ResponseWriter: rw}
	http.ServeContent(sw, r, "", mod, bytes.NewReader(body))
	switch sw.status {
	case http.StatusNotModified:
		w.notMod.Add(1)
	case http.StatusOK:
		w.full.Add(1)
	default:
		w.miss.Add(1)
	}
}

// counts returns how many full (200), not-modified (304) and other answers
// were sent.
func (w *world) counts() (full, notMod, other int64) {
	return w.full.Load(), w.notMod.Load(), w.miss.Load()
}

// statusWriter remembers the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}
