package daemon

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// syndicated wraps the corpus article in one site's furniture, as an RSS
// item whose link is on that site.
func syndicated(t *testing.T, site, path, header, footer string) []byte {
	t.Helper()
	text, err := os.ReadFile("../../shared/corpus/when-ai-builds-itself.txt")
	if err != nil {
		t.Skipf("the shared corpus is missing: %v", err)
	}
	var body strings.Builder
	body.WriteString("<p>" + header + "</p>")
	for _, para := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if strings.TrimSpace(para) != "" {
			body.WriteString("<p>" + html.EscapeString(para) + "</p>")
		}
	}
	body.WriteString("<p>" + footer + "</p>")
	return fmt.Appendf(nil, `<rss version="2.0"><channel><title>%s</title><link>https://%s/</link>
<item><title>When AI builds itself</title><link>https://%s%s</link><description>%s</description></item>
<item><title>Unrelated: a chip factory opens</title><link>https://%s/chips</link><description>%s</description></item>
</channel></rss>`, site, site, site, path, html.EscapeString(body.String()), site,
		html.EscapeString("<p>A new semiconductor plant opened on Tuesday in the desert outside the city, the company said, with production of memory chips expected to start next spring after a two year construction project that employed thousands of local workers.</p>"))
}

// TestSyndicatedCopiesOneStory: the corpus article republished by three
// sites with their own furniture and URLs is one story of three sites; a
// fourth copy polled after a restart joins the same story.
func TestSyndicatedCopiesOneStory(t *testing.T) {
	feeds := map[string][]byte{
		"/a": syndicated(t, "www.exchange-news.example", "/news/ai-builds-itself-123", "Markets | Crypto | Login", "Disclaimer: this content is provided for information only and is not investment advice."),
		"/b": syndicated(t, "techdaily.example.org", "/2026/06/when-ai-builds-itself/", "Share on X · Share on LinkedIn", "Related: Five AI stocks to watch. Subscribe to our newsletter for daily AI news."),
		"/c": syndicated(t, "blog.aiwatch.example.co.uk", "/posts/anthropic-report?utm_source=rss", "By Staff Writer, 5 min read", "© 2026 AI Watch. All rights reserved."),
		"/d": syndicated(t, "mirror.example.net", "/amp/when-ai-builds-itself", "Advertisement", "Comments are closed."),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(feeds[r.URL.Path])
	}))
	defer srv.Close()
	src := func(names ...string) string {
		var b strings.Builder
		b.WriteString("sources:\n")
		for _, n := range names {
			fmt.Fprintf(&b, "  - {name: %s, url: %s/%s, full_text: never}\n", n, srv.URL, n)
		}
		return b.String()
	}
	ctx := context.Background()
	cfg := testConfig(t, src("a", "b", "c"))
	d := newDaemon(t, cfg)
	srcs, _ := d.Sources(ctx)
	if _, err := d.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	hits, err := d.Store().Search(ctx, archiveQuery(`"when ai builds itself"`))
	if err != nil || len(hits) != 3 {
		t.Fatalf("%d copies archived, %v", len(hits), err)
	}
	story := hits[0].StoryID
	for _, h := range hits {
		if h.StoryID != story || h.StorySites != 3 {
			t.Errorf("%s: story %d with %d sites, want story %d with 3", h.URL, h.StoryID, h.StorySites, story)
		}
	}
	chips, _ := d.Store().Search(ctx, archiveQuery("semiconductor"))
	if len(chips) != 3 || chips[0].StoryID == story {
		t.Errorf("the unrelated items must not join the report's story: %+v", chips)
	}
	d.Close()

	// Restart with a fourth syndicator: the index is rebuilt from the archive.
	cfg.Sources = append(cfg.Sources, testConfig(t, src("d")).Sources...)
	d2 := newDaemon(t, cfg)
	srcs, _ = d2.Sources(ctx, "d")
	if _, err := d2.PollAll(ctx, srcs, false, nil); err != nil {
		t.Fatal(err)
	}
	st, err := d2.Store().Story(ctx, story)
	if err != nil || st.Sites != 4 || len(st.Articles) != 4 {
		t.Errorf("after the restart: story %+v, %v; want 4 articles on 4 sites", st, err)
	}
}
