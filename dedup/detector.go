package dedup

import (
	"cmp"
	"slices"
)

// Signed is one archived article's signature, as Detector.AddMany loads it.
type Signed struct {
	ID  int64
	Sig Signature
}

// Detector applies the duplicate rule (see Duplicate) at archive scale: it
// keeps the lead and tail fingerprints of every article it was given in
// two Indexes and finds the earlier articles that a new one duplicates
// without comparing it to all of them. Two articles with the same main
// text have the same windows, so Find also finds exact duplicates. It is
// safe for concurrent use.
type Detector struct {
	lead, tail *Index
}

// NewDetector returns an empty Detector for the rule's distance K.
func NewDetector() *Detector { return &Detector{lead: NewIndex(K), tail: NewIndex(K)} }

// Add remembers the signature of article id. The zero Signature is
// ignored: it duplicates nothing.
func (d *Detector) Add(id int64, s Signature) {
	if s.IsZero() {
		return
	}
	d.lead.Add(s.Lead, id)
	d.tail.Add(s.Tail, id)
}

// AddMany remembers many signatures at once: how to load the archive at
// start (about 0.1 s per million articles).
func (d *Detector) AddMany(all []Signed) {
	lead := make([]Entry, 0, len(all))
	tail := make([]Entry, 0, len(all))
	for _, a := range all {
		if !a.Sig.IsZero() {
			lead = append(lead, Entry{FP: a.Sig.Lead, ID: a.ID})
			tail = append(tail, Entry{FP: a.Sig.Tail, ID: a.ID})
		}
	}
	d.lead.AddMany(lead)
	d.tail.AddMany(tail)
}

// Len returns the number of signatures remembered.
func (d *Detector) Len() int { return d.lead.Len() }

// Find returns the remembered articles that s duplicates, each once, with
// the fingerprint and the distance of its closer window; the closest
// first, then by ID (the earliest article, when IDs grow with time). A new
// article joins the story of Find(s)[0]; an empty result starts a story.
func (d *Detector) Find(s Signature) []Match {
	if s.IsZero() {
		return nil
	}
	all := append(d.lead.Query(s.Lead), d.tail.Query(s.Tail)...)
	slices.SortFunc(all, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Distance, b.Distance))
	})
	all = slices.CompactFunc(all, func(a, b Match) bool { return a.ID == b.ID })
	slices.SortFunc(all, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	return all
}
