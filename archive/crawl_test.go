package archive

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

func siteSource(name string) frontierwatch.Source {
	return frontierwatch.Source{Name: name, Kind: frontierwatch.KindSite, URL: "https://example.org/news", Enabled: true,
		Follow: []string{`^https://example\.org/news/.+`}, MaxDepth: 1, MaxPages: 50}
}

func crawlURLs(prefix string, n int) []CrawlURL {
	out := make([]CrawlURL, n)
	for i := range out {
		u := fmt.Sprintf("https://example.org/news/%s-%d", prefix, i)
		out[i] = CrawlURL{Key: u, URL: u + "?utm_source=x", Depth: 1}
	}
	return out
}

func TestAddCrawlURLsIsTestAndSet(t *testing.T) { eachBackend(t, testAddCrawlURLsIsTestAndSet) }

func testAddCrawlURLsIsTestAndSet(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, siteSource("lab"))
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	urls := crawlURLs("a", 50)
	// Eight finders race over the same URLs: each URL is new to exactly one.
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			added, err := s.AddCrawlURLs(ctx, src.ID, urls, at)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, u := range added {
				got[u.Key]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != len(urls) {
		t.Fatalf("%d distinct URLs added, want %d", len(got), len(urls))
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s added %d times", k, n)
		}
	}

	// A restart (a new Store on the same file) knows them all.
	s2 := openAt(t, reopenURL(s))
	added, err := s2.AddCrawlURLs(ctx, src.ID, append(urls[:10:10], crawlURLs("b", 3)...), at)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 3 || added[0].Key != "https://example.org/news/b-0" {
		t.Errorf("after restart added %v, want only the 3 new ones", added)
	}
	// Another source has its own visited set.
	other := mustUpsert(t, s2, siteSource("other"))
	if added, err := s2.AddCrawlURLs(ctx, other.ID, urls[:5], at); err != nil || len(added) != 5 {
		t.Errorf("other source: %d added, %v", len(added), err)
	}
}

func TestCrawlURLLifecycle(t *testing.T) { eachBackend(t, testCrawlURLLifecycle) }

func testCrawlURLLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, siteSource("lab"))
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pub := time.Date(2026, 5, 30, 8, 0, 0, 0, time.UTC)
	first := []CrawlURL{
		{Key: "k2", URL: "https://example.org/news/2", Depth: 2},
		{Key: "k1", URL: "https://example.org/news/1", Depth: 1, Title: "From the sitemap", Published: pub},
	}
	if _, err := s.AddCrawlURLs(ctx, src.ID, first, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCrawlURLs(ctx, src.ID, []CrawlURL{{Key: "k3", URL: "https://example.org/news/3", Depth: 1}}, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingCrawlURLs(ctx, src.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range pending {
		order = append(order, p.Key)
	}
	if fmt.Sprint(order) != "[k1 k3 k2]" {
		t.Errorf("pending order %v, want shallowest then oldest first", order)
	}
	if pending[0].Title != "From the sitemap" || !pending[0].Published.Equal(pub) {
		t.Errorf("sitemap data lost: %+v", pending[0])
	}
	if p, _ := s.PendingCrawlURLs(ctx, src.ID, 1); len(p) != 1 {
		t.Errorf("limit ignored: %d", len(p))
	}

	// k1 done; k2 fails twice (pending, then failed at 2 attempts); k3
	// fails permanently.
	t1 := t0.Add(time.Hour)
	if err := s.FinishCrawlURLs(ctx, src.ID, []CrawlResult{{Key: "k1"}, {Key: "k2", Err: "503"}, {Key: "k3", Err: "robots.txt", Permanent: true}}, 2, t1); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.PendingCrawlURLs(ctx, src.ID, 10)
	if len(pending) != 1 || pending[0].Key != "k2" || pending[0].Attempts != 1 {
		t.Fatalf("after one failure pending = %+v", pending)
	}
	if err := s.FinishCrawlURLs(ctx, src.ID, []CrawlResult{{Key: "k2", Err: "503 again"}}, 2, t1); err != nil {
		t.Fatal(err)
	}
	stats, err := s.CrawlStats(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stats[CrawlDone] != 1 || stats[CrawlFailed] != 2 || stats[CrawlPending] != 0 {
		t.Errorf("stats %v", stats)
	}
	// Done and failed URLs are never new again.
	if added, _ := s.AddCrawlURLs(ctx, src.ID, first, t1); len(added) != 0 {
		t.Errorf("finished URLs added again: %v", added)
	}

	// Deleting the source deletes its crawl state.
	if err := s.DeleteSource(ctx, "lab"); err != nil {
		t.Fatal(err)
	}
	src = mustUpsert(t, s, siteSource("lab"))
	if added, _ := s.AddCrawlURLs(ctx, src.ID, first, t1); len(added) != 2 {
		t.Errorf("a new source of the same name inherited the crawl state: %d added", len(added))
	}
}

func TestCrawlValidators(t *testing.T) { eachBackend(t, testCrawlValidators) }

func testCrawlValidators(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, siteSource("lab"))
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	seed := "https://example.org/news"
	if e, lm, err := s.CrawlValidators(ctx, src.ID, seed); err != nil || e != "" || lm != "" {
		t.Fatalf("none stored: %q %q %v", e, lm, err)
	}
	for _, etag := range []string{`"v1"`, `"v2"`} {
		if err := s.SetCrawlValidators(ctx, src.ID, seed, etag, "Mon, 01 Jun 2026 00:00:00 GMT", at); err != nil {
			t.Fatal(err)
		}
	}
	e, lm, err := s.CrawlValidators(ctx, src.ID, seed)
	if err != nil || e != `"v2"` || lm != "Mon, 01 Jun 2026 00:00:00 GMT" {
		t.Errorf("got %q %q %v", e, lm, err)
	}
}

func TestAddCrawlURLsRejectsEmptyKey(t *testing.T) { eachBackend(t, testAddCrawlURLsRejectsEmptyKey) }

func testAddCrawlURLsRejectsEmptyKey(t *testing.T) {
	s := openTest(t)
	src := mustUpsert(t, s, siteSource("lab"))
	_, err := s.AddCrawlURLs(context.Background(), src.ID, []CrawlURL{{URL: "https://example.org/x"}}, time.Now())
	if err == nil {
		t.Fatal("no error for a URL without a key")
	}
}
