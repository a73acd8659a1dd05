package dedup

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// scan is the brute-force answer that Index.Query must equal.
func scan(entries []Entry, fp uint64, k int) []Match {
	var out []Match
	for _, e := range entries {
		if d := Distance(e.FP, fp); d <= k {
			out = append(out, Match{ID: e.ID, FP: e.FP, Distance: d})
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), cmp.Compare(a.FP, b.FP))
	})
	return out
}

// flip returns fp with d distinct random bits flipped.
func flip(r *rand.Rand, fp uint64, d int) uint64 {
	for _, b := range r.Perm(64)[:d] {
		fp ^= 1 << b
	}
	return fp
}

// plantedSet returns n random entries plus, around each of centers random
// centres, neighbours at every distance 0..k+1 (some sharing an ID, some
// repeating a fingerprint), and the centres as queries.
func plantedSet(r *rand.Rand, n, centers, k int) (entries []Entry, queries []uint64) {
	id := int64(0)
	for range n {
		id++
		entries = append(entries, Entry{FP: r.Uint64(), ID: id})
	}
	for range centers {
		c := r.Uint64()
		queries = append(queries, c, flip(r, c, r.IntN(k+2)))
		for d := 0; d <= k+1; d++ {
			id++
			entries = append(entries, Entry{FP: flip(r, c, d), ID: id})
		}
		entries = append(entries, Entry{FP: c, ID: id})     // same ID, second fingerprint
		entries = append(entries, Entry{FP: c, ID: id + 1}) // same fingerprint, second ID
		id++
	}
	r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	for range centers {
		queries = append(queries, r.Uint64()) // mostly no match
	}
	return entries, queries
}

func checkAgainstScan(t *testing.T, entries []Entry, queries []uint64, indexes ...*Index) {
	t.Helper()
	for _, ix := range indexes {
		if ix.Len() != len(entries) {
			t.Fatalf("Len = %d, want %d", ix.Len(), len(entries))
		}
	}
	found := 0
	for _, q := range queries {
		want := scan(entries, q, indexes[0].K())
		for i, ix := range indexes {
			if got := ix.Query(q); !slices.Equal(got, want) {
				t.Fatalf("index %d, k=%d, Query(%016x):\n got %v\nwant %v", i, ix.K(), q, got, want)
			}
		}
		found += len(want)
	}
	if found == 0 {
		t.Fatal("no query had a match: the test checks nothing")
	}
}

func TestIndexMatchesScan(t *testing.T) {
	for _, k := range []int{0, 1, 2, 3, 4, 5, 7, 12} {
		r := rand.New(rand.NewPCG(uint64(k), 1))
		entries, queries := plantedSet(r, 8000, 200, k)
		third := len(entries) / 3

		// Three ways in: one by one, a bulk load into an empty index, and
		// bulk loads large and small into a full one.
		one := NewIndex(k)
		for _, e := range entries {
			one.Add(e.FP, e.ID)
		}
		bulk := NewIndex(k)
		bulk.AddMany(entries)
		mixed := NewIndex(k)
		for _, e := range entries[:third] {
			mixed.Add(e.FP, e.ID)
		}
		mixed.AddMany(entries[third : 2*third])
		mixed.AddMany(entries[2*third : 2*third+10]) // small batch: one by one
		mixed.AddMany(entries[2*third+10:])
		// Index 0 added one by one, 1 bulk-loaded, 2 both.
		checkAgainstScan(t, entries, queries, one, bulk, mixed)
	}
}

func TestIndexConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	entries, queries := plantedSet(r, 5000, 200, K)
	ix := NewIndex(K)
	ix.AddMany(entries[:1000])
	var wg sync.WaitGroup
	const writers = 4
	for w := range writers {
		wg.Go(func() {
			for i := 1000 + w; i < len(entries); i += writers {
				ix.Add(entries[i].FP, entries[i].ID)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for _, q := range queries {
				for _, m := range ix.Query(q) {
					if m.Distance > K || Distance(m.FP, q) != m.Distance {
						t.Errorf("Query(%016x) returned %v", q, m)
					}
				}
			}
		})
	}
	wg.Wait()
	checkAgainstScan(t, entries, queries, ix)
}

func TestIndexEmptyAndEdges(t *testing.T) {
	ix := NewIndex(K)
	if got := ix.Query(42); got != nil || ix.Len() != 0 {
		t.Fatalf("empty index: Query = %v, Len = %d", got, ix.Len())
	}
	ix.AddMany(nil)
	ix.Add(0, 1)
	ix.Add(^uint64(0), 2)
	ix.Add(0b111, 3)
	ix.Add(0b1111, 4)
	want := []Match{{ID: 1, FP: 0}, {ID: 3, FP: 0b111, Distance: 3}}
	if got := ix.Query(0); !slices.Equal(got, want) {
		t.Fatalf("Query(0) = %v, want %v", got, want)
	}
	if got := ix.Query(^uint64(0)); len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("Query(^0) = %v", got)
	}
	for _, k := range []int{-1, 33} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewIndex(%d) did not panic", k)
				}
			}()
			NewIndex(k)
		}()
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b uint64
		want int
	}{{0, 0, 0}, {0, 1, 1}, {0, ^uint64(0), 64}, {0xF0, 0x0F, 8}, {1 << 63, 0, 1}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%x, %x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
