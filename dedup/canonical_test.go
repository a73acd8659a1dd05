package dedup

import (
	"errors"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://Example.COM/News/Item", "https://example.com/News/Item"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"http://example.com:8080/a", "http://example.com:8080/a"},
		{"https://example.com/a#section-2", "https://example.com/a"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"},
		{"https://example.com/a?fbclid=IwAR0abc", "https://example.com/a"},
		{"https://example.com/a?gclid=xyz&b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"https://example.com/a?UTM_Campaign=x", "https://example.com/a"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"https://example.com/a/b/../", "https://example.com/a"}, // trailing slash folded (issue: /a/ ≡ /a)
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/a?q=hello%20world", "https://example.com/a?q=hello+world"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"https://example.com/a?b=2&b=1", "https://example.com/a?b=2&b=1"},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err != nil {
			t.Errorf("Canonical(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := Canonical(got)
		if err != nil || again != got {
			t.Errorf("Canonical not idempotent on %q: %q, %v", got, again, err)
		}
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, in := range []string{"", "/relative/path", "mailto:a@example.com", "ftp://example.com/x", "javascript:alert(1)", "http://", "https://%zz"} {
		if got, err := Canonical(in); !errors.Is(err, ErrBadURL) {
			t.Errorf("Canonical(%q) = %q, %v; want ErrBadURL", in, got, err)
		}
	}
}

func TestCanonicalizerCustomList(t *testing.T) {
	c := NewCanonicalizer("ref", "src_*")
	got, err := c.Canonical("https://example.com/a?ref=hn&src_x=1&utm_source=kept")
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://example.com/a?utm_source=kept"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"https://example.com/a?utm_source=x#f", "http://[::1]:80/a/../b", "https://u:p@h/?a=1&a=2&b", "HTTP://X.Y./%2e%2e/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Canonical(raw)
		if err != nil {
			return
		}
		again, err := Canonical(got)
		if err != nil {
			t.Fatalf("Canonical(%q) = %q, which is rejected: %v", raw, got, err)
		}
		if again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
	})
}

// TestCanonicalPairs: URLs that name one page must canonicalise alike, and
// URLs that name different pages must not.
func TestCanonicalPairs(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		// tracking parameters
		{"https://www.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement?utm_source=twitter&utm_medium=social", "https://www.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement", true},
		{"https://www.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement?CMP=share_btn_tw", "https://www.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement", true},
		{"https://www.wired.com/story/ai-time-horizons-metr/?fbclid=IwAR2xYz_0aBcD", "https://www.wired.com/story/ai-time-horizons-metr/", true},
		{"https://openai.com/index/introducing-gpt-5-5/?gclid=Cj0KCQjw", "https://openai.com/index/introducing-gpt-5-5", true},
		{"https://blog.google/technology/google-deepmind/gemini-3-5-pro/?utm_source=gdm&utm_medium=referral&utm_campaign=launch", "https://blog.google/technology/google-deepmind/gemini-3-5-pro/", true},
		{"https://www.theverge.com/ai-artificial-intelligence/681234/openai-gpt-5-5?mc_cid=4f1a2b&mc_eid=9c8d7e", "https://www.theverge.com/ai-artificial-intelligence/681234/openai-gpt-5-5", true},
		{"https://news.ycombinator.com/item?id=44012345&ref=hn", "https://news.ycombinator.com/item?id=44012345", true},
		{"https://www.nytimes.com/2026/06/06/technology/ai-self-improvement.html?smid=nytcore-ios-share&referringSource=articleShare", "https://www.nytimes.com/2026/06/06/technology/ai-self-improvement.html", true},
		{"https://www.msn.com/en-us/news/technology/ai-agents-work-longer/ar-AA1abcd?ocid=BingNewsSearch", "https://www.msn.com/en-us/news/technology/ai-agents-work-longer/ar-AA1abcd", true},
		{"https://finance.yahoo.com/news/openai-launches-gpt-5-5-123456789.html?guccounter=1&guce_referrer=aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8", "https://finance.yahoo.com/news/openai-launches-gpt-5-5-123456789.html", true},
		{"https://www.lemonde.fr/pixels/article/2026/06/06/ia-agents_6612345_4408996.html?xtor=RSS-3208", "https://www.lemonde.fr/pixels/article/2026/06/06/ia-agents_6612345_4408996.html", true},
		{"https://www.kucoin.com/news/flash/anthropic-report-ai-self-improvement-advances?utm_source=rss#comments", "https://www.kucoin.com/news/flash/anthropic-report-ai-self-improvement-advances", true},
		// case, ports, fragments, query order
		{"HTTPS://WWW.HEISE.DE/news/KI-Agenten-arbeiten-immer-laenger-10412345.html", "https://www.heise.de/news/KI-Agenten-arbeiten-immer-laenger-10412345.html", true},
		{"https://www.golem.de:443/news/ki-agenten-2606-199999.html", "https://www.golem.de/news/ki-agenten-2606-199999.html", true},
		{"https://arstechnica.com/ai/2026/06/metr-time-horizon/#comments", "https://arstechnica.com/ai/2026/06/metr-time-horizon/", true},
		{"https://www.semafor.com/search?q=agents&page=2", "https://www.semafor.com/search?page=2&q=agents", true},
		// trailing slash and index files
		{"https://www.anthropic.com/research/", "https://www.anthropic.com/research", true},
		{"https://metr.org/blog/2026-06-02-time-horizons/index.html", "https://metr.org/blog/2026-06-02-time-horizons/", true},
		{"http://www.example.com:80/news/index.htm?id=7&utm_source=x", "http://www.example.com/news?id=7", true},
		{"https://www.example.com/index.php", "https://www.example.com/", true},
		{"https://www.example.com//news//2026/story", "https://www.example.com/news/2026/story", true},
		// AMP
		{"https://amp.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement", "https://www.theguardian.com/technology/2026/jun/06/anthropic-ai-self-improvement", true},
		{"https://www.bbc.com/news/articles/c9x0m2e1kq7o.amp", "https://www.bbc.com/news/articles/c9x0m2e1kq7o", true},
		{"https://www.washingtonpost.com/technology/2026/06/06/ai-agents-metr/?outputType=amp", "https://www.washingtonpost.com/technology/2026/06/06/ai-agents-metr/", true},
		{"https://www.cnbc.com/amp/2026/06/06/openai-gpt-55-launch.html", "https://www.cnbc.com/2026/06/06/openai-gpt-55-launch.html", true},
		{"https://techcrunch.com/2026/06/06/cadence-raises-180m/amp/", "https://techcrunch.com/2026/06/06/cadence-raises-180m/", true},
		{"https://www.reuters.com/technology/openai-launches-gpt-55-2026-06-03/?amp", "https://www.reuters.com/technology/openai-launches-gpt-55-2026-06-03/", true},
		{"https://www.independent.co.uk/tech/ai-agents-autonomy-b2771234.html?amp=1", "https://www.independent.co.uk/tech/ai-agents-autonomy-b2771234.html", true},
		{"https://www.example-news.com/2026/06/ai-report.amp.html", "https://www.example-news.com/2026/06/ai-report.html", true},
		{"https://amp.cnn.com/2026/06/06/tech/openai-gpt-5-5/index.html", "https://www.cnn.com/2026/06/06/tech/openai-gpt-5-5", true},
		{"https://amp.abc.net.au/news/2026-06-06/ai-agents-autonomy/105412345", "https://www.abc.net.au/news/2026-06-06/ai-agents-autonomy/105412345", true},
		{"https://amp.news.example.co.uk/story/1?amp=true", "https://news.example.co.uk/story/1", true},
		{"https://www.venturebeat.com/ai/agents-code-overnight/amp", "https://www.venturebeat.com/ai/agents-code-overnight/", true},
		// different pages stay apart
		{"https://www.theguardian.com/technology/a", "https://theguardian.com/technology/a", false},
		{"http://www.example.com/a", "https://www.example.com/a", false},
		{"https://news.ycombinator.com/item?id=44012345", "https://news.ycombinator.com/item?id=44012346", false},
		{"https://www.heise.de/news/KI-10412345.html", "https://www.heise.de/news/ki-10412345.html", false},
		{"https://openai.com/index/introducing-gpt-5-5", "https://openai.com/introducing-gpt-5-5", false},
		{"https://www.example.com/ampere/chips", "https://www.example.com/chips", false},
		{"https://www.example.com/news/camp.html", "https://www.example.com/news/c.html", false},
		{"https://www.ft.com/content/0a1b2c3d?accessToken=zwAAAZ", "https://www.ft.com/content/0a1b2c3d", false},
		{"https://www.example.com/a?amp=0", "https://www.example.com/a", false},
		{"https://amp.dev/documentation/", "https://dev/documentation", false},
	}
	for _, tt := range tests {
		a, errA := Canonical(tt.a)
		b, errB := Canonical(tt.b)
		if errA != nil || errB != nil {
			t.Errorf("Canonical(%q), Canonical(%q): %v, %v", tt.a, tt.b, errA, errB)
			continue
		}
		if (a == b) != tt.same {
			t.Errorf("same=%v wanted:\n %s -> %s\n %s -> %s", tt.same, tt.a, a, tt.b, b)
		}
		for _, c := range []string{a, b} {
			if again, _ := Canonical(c); again != c {
				t.Errorf("not idempotent: %q -> %q", c, again)
			}
		}
	}
}

func TestCanonicalFolds(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/", "https://example.com/"},
		{"https://example.com/index.html", "https://example.com/"},
		{"https://example.com/amp", "https://example.com/"},
		{"https://example.com/amp/index.html/amp/", "https://example.com/"},
		{"https://example.com/a/index.amp.html", "https://example.com/a"},
		{"https://example.com/a/Index.HTML", "https://example.com/a"},
		{"https://example.com/a/.amp", "https://example.com/a/.amp"},
		{"https://example.com/news/camp.html", "https://example.com/news/camp.html"},
		{"https://example.com/a?amp=Yes&b=1", "https://example.com/a?amp=Yes&b=1"},
		{"https://example.com/a?outputType=AMP&outputType=print", "https://example.com/a?outputType=print"},
		{"https://amp.amp.example.com/a", "https://www.example.com/a"},
		{"https://amp.dev/", "https://amp.dev/"},
		{"https://amp.localhost/a", "https://amp.localhost/a"},
		{"https://amp.github.io/a", "https://amp.github.io/a"},
		{"http://amp.127.0.0.1/a", "http://amp.127.0.0.1/a"},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
