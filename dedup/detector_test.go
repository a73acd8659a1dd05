package dedup

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDetectorAgreesWithDuplicate: on every pair of labelled files, Find
// reports exactly the articles for which Duplicate is true.
func TestDetectorAgreesWithDuplicate(t *testing.T) {
	names, err := filepath.Glob("testdata/pairs/*.txt")
	if err != nil || len(names) < 40 {
		t.Fatalf("%d files, %v", len(names), err)
	}
	sigs := make([]Signature, len(names))
	all := make([]Signed, len(names))
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		sigs[i] = Sign(string(b))
		all[i] = Signed{ID: int64(i), Sig: sigs[i]}
	}
	bulk, one := NewDetector(), NewDetector()
	bulk.AddMany(all)
	for i, s := range sigs {
		one.Add(int64(i), s)
	}
	one.Add(999, Signature{})
	if bulk.Len() != len(names) || one.Len() != len(names) {
		t.Fatalf("Len = %d, %d; want %d", bulk.Len(), one.Len(), len(names))
	}
	dups := 0
	for i, s := range sigs {
		var want []int64
		for j, o := range sigs {
			if Duplicate(s, o) {
				want = append(want, int64(j))
			}
		}
		for _, d := range []*Detector{bulk, one} {
			var got []int64
			for _, m := range d.Find(s) {
				got = append(got, m.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("Find(%s) = %v, want %v", names[i], got, want)
			}
		}
		dups += len(want) - 1
		// A file's story is found across sites: the same base article only.
		for _, j := range want {
			if base(names[j]) != base(names[i]) {
				t.Errorf("%s duplicates %s", names[i], names[j])
			}
		}
	}
	if dups == 0 {
		t.Fatal("no duplicates found: the test checks nothing")
	}
	if got := bulk.Find(Signature{}); got != nil {
		t.Errorf("Find(zero) = %v", got)
	}
}

// base is the article a labelled file carries: "b02" for b02-aiwire.txt.
func base(path string) string { b, _, _ := strings.Cut(filepath.Base(path), "-"); return b }
