package crawler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch/crawler"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// TestCrawlGuarded: colly, robots.txt and sitemaps all go through the fetch
// client's guarded Transport. With private networks refused, a site on
// 127.0.0.1 gets no request at all (not even robots.txt) and the run
// fails with the guard's error; with them allowed, the same crawl reads
// robots.txt, the sitemaps and the seed, so the refusal is the guard's.
func TestCrawlGuarded(t *testing.T) {
	site := newTestSite(t)
	st := testStore(t, "")
	src := siteSource(t, st, site, 1, 5, 0)

	guarded := fetch.New(fetch.Options{Timeout: 5 * time.Second})
	res, err := crawler.New(guarded, crawler.Options{}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, newPageLog())
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Err, fetch.ErrBlockedAddress) {
		t.Errorf("Result.Err = %v, want the guard's ErrBlockedAddress", res.Err)
	}
	if hits := site.hits(); len(hits) != 0 {
		t.Fatalf("the guarded crawl reached the site %d times: %v", len(hits), hits)
	}

	res, err = crawler.New(testClient(0), crawler.Options{}).Crawl(context.Background(), src, storeFrontier{st, src.ID}, newPageLog())
	if err != nil || res.Err != nil {
		t.Fatalf("allowed crawl: %v, %v", err, res.Err)
	}
	counts := site.count()
	for _, path := range []string{"/robots.txt", "/sitemap_index.xml", "/sitemap-news.xml", "/news"} {
		if counts[path] == 0 {
			t.Errorf("the allowed crawl did not fetch %s: %v", path, counts)
		}
	}
}
