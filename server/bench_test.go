package server

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// The benchmarks run on a generated archive that is built once and kept
// under the temporary directory (frontierwatch-bench/), so reruns start
// at once:
//
//	go test ./server -run '^$' -bench . -benchtime 400x
//
// FRONTIERWATCH_BENCH_ARTICLES sets its size (default 1,000,000 articles);
// it always holds benchSeriesFigures task_horizon figures.

const (
	benchSchema        = 2 // bump when the generated content changes
	benchSeriesFigures = 100_000
	benchBatch         = 20_000
)

// benchPhrases are what generated articles are about: half the articles
// carry one, drawn with a Zipf distribution, so the first phrases are in
// several percent of the articles and the last ones in a few in ten
// thousand, as topics of real news are. The rest of the text is filler
// words, themselves Zipf-distributed.
var benchPhrases = func() []string {
	ps := strings.Split("frontier model release|autonomous agents|time horizon|reasoning model|coding assistant|"+
		"compute budget|open weights model|safety framework|METR evaluation|doubling time|agentic workflow|"+
		"data center power|inference cost|scaling law|benchmark saturation|model card|chip export rules|"+
		"research lab hiring|policy hearing|funding round|SWE-bench Verified|productivity multiplier|"+
		"share of code written by AI|AI R&D speed-up|task success rate", "|")
	r := rand.New(rand.NewPCG(5, 6))
	for len(ps) < 200 {
		ps = append(ps, benchWords[1000+r.IntN(20000)]+" "+benchWords[1000+r.IntN(20000)])
	}
	return ps
}()

// benchQueries are searches of several selectivities (see the log of
// BenchmarkSearch for how many articles each matches): phrases of rank 2
// to 25 of benchPhrases, and a rare made-up word.
var benchQueries = []string{"autonomous agents", `"time horizon"`, "METR", `"doubling time"`, `"SWE-bench"`,
	"productivity multiplier", benchWords[25000]}

// benchCommonQueries are made only of words found in a large part of the
// archive, as "AI" is in an archive of AI news: BM25 weighs each term by
// walking all its matches first, so these show the worst case. They are
// measured and logged apart, outside the p50 and p99 of benchQueries.
var benchCommonQueries = []string{benchWords[16], "people company"}

var benchWords = func() []string {
	words := strings.Fields(`the of and to in a is that for on with as by at from it said new year
		its was were has have will would could about more than after over into also report people company
		week percent million billion first last two three system systems software data users market`)
	r := rand.New(rand.NewPCG(11, 12))
	for len(words) < 30000 {
		b := make([]byte, 4+r.IntN(8))
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		words = append(words, string(b))
	}
	return words
}()

// benchText returns about n bytes of filler, with the phrase p (if any)
// somewhere in it.
func benchText(r *rand.Rand, z *rand.Zipf, n int, p string) string {
	var b strings.Builder
	b.Grow(n + 64)
	at := r.IntN(n)
	for b.Len() < n {
		if p != "" && b.Len() >= at {
			b.WriteString(p)
			b.WriteByte(' ')
			p = ""
			continue
		}
		b.WriteString(benchWords[z.Uint64()])
		if r.IntN(14) == 0 {
			b.WriteString(". ")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

var benchDB struct {
	once sync.Once
	path string
	n    int
	err  error
}

// benchArchive returns the path of the generated archive, building it
// when it is not cached yet.
func benchArchive(b *testing.B) (string, int) {
	benchDB.once.Do(func() {
		n := 1_000_000
		if v := os.Getenv("FRONTIERWATCH_BENCH_ARTICLES"); v != "" {
			if n, benchDB.err = strconv.Atoi(v); benchDB.err != nil || n < benchSeriesFigures {
				benchDB.err = fmt.Errorf("FRONTIERWATCH_BENCH_ARTICLES=%q: want a number >= %d", v, benchSeriesFigures)
				return
			}
		}
		dir := filepath.Join(os.TempDir(), "frontierwatch-bench")
		benchDB.n = n
		benchDB.path = filepath.Join(dir, fmt.Sprintf("archive-%d-v%d.db", n, benchSchema))
		if _, err := os.Stat(benchDB.path); err == nil {
			return
		}
		start := time.Now()
		tmp := benchDB.path + ".building"
		_ = os.Remove(tmp)
		_ = os.Remove(tmp + "-wal")
		_ = os.Remove(tmp + "-shm")
		if benchDB.err = buildBenchArchive(tmp, n, func(msg string) { b.Logf("%s (%s)", msg, time.Since(start).Round(time.Second)) }); benchDB.err != nil {
			return
		}
		benchDB.err = os.Rename(tmp, benchDB.path)
		b.Logf("built %s with %d articles in %s", benchDB.path, n, time.Since(start).Round(time.Second))
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.path, benchDB.n
}

// buildBenchArchive makes the archive's schema with archive.Open, then
// bulk-loads n articles, one story each, the full-text index and the
// series figures with plain SQL in large transactions: the pipeline's
// per-poll path would take far longer and is measured elsewhere.
func buildBenchArchive(path string, n int, logf func(string)) (err error) {
	ctx := context.Background()
	st, err := archive.Open(ctx, path, archive.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := st.UpsertSource(ctx, frontierwatch.Source{Name: "bench", Kind: frontierwatch.KindFeed, URL: "https://bench.example/feed", Enabled: true}); err != nil {
		return err
	}
	db := st.WriteDB()
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.07, 2, uint64(len(benchWords)-1))
	zp := rand.NewZipf(r, 1.1, 1, uint64(len(benchPhrases)-1))
	phrase := func() string {
		if r.IntN(2) == 0 {
			return ""
		}
		return benchPhrases[zp.Uint64()]
	}
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	sites := []string{"metr.example", "lab.example", "news.example", "blog.example", "wire.example"}
	for start := 0; start < n; start += benchBatch {
		err := inTx(ctx, db, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO articles (id, url, source, title, published_at, fetched_at, text, site, story_id, content_hash)
				VALUES (?, ?, 'bench', ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i := start; i < min(start+benchBatch, n); i++ {
				id := int64(i + 1)
				pub := base.Add(time.Duration(i) * 90 * time.Second).UnixMilli() // ~3 years
				if _, err := stmt.ExecContext(ctx, id, fmt.Sprintf("https://%s/a/%d", sites[i%len(sites)], id),
					strings.TrimSpace(benchText(r, z, 50, "")), pub, pub+60_000, benchText(r, z, 400+r.IntN(400), phrase()),
					sites[i%len(sites)], id, fmt.Sprintf("%016x", r.Uint64())); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if (start/benchBatch)%10 == 9 {
			logf(fmt.Sprintf("%d articles", start+benchBatch))
		}
	}
	steps := []struct{ what, sql string }{
		{"stories", `INSERT INTO stories (id, first_seen, articles, sites) SELECT id, fetched_at, 1, 1 FROM articles`},
		{"series figures", fmt.Sprintf(`INSERT INTO figures (article_id, metric, key, value, comparable, unit, qualifier, subject, surface, sentence, seen_at)
			SELECT id, 'task_horizon', 'task_horizon', v, v, 'hours', 'about', 'Model ' || (id %% 40), v || ' hours', 'A model worked ' || v || ' hours.', published_at
			FROM (SELECT id, published_at, round(0.01 * exp((published_at - %d) / 1000.0 / 86400 / 30.436875 * ln(2) / 7.0) * (0.5 + (abs(random()) %% 1000) / 1000.0), 4) AS v
				FROM articles WHERE id %% %d = 0)`, base.UnixMilli(), n/benchSeriesFigures)},
	}
	for _, s := range steps {
		if err := inTx(ctx, db, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, s.sql); return err }); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		logf(s.what)
	}
	// The full-text index, in chunks of 100,000 articles.
	for from := 0; from < n; from += 100_000 {
		err := inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, text)
				SELECT id, title, text FROM articles WHERE id > ? AND id <= ? ORDER BY id`, from, from+100_000); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE articles_fts_state SET indexed_upto = ?`, min(from+100_000, n))
			return err
		})
		if err != nil {
			return fmt.Errorf("index: %w", err)
		}
		logf(fmt.Sprintf("indexed %d", min(from+100_000, n)))
	}
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// latencies records durations and reports their percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	b.ReportMetric(l.pct(0.50), "p50-ms")
	b.ReportMetric(l.pct(0.99), "p99-ms")
}

// pct is the p-th quantile in milliseconds.
func (l latencies) pct(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}

// rawSearchSQL is the archive's full-text query written by hand: the best
// 50 matches with snippets, ranked by FTS5 with its rank, among the matches
// with IDs in a band (the API's ranking window, archive.SearchPage).
const rawSearchSQL = `SELECT a.id, a.url, a.title, a.source, a.published_at,
		snippet(articles_fts, 1, '[', ']', '…', 12), articles_fts.rank
	FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
	WHERE articles_fts MATCH ? AND articles_fts.rank MATCH 'bm25(10.0, 1.0)'
		AND articles_fts.rowid BETWEEN ? AND ?
	ORDER BY articles_fts.rank LIMIT 50`

// rawBandSQL finds the band of the newest archive.DefaultRankWindow matches.
const rawBandSQL = `SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM (
		SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH ?
		ORDER BY rowid DESC LIMIT ?)`

// BenchmarkSearch compares a search through the API (HTTP on loopback,
// keyset pagination, JSON) with the same FTS5 query run on the database
// directly, query for query, in the same run.
func BenchmarkSearch(b *testing.B) {
	path, _ := benchArchive(b)
	ctx := context.Background()
	st, err := archive.Open(ctx, path, archive.WithLogger(quiet))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(Options{Store: st, Logger: quiet, RateLimit: RateLimit{Disabled: true}}))
	defer srv.Close()
	// The same pragmas as the archive's readers (archive/sqlite.go): a
	// memory map, so that both sides read pages the same way.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)&_pragma=mmap_size(1073741824)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()

	apiOnce := func(q string) {
		resp, err := http.Get(srv.URL + "/api/v1/articles?limit=50&q=" + url.QueryEscape(q))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", q, resp.StatusCode)
		}
	}
	// pageOnce asks the web page for the same search (HTML, 50 hits).
	pageOnce := func(q string) {
		resp, err := http.Get(srv.URL + "/?q=" + url.QueryEscape(q))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("page %s: %d", q, resp.StatusCode)
		}
	}
	// rawQuery runs the API's two statements by hand: the band, then the
	// ranking in it; window 0 ranks every match (what the archive did
	// before bands, for reference).
	rawQuery := func(q string, window int) {
		floor, ceil := int64(0), int64(math.MaxInt64)
		if window > 0 {
			var n int
			if err := raw.QueryRowContext(ctx, rawBandSQL, q, window).Scan(&n, &floor, &ceil); err != nil {
				b.Fatal(err)
			}
			if n < window {
				floor = 0
			}
		}
		rows, err := raw.QueryContext(ctx, rawSearchSQL, q, floor, ceil)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var (
				id             int64
				u, t, src, snp string
				pub            sql.NullInt64
				rank           float64
			)
			if err := rows.Scan(&id, &u, &t, &src, &pub, &snp, &rank); err != nil {
				b.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	rawOnce := func(q string) { rawQuery(q, archive.DefaultRankWindow) }
	rawAllOnce := func(q string) { rawQuery(q, 0) }
	// Warm both paths (page cache, prepared statements, connections).
	for _, q := range benchQueries {
		apiOnce(q)
		rawOnce(q)
	}
	perQuery := map[string]map[string]latencies{"raw-fts5": {}, "api": {}, "web-page": {}, "raw-fts5-rank-all": {}}
	for _, c := range []struct {
		name string
		run  func(string)
	}{{"raw-fts5", rawOnce}, {"api", apiOnce}, {"web-page", pageOnce}, {"raw-fts5-rank-all", rawAllOnce}} {
		b.Run(c.name, func(b *testing.B) {
			var lat latencies
			for i := 0; b.Loop(); i++ {
				q := benchQueries[i%len(benchQueries)]
				t := time.Now()
				c.run(q)
				d := time.Since(t)
				lat = append(lat, d)
				perQuery[c.name][q] = append(perQuery[c.name][q], d)
			}
			lat.report(b)
		})
	}
	// Per query, to see what selectivity costs.
	for _, q := range benchCommonQueries {
		for range 10 {
			for _, c := range []struct {
				name string
				run  func(string)
			}{{"raw-fts5", rawOnce}, {"api", apiOnce}, {"web-page", pageOnce}, {"raw-fts5-rank-all", rawAllOnce}} {
				t := time.Now()
				c.run(q)
				perQuery[c.name][q] = append(perQuery[c.name][q], time.Since(t))
			}
		}
	}
	for _, q := range append(slices.Clone(benchQueries), benchCommonQueries...) {
		var n int
		_ = raw.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`, q).Scan(&n)
		label := q
		if slices.Contains(benchCommonQueries, q) {
			label += " (apart)"
		}
		b.Logf("%-26s matches %7d articles: p50 raw %6.1f ms, api %6.1f ms, web page %6.1f ms, raw ranking every match %6.1f ms", label, n,
			perQuery["raw-fts5"][q].pct(0.5), perQuery["api"][q].pct(0.5), perQuery["web-page"][q].pct(0.5), perQuery["raw-fts5-rank-all"][q].pct(0.5))
	}
}

// BenchmarkSeries reads the series of a metric with 100,000 figures: all
// of them, and the default first 10,000 (the trend always fits all).
func BenchmarkSeries(b *testing.B) {
	path, _ := benchArchive(b)
	st, err := archive.Open(context.Background(), path, archive.WithLogger(quiet))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(Options{Store: st, Logger: quiet, RateLimit: RateLimit{Disabled: true}}))
	defer srv.Close()
	// The baseline: the archive's series statement run on the database
	// directly, every row scanned.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)&_pragma=mmap_size(1073741824)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	b.Run("raw-sql-all-100k", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			t := time.Now()
			rows, err := raw.Query(`SELECT f.id, f.article_id, f.value, f.min, f.max, f.qualifier, f.subject,
				f.benchmark, f.as_of, f.surface, f.seen_at, a.source, a.site, a.url
				FROM figures f JOIN articles a ON a.id = f.article_id
				WHERE f.metric = ? AND f.forecast = 0 ORDER BY f.seen_at, f.id`, "task_horizon")
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var (
					id, art, seen          int64
					v, lo, hi              sql.NullFloat64
					q, subj, bm, asof, sur string
					src, site, u           string
				)
				if err := rows.Scan(&id, &art, &v, &lo, &hi, &q, &subj, &bm, &asof, &sur, &seen, &src, &site, &u); err != nil {
					b.Fatal(err)
				}
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			rows.Close()
			lat = append(lat, time.Since(t))
		}
		lat.report(b)
	})
	for _, c := range []struct{ name, query string }{{"all-100k", "?limit=100000"}, {"default-10k", ""}} {
		b.Run(c.name, func(b *testing.B) {
			var lat latencies
			var size int64
			for b.Loop() {
				t := time.Now()
				resp, err := http.Get(srv.URL + "/api/v1/metrics/task_horizon/series" + c.query)
				if err != nil {
					b.Fatal(err)
				}
				size, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.StatusCode)
				}
				lat = append(lat, time.Since(t))
			}
			lat.report(b)
			b.ReportMetric(float64(size)/(1<<20), "MiB/resp")
		})
	}
}
