package archive

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

// benchVocabulary is the word list of generated article texts: some real
// words of the domain, then made-up ones, drawn with a Zipf distribution as
// words of real prose are.
var benchVocabulary = func() []string {
	words := strings.Fields(`the of and to in a is that for on with as by at from it model models AI
		agents agent autonomous autonomy task tasks hours horizon benchmark score percent research lab
		labs compute training inference frontier release released reported according researchers said
		system systems software engineering code coding developers productivity multiplier speed-up
		evaluation evaluations METR OpenAI Anthropic Google DeepMind reasoning capability capabilities
		doubling time months year years new record previous best performance open weights safety
		alignment policy governance chips data centers investment billion million scale scaling law`)
	r := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for len(words) < 20000 {
		b := make([]byte, 3+r.IntN(9))
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		words = append(words, string(b))
	}
	return words
}()

// benchText returns prose-like text of about n bytes.
func benchText(r *rand.Rand, z *rand.Zipf, n int) string {
	var b strings.Builder
	b.Grow(n + 16)
	inSentence := 0
	for b.Len() < n {
		w := benchVocabulary[z.Uint64()]
		if inSentence == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		inSentence++
		if inSentence > 8 && r.IntN(10) == 0 {
			b.WriteString(". ")
			inSentence = 0
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// benchArticles returns n articles with 1–3 KB of text, without URLs.
func benchArticles(seed uint64, n int) []frontierwatch.Article {
	r := rand.New(rand.NewPCG(seed, 7))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(benchVocabulary)-1))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	arts := make([]frontierwatch.Article, n)
	for i := range arts {
		arts[i] = frontierwatch.Article{
			Title:       benchText(r, z, 60),
			Author:      "A. Writer",
			Published:   base.Add(-time.Duration(r.IntN(1000)) * time.Hour),
			Text:        benchText(r, z, 1000+r.IntN(2000)),
			Language:    "en",
			ContentHash: fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()),
			SimHash:     r.Uint64(),
		}
	}
	return arts
}

// benchStore opens a store with one source in a temporary directory.
func benchStore(b *testing.B) (*Store, frontierwatch.Source) {
	b.Helper()
	return benchStoreAt(b, b.TempDir()+"/bench.db")
}

// benchStoreAt opens a store with one source on the database at url.
func benchStoreAt(b *testing.B, url string) (*Store, frontierwatch.Source) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, url, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	src, err := s.UpsertSource(ctx, frontierwatch.Source{Name: "bench", Kind: frontierwatch.KindFeed, URL: "https://example.org/feed"})
	if err != nil {
		b.Fatal(err)
	}
	return s, src
}

// fillPolls stores polls of perPoll new articles, i numbering the poll.
func commitBenchPoll(b *testing.B, s *Store, src frontierwatch.Source, pool []frontierwatch.Article, batch []frontierwatch.Article, i int) {
	for j := range batch {
		batch[j] = pool[(i*len(batch)+j)%len(pool)]
		batch[j].URL = fmt.Sprintf("https://example.org/%d/article-%d", i, j)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ins, err := s.CommitPoll(context.Background(), PollUpdate{SourceID: src.ID, At: at, ETag: fmt.Sprint(i)}, batch)
	if err != nil {
		b.Fatal(err)
	}
	if len(ins) != len(batch) {
		b.Fatalf("inserted %d, want %d", len(ins), len(batch))
	}
}

// BenchmarkCommitPoll stores polls of 50 new articles (1–3 KB of text each)
// into a growing archive, as the first poll of many feeds does.
func BenchmarkCommitPoll(b *testing.B) {
	s, src := benchStore(b)
	pool := benchArticles(1, 2000)
	batch := make([]frontierwatch.Article, 50)
	for i := 0; b.Loop(); i++ {
		commitBenchPoll(b, s, src, pool, batch, i)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkIndexPending adds 50 stored articles per op to the full-text
// index (in batches, as IndexPending does after a poll cycle).
func BenchmarkIndexPending(b *testing.B) {
	s, src := benchStore(b)
	pool := benchArticles(1, 2000)
	batch := make([]frontierwatch.Article, 50)
	for i := range b.N {
		commitBenchPoll(b, s, src, pool, batch, i)
	}
	b.ResetTimer()
	n, err := s.IndexPending(context.Background(), 0)
	if err != nil {
		b.Fatal(err)
	}
	if n != b.N*len(batch) {
		b.Fatalf("indexed %d, want %d", n, b.N*len(batch))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkSearch runs a two-word query over 10,000 indexed articles.
func BenchmarkSearch(b *testing.B) {
	s, src := benchStore(b)
	pool := benchArticles(1, 2000)
	batch := make([]frontierwatch.Article, 50)
	for i := range 200 {
		commitBenchPoll(b, s, src, pool, batch, i)
	}
	ctx := context.Background()
	if _, err := s.IndexPending(ctx, 0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		hits, err := s.Search(ctx, Query{Text: "autonomy horizon", Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		if len(hits) == 0 {
			b.Fatal("no hits")
		}
	}
}

// BenchmarkCommitPollPostgres is BenchmarkCommitPoll on PostgreSQL (the
// text is indexed as it is inserted there: no IndexPending).
func BenchmarkCommitPollPostgres(b *testing.B) {
	s, src := benchStoreAt(b, newPGDatabase(b, true))
	pool := benchArticles(1, 2000)
	batch := make([]frontierwatch.Article, 50)
	for i := 0; b.Loop(); i++ {
		commitBenchPoll(b, s, src, pool, batch, i)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkSearchPostgres is BenchmarkSearch on PostgreSQL.
func BenchmarkSearchPostgres(b *testing.B) {
	s, src := benchStoreAt(b, newPGDatabase(b, true))
	pool := benchArticles(1, 2000)
	batch := make([]frontierwatch.Article, 50)
	for i := range 200 {
		commitBenchPoll(b, s, src, pool, batch, i)
	}
	ctx := context.Background()
	for b.Loop() {
		hits, err := s.Search(ctx, Query{Text: "autonomy horizon", Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		if len(hits) == 0 {
			b.Fatal("no hits")
		}
	}
}
