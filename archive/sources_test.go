package archive

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func feedSource(name string) frontierwatch.Source {
	return frontierwatch.Source{
		Name:     name,
		Kind:     frontierwatch.KindFeed,
		URL:      "https://example.org/" + name + "/feed.xml",
		Schedule: "@every 30m",
		FullText: frontierwatch.FullTextAuto,
		Enabled:  true,
	}
}

func mustUpsert(t *testing.T, s *Store, src frontierwatch.Source) frontierwatch.Source {
	t.Helper()
	out, err := s.UpsertSource(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpsertSourceRoundTrip(t *testing.T) { eachBackend(t, testUpsertSourceRoundTrip) }

func testUpsertSourceRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	in := frontierwatch.Source{
		Name:           "lab-news",
		Kind:           frontierwatch.KindSite,
		URL:            "https://example.org/news",
		Schedule:       "0 * * * *",
		FullText:       frontierwatch.FullTextNever,
		Enabled:        true,
		Follow:         []string{`^https://example\.org/news/[^/?#]+$`},
		AllowedDomains: []string{"example.org", "www.example.org"},
		MaxDepth:       2,
		MaxPages:       50,
		Delay:          1500 * time.Millisecond,
		Origin:         frontierwatch.OriginConfig,
	}
	out := mustUpsert(t, s, in)
	if out.ID == 0 {
		t.Fatal("no ID")
	}
	want := in
	want.ID = out.ID
	if !reflect.DeepEqual(out, want) {
		t.Errorf("UpsertSource returned\n%+v\nwant\n%+v", out, want)
	}
	got, err := s.Source(ctx, "lab-news")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Source returned\n%+v\nwant\n%+v", got, want)
	}
	// Defaults: empty lists and origin "user".
	bare := mustUpsert(t, s, frontierwatch.Source{Name: "bare"})
	if bare.Origin != frontierwatch.OriginUser || bare.Follow != nil || bare.Enabled {
		t.Errorf("bare source = %+v", bare)
	}
	if _, err := s.UpsertSource(ctx, frontierwatch.Source{}); err == nil {
		t.Error("a source without a name was accepted")
	}
}

func TestUpsertSourceKeepsState(t *testing.T) { eachBackend(t, testUpsertSourceKeepsState) }

func testUpsertSourceKeepsState(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("metr"))
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: src.ID, At: t0, ETag: `"v1"`, LastModified: "Sun, 01 Mar 2026 12:00:00 GMT"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFailure(ctx, src.ID, t0.Add(time.Hour), "HTTP 503", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	changed := feedSource("metr")
	changed.URL = "https://example.org/moved.xml"
	changed.Enabled = false
	got := mustUpsert(t, s, changed)
	if got.ID != src.ID {
		t.Errorf("ID changed from %d to %d", src.ID, got.ID)
	}
	if got.URL != changed.URL || got.Enabled {
		t.Errorf("definition not updated: %+v", got)
	}
	want := frontierwatch.SourceState{
		ETag:          `"v1"`,
		LastModified:  "Sun, 01 Mar 2026 12:00:00 GMT",
		LastPolledAt:  t0.Add(time.Hour),
		LastOKAt:      t0,
		LastErrorAt:   t0.Add(time.Hour),
		LastError:     "HTTP 503",
		Failures:      1,
		NextAttemptAt: t0.Add(2 * time.Hour),
	}
	if !reflect.DeepEqual(got.State, want) {
		t.Errorf("state after upsert\n%+v\nwant\n%+v", got.State, want)
	}
}

func TestSyncConfigSources(t *testing.T) { eachBackend(t, testSyncConfigSources) }

func testSyncConfigSources(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	user := feedSource("mine")
	user.Origin = frontierwatch.OriginUser
	mustUpsert(t, s, user)
	if err := s.SyncConfigSources(ctx, []frontierwatch.Source{feedSource("c1"), feedSource("c2")}); err != nil {
		t.Fatal(err)
	}
	c2, err := s.Source(ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Origin != frontierwatch.OriginConfig {
		t.Errorf("c2 origin = %q", c2.Origin)
	}
	arts := []frontierwatch.Article{{URL: "https://example.org/c2/a", Title: "kept"}}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: c2.ID, At: t0}, arts); err != nil {
		t.Fatal(err)
	}

	c1 := feedSource("c1")
	c1.Schedule = "@every 5m"
	if err := s.SyncConfigSources(ctx, []frontierwatch.Source{c1, feedSource("c3")}); err != nil {
		t.Fatal(err)
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, src := range srcs {
		names = append(names, src.Name+"/"+src.Origin)
		if src.Name == "c1" && src.Schedule != "@every 5m" {
			t.Errorf("c1 schedule = %q, want the new one", src.Schedule)
		}
	}
	if want := []string{"c1/config", "c3/config", "mine/user"}; !reflect.DeepEqual(names, want) {
		t.Errorf("sources = %v, want %v (ordered by name)", names, want)
	}
	if n, err := s.CountArticles(ctx); err != nil || n != 1 {
		t.Errorf("articles of the removed source: %d, %v; want 1 kept", n, err)
	}
	// An empty config removes every config source, and only those.
	if err := s.SyncConfigSources(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if srcs, _ := s.Sources(ctx); len(srcs) != 1 || srcs[0].Name != "mine" {
		t.Errorf("sources after empty sync = %v", srcs)
	}
	// A failing upsert rolls the whole sync back.
	err = s.SyncConfigSources(ctx, []frontierwatch.Source{feedSource("c9"), {}})
	if err == nil {
		t.Fatal("sync with a nameless source succeeded")
	}
	if _, err := s.Source(ctx, "c9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("c9 after failed sync: %v, want ErrNotFound", err)
	}
}

func TestSourceNotFound(t *testing.T) { eachBackend(t, testSourceNotFound) }

func testSourceNotFound(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.Source(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Source: %v", err)
	}
	if err := s.DeleteSource(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteSource: %v", err)
	}
	if _, err := s.RecordFailure(ctx, 42, t0, "x", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordFailure: %v", err)
	}
	if err := s.RecordNotModified(ctx, 42, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordNotModified: %v", err)
	}
	if _, err := s.CommitPoll(ctx, PollUpdate{SourceID: 42, At: t0}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("CommitPoll: %v", err)
	}
	src := mustUpsert(t, s, feedSource("x"))
	if err := s.DeleteSource(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Source(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Source after delete: %v", err)
	}
	if err := s.RecordNotModified(ctx, src.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordNotModified after delete: %v", err)
	}
}

func TestRecordFailureAndNotModified(t *testing.T) { eachBackend(t, testRecordFailureAndNotModified) }

func testRecordFailureAndNotModified(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := mustUpsert(t, s, feedSource("flaky"))
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * time.Hour)
		n, err := s.RecordFailure(ctx, src.ID, at, "HTTP 500 #"+string(rune('0'+i)), at.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if n != i {
			t.Errorf("failure %d: count = %d", i, n)
		}
	}
	got, _ := s.Source(ctx, "flaky")
	st := got.State
	if st.Failures != 3 || st.LastError != "HTTP 500 #3" || !st.LastErrorAt.Equal(t0.Add(3*time.Hour)) ||
		!st.LastPolledAt.Equal(t0.Add(3*time.Hour)) || !st.NextAttemptAt.Equal(t0.Add(3*time.Hour+3*time.Minute)) ||
		!st.LastOKAt.IsZero() {
		t.Errorf("state after failures: %+v", st)
	}

	ok := t0.Add(4 * time.Hour)
	if err := s.RecordNotModified(ctx, src.ID, ok); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, "flaky")
	st = got.State
	if st.Failures != 0 || st.LastError != "" || !st.NextAttemptAt.IsZero() ||
		!st.LastPolledAt.Equal(ok) || !st.LastOKAt.Equal(ok) || !st.LastErrorAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("state after not modified: %+v", st)
	}
	// Huge error texts are cut.
	if _, err := s.RecordFailure(ctx, src.ID, ok, strings.Repeat("é", 5000), time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, "flaky")
	if len(got.State.LastError) > maxErrorLen || !strings.HasPrefix(got.State.LastError, "éé") {
		t.Errorf("long error stored as %d bytes", len(got.State.LastError))
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"aé", 2, "a"}, // don't split é (2 bytes)
		{"éé", 3, "é"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// Sources sort bytewise by name on both backends (upper case first), as
// SQLite compares text, whatever PostgreSQL's locale.
func TestSourcesOrder(t *testing.T) { eachBackend(t, testSourcesOrder) }

func testSourcesOrder(t *testing.T) {
	s := openTest(t)
	for _, n := range []string{"b", "a", "B", "_x", "é"} {
		mustUpsert(t, s, feedSource(n))
	}
	srcs, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, src := range srcs {
		names = append(names, src.Name)
	}
	if got := strings.Join(names, " "); got != "B _x a b é" {
		t.Errorf("Sources order = %s", got)
	}
}
