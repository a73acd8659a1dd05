package dedup

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// Match is an indexed fingerprint near a query.
type Match struct {
	ID       int64  // the ID it was indexed with
	FP       uint64 // the indexed fingerprint
	Distance int    // its Hamming distance to the query
}

// Entry is one fingerprint to index, with the ID it stands for (an
// article's). One ID may have several fingerprints and one fingerprint
// several IDs.
type Entry struct {
	FP uint64
	ID int64
}

// Index finds every indexed fingerprint within Hamming distance k of a
// query without scanning them all: permuted tables after Manku, Jain and
// Das Sarma, "Detecting near-duplicates for web crawling" (WWW 2007).
//
// The 64 bits are cut into k+1 blocks. Two fingerprints at most k bits
// apart differ in at most k blocks, so they agree on at least one whole
// block (pigeonhole). The index keeps one table per block, each bucketing
// the fingerprints by that block (by its top 16 bits when the block is
// wider); a query reads one bucket per table and checks the distance of
// each fingerprint in it. For k = 3 that is 4 tables keyed by 16 bits: at
// a million fingerprints each bucket holds about 15, so a query checks
// about 60 instead of 1,000,000. Tables that combine several blocks into
// longer keys (the paper's 10 to 20 tables for k = 3 at 8 billion pages)
// pay off only when buckets grow long: at 2^26 fingerprints and beyond.
//
// Memory is 32 bytes per fingerprint at k = 3 (the fingerprint, its ID,
// and a 4-byte position in each table), plus 1.5 MB of bucket headers per
// table, plus the slack of growing buckets one at a time with Add. An
// Index holds up to 2^32-1 entries. It is safe for concurrent use.
type Index struct {
	k      int
	blocks []block

	mu     sync.RWMutex
	fps    []uint64
	ids    []int64
	tables [][][]uint32 // tables[t][key]: positions in fps and ids
}

// block is a table's key: the dir bits of a fingerprint from bit shift up.
type block struct {
	shift uint
	dir   uint // key width in bits, at most 16
}

func (b block) key(fp uint64) uint32 { return uint32(fp>>b.shift) & (1<<b.dir - 1) }

// NewIndex returns an empty index that finds fingerprints within Hamming
// distance k (K, the duplicate rule's distance, is the usual choice). It panics unless 0 <= k <= 32:
// at larger distances unrelated fingerprints match.
func NewIndex(k int) *Index {
	if k < 0 || k > 32 {
		panic(fmt.Sprintf("dedup: NewIndex(%d): k must be 0 to 32", k))
	}
	n := k + 1
	ix := &Index{k: k, blocks: make([]block, n), tables: make([][][]uint32, n)}
	lo := 0
	for i := range n {
		width := 64 / n
		if i < 64%n {
			width++
		}
		dir := min(width, 16)
		ix.blocks[i] = block{shift: uint(lo + width - dir), dir: uint(dir)}
		lo += width
	}
	return ix
}

// K returns the distance the index was built for.
func (ix *Index) K() int { return ix.k }

// Len returns the number of indexed entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.fps)
}

// Add indexes the fingerprint fp of id.
func (ix *Index) Add(fp uint64, id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(fp, id)
}

// add indexes one entry. ix.mu is held.
func (ix *Index) add(fp uint64, id int64) {
	pos := ix.append(fp, id)
	for t, b := range ix.blocks {
		tab := ix.table(t)
		k := b.key(fp)
		tab[k] = append(tab[k], pos)
	}
}

// AddMany indexes many entries at once, as when the index is built from
// the archive at start: every bucket is sized once instead of growing
// entry by entry, so it is several times faster than Add in a loop and
// wastes no memory. A batch much smaller than the index is added one by
// one.
func (ix *Index) AddMany(entries []Entry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(entries) < len(ix.fps)/8 {
		for _, e := range entries {
			ix.add(e.FP, e.ID)
		}
		return
	}
	first := len(ix.fps)
	ix.fps = slices.Grow(ix.fps, len(entries))
	ix.ids = slices.Grow(ix.ids, len(entries))
	for _, e := range entries {
		ix.append(e.FP, e.ID)
	}
	for t, b := range ix.blocks {
		tab := ix.table(t)
		grow := make([]uint32, len(tab))
		for _, fp := range ix.fps[first:] {
			grow[b.key(fp)]++
		}
		// One array for the whole table, cut into buckets of exactly the
		// right capacity: a later Add to a bucket copies that bucket alone.
		all := make([]uint32, len(ix.fps))
		off := 0
		for k, bucket := range tab {
			n := len(bucket) + int(grow[k])
			tab[k] = append(all[off:off:off+n], bucket...)
			off += n
		}
		for i, fp := range ix.fps[first:] {
			k := b.key(fp)
			tab[k] = append(tab[k], uint32(first+i))
		}
	}
}

// append stores one entry and returns its position. ix.mu is held.
func (ix *Index) append(fp uint64, id int64) uint32 {
	if len(ix.fps) >= math.MaxUint32 {
		panic("dedup: Index holds 2^32-1 entries already")
	}
	ix.fps = append(ix.fps, fp)
	ix.ids = append(ix.ids, id)
	return uint32(len(ix.fps) - 1)
}

// table returns table t, allocating its buckets on first use. ix.mu is held.
func (ix *Index) table(t int) [][]uint32 {
	if ix.tables[t] == nil {
		ix.tables[t] = make([][]uint32, 1<<ix.blocks[t].dir)
	}
	return ix.tables[t]
}

// Query returns every indexed entry within distance k of fp, closest
// first, then by ID.
func (ix *Index) Query(fp uint64) []Match {
	ix.mu.RLock()
	var out []Match
	for t, b := range ix.blocks {
		tab := ix.tables[t]
		if tab == nil {
			break // nothing indexed yet
		}
		for _, pos := range tab[b.key(fp)] {
			x := ix.fps[pos]
			d := bits.OnesCount64(x ^ fp)
			if d > ix.k || ix.foundBefore(t, x, fp) {
				continue
			}
			out = append(out, Match{ID: ix.ids[pos], FP: x, Distance: d})
		}
	}
	ix.mu.RUnlock()
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), cmp.Compare(a.FP, b.FP))
	})
	return out
}

// foundBefore reports whether an entry x that table t found for the query
// fp is also in a bucket that an earlier table read: each entry is
// reported once, by the first table whose key it shares with the query.
func (ix *Index) foundBefore(t int, x, fp uint64) bool {
	for _, b := range ix.blocks[:t] {
		if b.key(x) == b.key(fp) {
			return true
		}
	}
	return false
}
