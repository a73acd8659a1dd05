package archive

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

const filler = "Researchers published the quarterly report on compute budgets and chip supply. " +
	"Analysts expect prices to fall as new data centers open across several regions this year."

// searchFixture stores a small archive; its articles are named by URL
// path ("/title", "/body", …).
func searchFixture(t testing.TB) (*Store, map[string]int64) {
	t.Helper()
	return fillSearchFixture(t, openTest(t))
}

// fillSearchFixture stores searchFixture's articles in s.
func fillSearchFixture(t testing.TB, s *Store) (*Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	a := mustUpsertTB(t, s, feedSource("a"))
	b := mustUpsertTB(t, s, feedSource("b"))
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 12, 0, 0, 0, time.UTC) }
	ids := map[string]int64{}
	commit := func(src frontierwatch.Source, arts ...frontierwatch.Article) {
		t.Helper()
		ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: day(3, 15)}, arts)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range ins {
			ids[strings.TrimPrefix(a.URL, "https://example.org")] = a.ID
		}
	}
	title := article("https://example.org/title", "Agents set an autonomy record", filler)
	title.Published = day(1, 10)
	body := article("https://example.org/body", "Weekly roundup",
		filler+" One lab said its agents now work with more autonomy than before. "+filler)
	body.Published = day(2, 10)
	accents := article("https://example.org/accents", "Café talk", "A résumé of naïve coöperation between labs.")
	accents.Fetched = day(3, 1) // published unknown: filters use the fetch time
	notext := article("https://example.org/notext", "Autonomy without a body", "")
	notext.Published = day(1, 20)
	commit(a, title, accents, notext)
	commit(b, body)
	var fill []frontierwatch.Article
	for i := range 12 {
		f := article(fmt.Sprintf("https://example.org/filler%d", i), fmt.Sprintf("Market note %d", i), filler)
		f.Published = day(1, 1+i)
		fill = append(fill, f)
	}
	commit(b, fill...)
	return s, ids
}

func mustUpsertTB(t testing.TB, s *Store, src frontierwatch.Source) frontierwatch.Source {
	t.Helper()
	out, err := s.UpsertSource(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hitIDs(hits []Hit) []int64 {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestSearchRankingAndSnippets(t *testing.T) { eachBackend(t, testSearchRankingAndSnippets) }

func testSearchRankingAndSnippets(t *testing.T) {
	ctx := context.Background()
	s, ids := searchFixture(t)
	hits, err := s.Search(ctx, Query{Text: "autonomy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Fatalf("hits = %v, want title, notext and body", hitIDs(hits))
	}
	byID := map[int64]Hit{}
	for _, h := range hits {
		byID[h.ID] = h
		if h.Text != "" {
			t.Errorf("hit %d carries its text", h.ID)
		}
	}
	if last := hits[len(hits)-1]; last.ID != ids["/body"] {
		t.Errorf("ranking %v: the body match should come after the title matches", hitIDs(hits))
	}
	if !(hits[0].Rank > byID[ids["/body"]].Rank) {
		t.Errorf("ranks: title %v, body %v; want title higher", hits[0].Rank, byID[ids["/body"]].Rank)
	}
	if snip := byID[ids["/body"]].Snippet; !strings.Contains(snip, "[autonomy]") {
		t.Errorf("body snippet %q lacks [autonomy]", snip)
	}
	// Only the title matches: the snippet is the start of the text…
	if snip := byID[ids["/title"]].Snippet; !strings.HasPrefix(snip, "Researchers published") {
		t.Errorf("title-only snippet = %q, want the first words of the text", snip)
	}
	// …or the highlighted title when there is no text.
	if snip := byID[ids["/notext"]].Snippet; snip != "[Autonomy] without a body" {
		t.Errorf("no-text snippet = %q", snip)
	}
	// Metadata comes along.
	if h := byID[ids["/title"]]; h.Source != "a" || h.Title != "Agents set an autonomy record" || h.Published.IsZero() {
		t.Errorf("hit = %+v", h.Article)
	}
}

func TestSearchFilters(t *testing.T) { eachBackend(t, testSearchFilters) }

func testSearchFilters(t *testing.T) {
	ctx := context.Background()
	s, ids := searchFixture(t)
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"since", Query{Text: "autonomy", Since: day(2, 1)}, []string{"/body"}},
		{"until is exclusive", Query{Text: "autonomy", Until: day(1, 10)}, nil},
		{"until", Query{Text: "autonomy", Until: day(1, 11)}, []string{"/title"}},
		{"since and until", Query{Text: "autonomy", Since: day(1, 15), Until: day(2, 1)}, []string{"/notext"}},
		{"source", Query{Text: "autonomy", Source: "b"}, []string{"/body"}},
		{"unknown source", Query{Text: "autonomy", Source: "zzz"}, nil},
		{"fetch time when published is unknown", Query{Text: "resume", Since: day(2, 28), Until: day(3, 2)}, []string{"/accents"}},
		{"fetch time outside the range", Query{Text: "resume", Until: day(2, 28)}, nil},
		{"listing with filters, newest first", Query{Source: "a"}, []string{"/accents", "/notext", "/title"}},
		{"listing with limit", Query{Limit: 2}, []string{"/accents", "/body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				for name, id := range ids {
					if id == h.ID {
						got = append(got, name)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Search(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	if hits, err := s.Search(ctx, Query{Text: "market note", Limit: 5}); err != nil || len(hits) != 5 {
		t.Errorf("search with limit 5: %d hits, %v", len(hits), err)
	}
	all, err := s.Search(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 16 {
		t.Errorf("listing all = %d hits, want 16", len(all))
	}
	if !strings.HasSuffix(all[len(all)-1].Snippet, "…") || strings.Count(all[len(all)-1].Snippet, " ") != leadWords-1 {
		t.Errorf("listing snippet = %q, want the first %d words", all[len(all)-1].Snippet, leadWords)
	}
}

func TestClampLimit(t *testing.T) {
	for in, want := range map[int]int{-1: DefaultLimit, 0: DefaultLimit, 1: 1, 999: 999, 1000: 1000, 5000: MaxLimit} {
		if got := clampLimit(in); got != want {
			t.Errorf("clampLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestSearchDiacriticsAndStemming(t *testing.T) { eachBackend(t, testSearchDiacriticsAndStemming) }

func testSearchDiacriticsAndStemming(t *testing.T) {
	ctx := context.Background()
	s, ids := searchFixture(t)
	for _, q := range []string{"resume", "résumé", "naive", "cooperation", "CAFE", "café", "coop*", "labs resume"} {
		hits, err := s.Search(ctx, Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != ids["/accents"] {
			t.Errorf("Search(%q) = %v, want the accents article", q, hitIDs(hits))
		}
	}
	// Stemming: "records" finds "record".
	hits, err := s.Search(ctx, Query{Text: "records"})
	if err != nil || len(hits) != 1 || hits[0].ID != ids["/title"] {
		t.Errorf("Search(records) = %v, %v", hitIDs(hits), err)
	}
}

func TestSearchMalformedQueries(t *testing.T) { eachBackend(t, testSearchMalformedQueries) }

func testSearchMalformedQueries(t *testing.T) {
	ctx := context.Background()
	s, ids := searchFixture(t)
	tests := []struct {
		q    string
		want int64 // an article that must be found; 0: any result, no error
	}{
		{"AND", 0},
		{`"unbalanced`, 0},
		{`autonomy "record`, ids["/title"]},
		{"autonomy AND", ids["/title"]},
		{"foo:autonomy", 0},
		{"NEAR(", 0},
		{"*", 0},
		{"(autonomy", ids["/title"]},
		{"autonomy)", ids["/title"]},
		{"résumé -", ids["/accents"]},
		{"\x00autonomy", ids["/title"]},
		{"^", 0},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			hits, err := s.Search(ctx, Query{Text: tt.q})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.q, err)
			}
			if tt.want != 0 && !containsID(hits, tt.want) {
				t.Errorf("Search(%q) = %v, want %d among them", tt.q, hitIDs(hits), tt.want)
			}
		})
	}
	// Valid FTS5 syntax keeps its meaning.
	for q, want := range map[string][]int64{
		`"autonomy record"`:           {ids["/title"]},
		`title:autonomy NOT record`:   {ids["/notext"]},
		`autonomy OR résumé`:          {ids["/title"], ids["/notext"], ids["/accents"], ids["/body"]},
		`NEAR(agents autonomy, 3)`:    {ids["/title"]},
		`"autonomy record" OR café`:   {ids["/title"], ids["/accents"]},
		`record AND text:Researcher*`: {ids["/title"]},
	} {
		hits, err := s.Search(ctx, Query{Text: q})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(hits) != len(want) {
			t.Errorf("Search(%q) = %v, want %v (any order)", q, hitIDs(hits), want)
		}
		for _, id := range want {
			if !containsID(hits, id) {
				t.Errorf("Search(%q) = %v, want %d among them", q, hitIDs(hits), id)
			}
		}
	}
}

func containsID(hits []Hit, id int64) bool {
	for _, h := range hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

func TestSearchQueryTooBig(t *testing.T) { eachBackend(t, testSearchQueryTooBig) }

func testSearchQueryTooBig(t *testing.T) {
	s := openTest(t)
	for _, q := range []string{strings.Repeat("a", MaxQueryLen+1), strings.Repeat("a* ", MaxQueryTerms+1)} {
		_, err := s.Search(context.Background(), Query{Text: q})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("Search(%.20q…) = %v, want ErrBadQuery", q, err)
		}
	}
	if _, err := s.Search(context.Background(), Query{Text: strings.Repeat("a* ", MaxQueryTerms)}); err != nil {
		t.Errorf("Search with %d terms: %v", MaxQueryTerms, err)
	}
}

func TestQuoteTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"a b", `"a" "b"`},
		{`say "hi`, `"say" """hi"`},
		{"AND\x00OR", `"AND" "OR"`},
		{"x:y*", `"x:y*"`},
	}
	for _, tt := range tests {
		if got := QuoteTerms(tt.in); got != tt.want {
			t.Errorf("QuoteTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBadQueryError(t *testing.T) {
	err := fmt.Errorf("%w %q: %s", ErrBadQuery, "x", "reason")
	if !errors.Is(err, ErrBadQuery) || isQueryError(err) {
		t.Errorf("classification of %v", err)
	}
	// SQLite's own rejection of a statement is a query error; the reason
	// loses the driver's decorations.
	s := openTest(t)
	_, err = s.r.ExecContext(context.Background(), `SELECT * FROM articles_fts WHERE articles_fts MATCH 'AND'`)
	if !isQueryError(err) {
		t.Fatalf("isQueryError(%v) = false", err)
	}
	if got := queryErrorReason(err); got != `fts5: syntax error near "AND"` {
		t.Errorf("queryErrorReason = %q", got)
	}
	if isQueryError(context.Canceled) {
		t.Error("context.Canceled is not a query error")
	}
}

// Articles are indexed lazily: Search indexes what is pending, so new
// articles are found at once, and triggers keep indexed ones in sync.
func TestSearchIndexSync(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("x"))
	count := func(q string) int {
		t.Helper()
		hits, err := s.Search(ctx, Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return len(hits)
	}
	ins, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{
		article("https://example.org/1", "Alpha", "first text"),
		article("https://example.org/2", "Beta", "second text"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count("alpha"); n != 1 {
		t.Fatalf("new article found %d times", n)
	}
	if n, err := s.IndexPending(ctx, 0); err != nil || n != 0 {
		t.Errorf("IndexPending after Search = %d, %v; want 0", n, err)
	}
	// Indexed articles: update and delete reach the index.
	if _, err := s.w.ExecContext(ctx, `UPDATE articles SET title = 'Gamma' WHERE id = ?`, ins[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, ins[1].ID); err != nil {
		t.Fatal(err)
	}
	if a, g, b := count("alpha"), count("gamma"), count("beta"); a != 0 || g != 1 || b != 0 {
		t.Errorf("after update and delete: alpha %d, gamma %d, beta %d; want 0 1 0", a, g, b)
	}
	// Articles not indexed yet: changes before indexing are fine too.
	ins, err = s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, []frontierwatch.Article{
		article("https://example.org/3", "Delta", "third"),
		article("https://example.org/4", "Epsilon", "fourth"),
		article("https://example.org/5", "Zeta", "fifth"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE articles SET title = 'Eta' WHERE id = ?`, ins[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, ins[1].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexPending(ctx, 1); err != nil || n != 1 {
		t.Errorf("IndexPending(1) = %d, %v; want 1", n, err)
	}
	if n, err := s.IndexPending(ctx, 0); err != nil || n != 1 {
		t.Errorf("IndexPending(all) = %d, %v; want 1", n, err)
	}
	if d, e, ep, z := count("delta"), count("eta"), count("epsilon"), count("zeta"); d != 0 || e != 1 || ep != 0 || z != 1 {
		t.Errorf("delta %d eta %d epsilon %d zeta %d; want 0 1 0 1", d, e, ep, z)
	}
	// The index is consistent with its content table.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}

// A second store (another process) indexing at the same time indexes every
// article once.
func TestIndexPendingConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	a, b := openAt(t, path), openAt(t, path)
	src := mustUpsert(t, a, feedSource("x"))
	arts := benchArticles(3, indexBatch+100) // at least two batches
	for i := range arts {
		arts[i].URL = fmt.Sprintf("https://example.org/%d", i)
	}
	if _, err := a.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0}, arts); err != nil {
		t.Fatal(err)
	}
	type result struct {
		n   int
		err error
	}
	res := make(chan result, 2)
	for _, s := range []*Store{a, b} {
		go func() {
			n, err := s.IndexPending(ctx, 0)
			res <- result{n, err}
		}()
	}
	r1, r2 := <-res, <-res
	if r1.err != nil || r2.err != nil {
		t.Fatal(r1.err, r2.err)
	}
	if r1.n+r2.n != len(arts) {
		t.Errorf("indexed %d + %d, want %d in all", r1.n, r2.n, len(arts))
	}
	if _, err := a.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}

// FuzzSearch: whatever the user types, Search answers or says the query is
// bad; it never fails otherwise.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"autonomy", "AND", `"unbalanced`, "foo:bar", "NEAR(a b, 2)", "*", "a OR", "-x",
		"^title", "title:autonomy NOT record", "\x00", "(((", `""`, "é*", "a + b", "{title text}: x", "\xff\xfe"} {
		f.Add(seed)
	}
	s, _ := searchFixture(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		_, err := s.Search(ctx, Query{Text: q, Limit: 5})
		if err != nil && !errors.Is(err, ErrBadQuery) {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}

// Search sees an article's new title at once, and no longer finds a
// deleted article (SQLite: triggers on the index; PostgreSQL: the
// generated column).
func TestSearchSeesChanges(t *testing.T) { eachBackend(t, testSearchSeesChanges) }

func testSearchSeesChanges(t *testing.T) {
	ctx := context.Background()
	s, ids := searchFixture(t)
	if _, err := s.wdb().ExecContext(ctx, `UPDATE articles SET title = ? WHERE id = ?`, "Zebra crossing", ids["/title"]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.wdb().ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, ids["/notext"]); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.Search(ctx, Query{Text: "zebra"}); err != nil || len(hits) != 1 || hits[0].ID != ids["/title"] {
		t.Errorf("Search(zebra) = %v, %v", hitIDs(hits), err)
	}
	if hits, err := s.Search(ctx, Query{Text: "autonomy"}); err != nil || len(hits) != 1 || hits[0].ID != ids["/body"] {
		t.Errorf("Search(autonomy) = %v, %v; want the body only", hitIDs(hits), err)
	}
}

// TestReadStatementCacheBounded: search statements are kept prepared by
// SQL text, up to maxReadStmts of them; past that a query still runs, as
// text, and the cache does not grow.
func TestReadStatementCacheBounded(t *testing.T) {
	s, ids := searchFixture(t)
	ctx := context.Background()
	for i := range maxReadStmts + 5 {
		rows, err := s.rquery(ctx, fmt.Sprintf("SELECT id FROM articles WHERE id = ? AND %d = %d", i, i), ids["/title"])
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || n != 1 {
			t.Fatalf("query %d: %d rows, %v", i, n, err)
		}
	}
	s.rstmts.mu.Lock()
	got := len(s.rstmts.m)
	s.rstmts.mu.Unlock()
	if got != maxReadStmts {
		t.Errorf("%d statements cached, want the bound %d", got, maxReadStmts)
	}
	// A search still works with the cache full, and its statements (some
	// cached earlier, some not) give the same page as before.
	p, err := s.SearchPage(ctx, PageQuery{Query: Query{Text: "autonomy", Limit: 10}})
	if err != nil || len(p.Hits) != 3 {
		t.Fatalf("search with a full cache: %d hits, %v; want 3", len(p.Hits), err)
	}
	want := map[int64]bool{ids["/title"]: true, ids["/body"]: true, ids["/notext"]: true}
	for _, h := range p.Hits {
		if !want[h.ID] {
			t.Errorf("hit %d %q: want one of the three autonomy articles, once each", h.ID, h.Snippet)
		}
		if h.ID == ids["/body"] && !strings.Contains(h.Snippet, HighlightStart+"autonomy"+HighlightEnd) {
			t.Errorf("body hit's snippet %q: want autonomy highlighted", h.Snippet)
		}
		delete(want, h.ID)
	}
}

// TestReadStatementsConcurrent: searches preparing the same and different
// statements at once all get their rows (run with -race), and the cache
// keeps one statement per SQL text.
func TestReadStatementsConcurrent(t *testing.T) {
	s, _ := searchFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 12 {
				q := fmt.Sprintf("SELECT count(*) FROM articles WHERE id > %d", (g+i)%6)
				rows, err := s.rquery(ctx, q)
				if err != nil {
					errs <- err
					return
				}
				n := 0
				for rows.Next() {
					n++
				}
				if err := errors.Join(rows.Err(), rows.Close()); err != nil || n != 1 {
					errs <- fmt.Errorf("%s: %d rows, %v", q, n, err)
					return
				}
				p, err := s.SearchPage(ctx, PageQuery{Query: Query{Text: "autonomy", Limit: 1 + i%3}})
				if err != nil || len(p.Hits) != 1+i%3 {
					errs <- fmt.Errorf("search: %d hits, %v", len(p.Hits), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s.rstmts.mu.Lock()
	defer s.rstmts.mu.Unlock()
	counts := 0
	for q := range s.rstmts.m {
		if strings.HasPrefix(q, "SELECT count(*) FROM articles WHERE id > ") {
			counts++
		}
	}
	if counts != 6 {
		t.Errorf("%d cached statements for the 6 count texts, want 6", counts)
	}
}
