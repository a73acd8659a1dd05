package ingest

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// TestFullTextGuarded: a feed item is untrusted input, and its link is
// what the full-text stage fetches. Links to loopback, private,
// link-local (cloud metadata) and unspecified addresses, in any spelling,
// are refused by the guarded client: no request reaches the server on
// 127.0.0.1 and the items keep their feed text. The same items are fetched
// when private networks are allowed, so the refusal is the guard's.
func TestFullTextGuarded(t *testing.T) {
	ss, srv, st, allowed := newFullTextTest(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	var docs []frontierwatch.Document
	for i, host := range []string{"127.0.0.1", "localhost", "0.0.0.0", "[::ffff:127.0.0.1]", "127.0.0.2"} {
		docs = append(docs, frontierwatch.Document{URL: fmt.Sprintf("http://%s:%d/story/%d", host, port, i), Summary: "short"})
	}
	// Never reachable here; refused before any packet is sent.
	docs = append(docs,
		frontierwatch.Document{URL: "http://169.254.169.254/latest/meta-data/iam/security-credentials/", Summary: "short"},
		frontierwatch.Document{URL: "http://10.0.0.1/admin", Summary: "short"},
		frontierwatch.Document{URL: "http://[fd00::2]/", Summary: "short"},
	)
	guarded := NewFullText(fetch.New(fetch.Options{Timeout: 5 * time.Second}), st, FullTextOptions{MinWords: 20, PerHost: 2})
	src := frontierwatch.Source{Name: "feed", FullText: frontierwatch.FullTextAlways}
	out, stats := guarded.Apply(context.Background(), src, docs)
	if stats.Fetched != 0 || stats.Failed != len(docs) {
		t.Errorf("guarded stats %+v, want all %d failed", stats, len(docs))
	}
	for i, d := range out {
		if d.Text != "" || d.Summary != "short" {
			t.Errorf("item %d changed: %+v", i, d)
		}
	}
	for i := range 5 {
		if n := ss.count(fmt.Sprintf("/story/%d", i)); n != 0 {
			t.Errorf("/story/%d was fetched %d times through the guard", i, n)
		}
	}

	// Control: the same stage with private networks allowed fetches the
	// loopback items.
	_, stats = allowed.Apply(context.Background(), src, docs[:1])
	if stats.Fetched != 1 || ss.count("/story/0") != 1 {
		t.Errorf("allowed stats %+v, /story/0 fetched %d times", stats, ss.count("/story/0"))
	}
}
