package feeds

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

const sampleOPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My AI feeds</title></head>
  <body>
    <outline text="Labs">
      <outline text="Frontier Lab" title="Frontier Lab News" type="rss" xmlUrl="https://lab.example/feed.xml" htmlUrl="https://lab.example/"/>
      <outline text="Frontier Lab News" type="rss" xmlUrl="https://mirror.example/feed.xml"/>
    </outline>
    <outline text="" type="rss" xmlUrl="https://www.evals.example/atom"/>
    <outline text="A folder only"/>
    <outline text="ftp feed" xmlUrl="ftp://files.example/feed"/>
    <outline text="Ünïcode &amp; Co!" xmlUrl="http://unicode.example/rss"/>
  </body>
</opml>`

func TestParseOPML(t *testing.T) {
	srcs, err := ParseOPML(strings.NewReader(sampleOPML))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, url string }{
		{"frontier-lab-news", "https://lab.example/feed.xml"},
		{"frontier-lab-news-2", "https://mirror.example/feed.xml"},
		{"evals.example", "https://www.evals.example/atom"},
		{"unicode-co", "http://unicode.example/rss"},
	}
	if len(srcs) != len(want) {
		t.Fatalf("got %d sources: %+v", len(srcs), srcs)
	}
	for i, w := range want {
		s := srcs[i]
		if s.Name != w.name || s.URL != w.url || s.Kind != frontierwatch.KindFeed || !s.Enabled || s.Origin != frontierwatch.OriginUser {
			t.Errorf("source %d = %+v, want name %q url %q", i, s, w.name, w.url)
		}
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	in := []frontierwatch.Source{
		{Name: "a", Kind: frontierwatch.KindFeed, URL: "https://a.example/feed?x=1&y=2"},
		{Name: "site", Kind: frontierwatch.KindSite, URL: "https://s.example/"},
		{Name: "b", Kind: frontierwatch.KindFeed, URL: "https://b.example/atom"},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "frontierwatch sources", in, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out, err := ParseOPML(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(out) != 2 || out[0].Name != "a" || out[0].URL != in[0].URL || out[1].Name != "b" || out[1].URL != in[2].URL {
		t.Errorf("round trip lost feeds: %+v", out)
	}
}

func TestParseOPMLErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not xml":  "hello",
		"no feeds": `<opml version="2.0"><body><outline text="x"/></body></opml>`,
		"too deep": `<opml version="2.0"><body>` + strings.Repeat(`<outline text="x">`, 40) + `<outline xmlUrl="https://x.example/f"/>` + strings.Repeat(`</outline>`, 40) + `</body></opml>`,
	} {
		if _, err := ParseOPML(strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "opml:") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func FuzzParseOPML(f *testing.F) {
	f.Add(sampleOPML)
	f.Add(`<opml><body><outline xmlUrl="https://x.example/"><outline xmlUrl="http://y.example/"/></outline></body></opml>`)
	f.Fuzz(func(t *testing.T, in string) {
		srcs, err := ParseOPML(strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range srcs {
			if s.Name == "" || seen[s.Name] || !validName.MatchString(s.Name) {
				t.Fatalf("bad or repeated name %q", s.Name)
			}
			seen[s.Name] = true
		}
	})
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
