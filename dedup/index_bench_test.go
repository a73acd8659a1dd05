package dedup

import (
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The benchmark fixture: a million random fingerprints, among them
// neighbours planted at distances 0..K+1 around a thousand centres,
// and queries that are those centres (and their neighbours) or random.
const benchN = 1_000_000

var bench struct {
	once       sync.Once
	entries    []Entry
	queries    []uint64
	ix         *Index
	bytesPerFP float64
	buildTime  time.Duration
	indexP50   time.Duration
}

func benchFixture(b *testing.B) {
	bench.once.Do(func() {
		r := rand.New(rand.NewPCG(2007, 3))
		entries, queries := plantedSet(r, benchN-1000*(K+4), 1000, K)
		bench.entries, bench.queries = entries, queries

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		ix := NewIndex(K)
		ix.AddMany(entries)
		bench.buildTime = time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		bench.ix = ix
		bench.bytesPerFP = float64(after.HeapAlloc-before.HeapAlloc) / float64(ix.Len())
	})
	b.ResetTimer()
}

// latencies runs query over the fixture's queries b.N times, timing each
// call, and reports the median and the 99th percentile.
func latencies(b *testing.B, query func(uint64) int) time.Duration {
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := bench.queries[i%len(bench.queries)]
		start := time.Now()
		found += query(q)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	if found == 0 {
		b.Fatal("no query found anything")
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(p99.Nanoseconds()), "p99-ns")
	return p50
}

// BenchmarkIndexQuery: Index.Query over a million fingerprints at distance
// K. Reports the per-query median and 99th percentile, the memory
// per fingerprint and the time of the bulk build.
//
//	go test ./dedup -run '^$' -bench 'IndexQuery|ScanQuery' -benchtime 20000x
func BenchmarkIndexQuery(b *testing.B) {
	benchFixture(b)
	bench.indexP50 = latencies(b, func(q uint64) int { return len(bench.ix.Query(q)) })
	b.ReportMetric(bench.bytesPerFP, "B/fp")
	b.ReportMetric(float64(bench.buildTime.Milliseconds()), "build-ms")
}

// BenchmarkScanQuery: the same queries answered by comparing every
// fingerprint. Reports how many times slower than the index it is.
func BenchmarkScanQuery(b *testing.B) {
	benchFixture(b)
	fps := make([]uint64, len(bench.entries))
	for i, e := range bench.entries {
		fps[i] = e.FP
	}
	p50 := latencies(b, func(q uint64) int {
		n := 0
		for _, fp := range fps {
			if bits.OnesCount64(fp^q) <= K {
				n++
			}
		}
		return n
	})
	if bench.indexP50 > 0 {
		b.ReportMetric(float64(p50)/float64(bench.indexP50), "x-index-p50")
	}
}
