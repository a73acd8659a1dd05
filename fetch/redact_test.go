package fetch

import (
	"strings"
	"testing"
)

// TestRedactURL checks the exported form; redactURL's cases are in
// TestRedact.
func TestRedactURL(t *testing.T) {
	for _, in := range []string{"https://user:hunter2@example.org/feed", "https://u:hunter2@exa mple.org/%zz"} {
		if got := RedactURL(in); strings.Contains(got, "hunter2") {
			t.Errorf("RedactURL(%q) = %q shows the password", in, got)
		}
	}
	if got := RedactURL("https://example.org/feed.xml?page=2"); got != "https://example.org/feed.xml?page=2" {
		t.Errorf("a URL without a user part changed: %q", got)
	}
}
