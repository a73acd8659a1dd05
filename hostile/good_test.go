package hostile

import (
	"net/http"
	"testing"
)

// goodBehaviours are the good sources polled in the same cycle as the
// hostile ones: all their articles must be archived.
func goodBehaviours() []*behaviour {
	feed := func(name string) *behaviour {
		return &behaviour{name: name, family: "good", setup: feedAt(validFeed), want: want{ok: true, items: 3, check: feedSummaries}}
	}
	return []*behaviour{
		feed("good-feed-a"),
		feed("good-feed-b"),
		feed("good-feed-c"),
		{name: "good-full-text", family: "good", kind: pageKind, setup: pageAt(func(b *bench, w http.ResponseWriter, r *http.Request) {
			htmlPage(b, w, articleHTML("Good page "+r.URL.Path))
		}), want: want{ok: true, items: pageItems, check: pageText("research engineering tasks")}},
		{name: "good-site-a", family: "good", kind: siteKind, setup: siteWith(nil), want: want{ok: true, items: siteArticles, check: pageText("research engineering tasks")}},
		{name: "good-site-b", family: "good", kind: siteKind, setup: siteWith(nil), want: want{ok: true, items: siteArticles, check: pageText("research engineering tasks")}},
	}
}

// feedSummaries: the stored articles carry the feed's summaries.
func feedSummaries(t *testing.T, o *outcome) {
	for _, a := range o.articles {
		if len(a.Text) < len(wordsRSS) {
			t.Errorf("article %s: text %q is not the feed's summary", a.URL, a.Text)
		}
	}
}
