package dedup

import (
	"hash/fnv"
	"strings"
	"testing"
)

// TestSimHashGolden pins fingerprints: archives store them, so a change to
// the features, the hash or the normalisation must be deliberate (and
// comes with re-fingerprinting the archive).
func TestSimHashGolden(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"word", 0x4c785db2fc3bb1cf},
		{"The duration for which models can operate autonomously roughly doubles every four months.", 0xc7800ac56c2fb6f8},
		{"人工智能的自我改进", 0x810407241049c810},
	}
	for _, tt := range tests {
		if got := SimHash(tt.in); got != tt.want {
			t.Errorf("SimHash(%q) = %#016x, want %#016x", tt.in, got, tt.want)
		}
	}
	if got, want := hashFeature("ai agents"), uint64(0x50469ebb989b23fe); got != want {
		t.Errorf("hashFeature = %#016x, want %#016x", got, want)
	}
	// One feature: the fingerprint is its hash.
	if SimHash("Word!") != hashFeature("word") {
		t.Error("SimHash of one word is not the word's hash")
	}
}

// TestHashFeatureIsFNV1a checks hashFeature against the standard library's
// FNV-1a followed by the MurmurHash3 finaliser.
func TestHashFeatureIsFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "ai agents", "人工智能", strings.Repeat("x", 1000)} {
		h := fnv.New64a()
		h.Write([]byte(s))
		x := h.Sum64()
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		x *= 0xc4ceb9fe1a85ec53
		x ^= x >> 33
		if got := hashFeature(s); got != x {
			t.Errorf("hashFeature(%q) = %#x, want %#x", s, got, x)
		}
	}
}

func TestSimHashProperties(t *testing.T) {
	base := readPair(t, "b02-techpulse.txt")
	body := MainText(base)
	if SimHash(body) != SimHash(strings.ToUpper(body)) {
		t.Error("case changes the SimHash")
	}
	if SimHash(body) != SimHash(strings.ReplaceAll(body, "\n", "  \n\n ")) {
		t.Error("white space changes the SimHash")
	}
	// One changed word in about 380 moves a few bits, a different article about 32.
	typo := strings.Replace(body, "University", "Univeristy", 1)
	if d := Distance(SimHash(body), SimHash(typo)); d > 8 {
		t.Errorf("one typo: distance %d", d)
	}
	other := MainText(readPair(t, "b03-techpulse.txt"))
	if d := Distance(SimHash(body), SimHash(other)); d < 16 {
		t.Errorf("different article on the same topic: distance %d", d)
	}
	// Word order matters: shingles span two words.
	if SimHash("models can now work for sixteen hours") == SimHash("hours sixteen for work now can models") {
		t.Error("reversed text, same SimHash")
	}
}

func FuzzSimHash(f *testing.F) {
	for _, s := range []string{"", "a", "a b", "AI agents can now finish tasks", "人工智能 ok ไทย", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := SimHash(s)
		if SimHash(s) != h {
			t.Fatalf("SimHash(%q) not deterministic", s)
		}
		if SimHash(Normalize(s)) != h {
			t.Fatalf("SimHash(%q) != SimHash(Normalize(%q))", s, s)
		}
		if Normalize(s) == "" && h != 0 {
			t.Fatalf("SimHash of empty text %q = %#x", s, h)
		}
	})
}
