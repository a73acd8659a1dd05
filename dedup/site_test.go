package dedup

import (
	"strings"
	"testing"
)

func TestSite(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.bbc.co.uk/news/technology-1", "bbc.co.uk"},
		{"https://news.bbc.co.uk/a", "bbc.co.uk"},
		{"https://WWW.TheGuardian.com./a", "theguardian.com"},
		{"https://amp.theguardian.com/a", "theguardian.com"},
		{"https://blog.google/technology/ai/", "blog.google"},
		{"https://someone.github.io/post", "someone.github.io"},
		{"https://user.blogspot.com/2026/06/x.html", "user.blogspot.com"},
		{"https://www.abc.net.au/news/x", "abc.net.au"},
		{"https://example.com:8443/a", "example.com"},
		{"http://127.0.0.1:8080/feed.xml", "127.0.0.1"},
		{"http://[::1]:8080/feed.xml", "::1"},
		{"http://localhost:3000/a", "localhost"},
		{"http://intranet/a", "intranet"},
		{"https://co.uk/a", "co.uk"},
		{"example.org/news/a", "example.org"},
		{"sub.example.org", "example.org"},
		{"/relative/path", ""},
		{"", ""},
		{"mailto:someone@example.com", ""},
	}
	for _, tt := range tests {
		if got := Site(tt.in); got != tt.want {
			t.Errorf("Site(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSite(f *testing.F) {
	for _, s := range []string{"https://www.bbc.co.uk/a", "example.org/x", "http://[::1]:80/", "HTTPS://A.B.C.D.EXAMPLE.COM.", "//x", "http://%zz/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := Site(raw)
		if s != strings.ToLower(s) {
			t.Fatalf("Site(%q) = %q, not lower case", raw, s)
		}
		if s != "" && !strings.Contains(s, ":") && !strings.ContainsAny(s, "/?#@") {
			if again := Site(s); again != s {
				t.Fatalf("Site(%q) = %q, but Site(%q) = %q", raw, s, s, again)
			}
		}
	})
}
