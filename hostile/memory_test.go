package hostile

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/daemon"
)

// The memory-hungry behaviours, polled one at a time by TestHostileMemory.
var heavy = []string{
	"body-endless", "body-endless-until-close", "body-huge-item", "gzip-bomb", "gzip-bomb-nested",
	"xml-nested-100k-in-item", "billion-laughs", "header-endless", "page-gzip-bomb", "site-seed-gzip-bomb",
	"robots-endless", "sitemap-gzip-bomb-file", "sitemap-gzip-bomb-nested", "article-gzip-file-bomb",
}

// Per-behaviour memory caps: how much the heap in use may grow during one
// poll, and how much it may allocate in all. With a 2 MiB body cap, the
// bombs (1 GiB inflated) and endless bodies must stay far below both.
const (
	pollHeapCap  = 64 << 20
	pollAllocCap = 256 << 20
)

// TestHostileMemory polls the memory-hungry behaviours one at a time, so
// that what each costs can be told apart: the heap in use (sampled) and
// the bytes allocated during its poll stay under per-poll caps.
func TestHostileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("the cycle test covers memory as a whole")
	}
	q := newQuitter(t)
	gzipBomb()
	nestedGzipBomb()
	var yaml strings.Builder
	var bs []*behaviour
	for _, b := range allBehaviours() {
		if slices.Contains(heavy, b.name) {
			bs = append(bs, b)
			url := b.setup(&bench{t: t, q: q})
			yaml.WriteString(sourceYAML(b.name, b.kind, url))
		}
	}
	if len(bs) != len(heavy) {
		t.Fatalf("%d of the %d heavy behaviours found", len(bs), len(heavy))
	}
	d, err := daemon.New(context.Background(), suiteConfig(t, yaml.String()), daemon.OneShot())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) {
			src, err := d.Store().Source(ctx, b.name)
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			heap := sampleHeap(5 * time.Millisecond)
			pctx, cancel := context.WithTimeout(ctx, b.bound())
			r, err := d.PollSource(pctx, src, true)
			cancel()
			peak, _ := heap.end()
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("poll: %v", err)
			}
			grew, alloc := peak-min(peak, before.HeapInuse), after.TotalAlloc-before.TotalAlloc
			t.Logf("%s in %v: heap grew %s, allocated %s", r.Status, r.Duration.Round(time.Millisecond), mibs(grew), mibs(alloc))
			if grew > pollHeapCap {
				t.Errorf("the heap in use grew by %s during the poll, over the %s cap", mibs(grew), mibs(pollHeapCap))
			}
			if alloc > pollAllocCap {
				t.Errorf("the poll allocated %s, over the %s cap", mibs(alloc), mibs(pollAllocCap))
			}
		})
	}
}
