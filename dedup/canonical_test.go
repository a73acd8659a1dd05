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
		{"https://example.com/a/b/../", "https://example.com/a/"},
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
