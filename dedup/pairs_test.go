package dedup

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// labelledPair is one line of testdata/pairs/pairs.jsonl.
type labelledPair struct {
	A, B      string
	Duplicate bool
	Kind      string
	Note      string
}

func readPair(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pairs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadPairs(t testing.TB) []labelledPair {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pairs", "pairs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []labelledPair
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	for dec.More() {
		var p labelledPair
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("pairs.jsonl: %v", err)
		}
		ps = append(ps, p)
	}
	return ps
}

// TestLabelledPairs measures the duplicate rule (Sign, Duplicate) on the
// labelled pairs and fails below precision 0.95 or recall 0.90. Run with -v
// for the distances of every pair.
func TestLabelledPairs(t *testing.T) {
	pairs := loadPairs(t)
	sigs := map[string]Signature{}
	var tp, fp, fn, positives int
	kinds := map[string][2]int{} // kind: right, total
	for _, p := range pairs {
		for _, f := range []string{p.A, p.B} {
			if _, ok := sigs[f]; !ok {
				sigs[f] = Sign(readPair(t, f))
			}
		}
		a, b := sigs[p.A], sigs[p.B]
		got := Duplicate(a, b)
		switch {
		case got && p.Duplicate:
			tp++
		case got:
			fp++
			t.Logf("FALSE MERGE %s ~ %s (%s)", p.A, p.B, p.Kind)
		case p.Duplicate:
			fn++
			t.Logf("MISSED %s ~ %s (%s)", p.A, p.B, p.Kind)
		}
		if p.Duplicate {
			positives++
		}
		k := kinds[fmt.Sprintf("%v/%s", p.Duplicate, p.Kind)]
		k[1]++
		if got == p.Duplicate {
			k[0]++
		}
		kinds[fmt.Sprintf("%v/%s", p.Duplicate, p.Kind)] = k
		t.Logf("%-5v %-11s lead %2d tail %2d  %s ~ %s", p.Duplicate, p.Kind, Distance(a.Lead, b.Lead), Distance(a.Tail, b.Tail), p.A, p.B)
	}
	if len(pairs) < 50 || positives == 0 || positives == len(pairs) {
		t.Fatalf("%d pairs, %d duplicates: need at least 50 of both kinds", len(pairs), positives)
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(tp+fn)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	})
	var per []string
	for _, k := range keys {
		per = append(per, fmt.Sprintf("%s %d/%d", k, kinds[k][0], kinds[k][1]))
	}
	fmt.Printf("dedup: %d labelled pairs (%d duplicates): precision %.3f recall %.3f\n  %s\n", len(pairs), positives, precision, recall, strings.Join(per, ", "))
	if precision < 0.95 || recall < 0.90 {
		t.Errorf("precision %.3f (want >= 0.95), recall %.3f (want >= 0.90)", precision, recall)
	}
}
