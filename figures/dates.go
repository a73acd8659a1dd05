package figures

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateEnt is a date phrase in a sentence.
type dateEnt struct {
	i, j     int
	value    string // YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD; "" for a month without a year
	excluded bool   // a baseline or start: "since 2019", "than in 2024", "from May 2024"
	target   bool   // "by 2027", "bis 2030": the target of a forecast
}

var months = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
	"nov": 11, "dec": 12,
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10,
	"dezember": 12,
	"janvier":  1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8, "septembre": 9,
	"octobre": 10, "novembre": 11, "décembre": 12,
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
	"septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}

// lowerMonths are month names written in lower case (French, Spanish).
var lowerMonths = wordSet("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	"octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "setiembre", "octubre", "noviembre", "diciembre")

var ordinals = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}

var (
	excludeBefore = wordSet("since", "than", "compared", "versus", "vs", "from", "seit", "depuis", "desde",
		"after", "between", "founded", "ago")
	targetBefore = wordSet("by", "bis", "until", "through", "till", "para", "hasta", "ici", "到", "before")
	yearMods     = wordSet("early", "mid", "late", "end", "start", "beginning", "middle", "half", "fiscal", "fy",
		"anfang", "ende", "mitte", "début", "fin", "principios", "finales", "mediados")
)

// month reads a month name at token k.
func (a *sent) month(k int) (int, bool) {
	if k < 0 || k >= len(a.toks) || a.toks[k].kind != kWord {
		return 0, false
	}
	m, ok := months[a.toks[k].low]
	if !ok {
		return 0, false
	}
	if !a.toks[k].upper && !a.allLow && !lowerMonths[a.toks[k].low] {
		return 0, false
	}
	return m, true
}

// dayAt reads a day of the month at token k ("5", "5th", "5.").
func (a *sent) dayAt(k int) (int, int, bool) {
	if k < 0 || k >= len(a.toks) || a.toks[k].kind != kNum {
		return 0, k, false
	}
	raw := a.s[a.toks[k].s:a.toks[k].e]
	d, err := strconv.Atoi(raw)
	if err != nil || d < 1 || d > 31 {
		return 0, k, false
	}
	e := k + 1
	switch a.low(e) {
	case "st", "nd", "rd", "th", "er":
		if !a.toks[e].space {
			e++
		}
	}
	return d, e, true
}

// yearAt reads a four-digit year at token k.
func (a *sent) yearAt(k int) (int, bool) {
	if k < 0 || k >= len(a.toks) || a.toks[k].kind != kNum || a.mask[k] != mFree {
		return 0, false
	}
	raw := a.s[a.toks[k].s:a.toks[k].e]
	if len(raw) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(raw)
	if err != nil || y < 1950 || y > 2100 {
		return 0, false
	}
	return y, true
}

// findDates finds date phrases and masks their numbers.
func (a *sent) findDates() {
	toks := a.toks
	for k := 0; k < len(toks); k++ {
		if a.mask[k] != mFree {
			continue
		}
		d, ok := a.dateAt(k)
		if !ok {
			continue
		}
		for m := d.i; m < d.j; m++ {
			if a.mask[m] == mFree {
				a.mask[m] = mDate
			}
		}
		a.qualifyDate(&d)
		a.dates = append(a.dates, d)
		k = d.j - 1
	}
}

// qualifyDate marks baselines and targets by the words before a date.
func (a *sent) qualifyDate(d *dateEnt) {
	k := d.i - 1
	for n := 0; n < 3 && k >= 0; n++ {
		w := a.low(k)
		switch {
		case excludeBefore[w]:
			d.excluded = true
			return
		case targetBefore[w] || w == "'" && a.low(k-1) == "d" && a.low(k+1) == "ici":
			d.target = true
			return
		case w == "in" || w == "the" || w == "of" || w == "as" || w == "on" || w == "im" || w == "en" ||
			w == "de" || w == "à" || w == "el" || w == "la" || w == "le" || yearMods[w] || w == "-" ||
			w == "d" || w == "'":
			k--
		default:
			return
		}
	}
}

// dateAt reads a date phrase that starts at token k.
func (a *sent) dateAt(k int) (dateEnt, bool) {
	toks := a.toks
	// "Q2 2026", "2026 Q2", "Q2'26"
	if q, ok := quarterWord(a.low(k)); ok {
		if y, ok := a.yearAt(a.skip(k+1, "of", "-")); ok {
			return dateEnt{i: k, j: a.skip(k+1, "of", "-") + 1, value: fmt.Sprintf("%d-Q%d", y, q)}, true
		}
	}
	// "the second quarter of 2026", "second-quarter 2026", "the first half of 2025"
	if ord, ok := ordinals[a.low(k)]; ok {
		m := a.skip(k+1, "-")
		if a.low(m) == "quarter" || a.low(m) == "half" {
			y, ok := a.yearAt(a.skip(m+1, "of"))
			if ok {
				v := fmt.Sprintf("%d-Q%d", y, ord)
				if a.low(m) == "half" {
					v = strconv.Itoa(y)
				}
				i := k
				if a.low(k-1) == "the" {
					i = k - 1
				}
				return dateEnt{i: i, j: a.skip(m+1, "of") + 1, value: v}, true
			}
		}
	}
	// month first: "March 2026", "June 5, 2026", "Jan. 5", "May of 2025"
	if mo, ok := a.month(k); ok {
		m := k + 1
		if a.low(m) == "." && !toks[m].space {
			m++
		}
		if d, e, ok := a.dayAt(m); ok {
			e2 := e
			if a.low(e2) == "," {
				e2++
			}
			if y, ok := a.yearAt(e2); ok {
				return dateEnt{i: k, j: e2 + 1, value: fmt.Sprintf("%d-%02d-%02d", y, mo, d)}, true
			}
			if _, ok := a.yearAt(m); !ok {
				return dateEnt{i: k, j: e}, true // "June 5": no year
			}
		}
		m2 := a.skip(m, ",", "of", "de")
		if y, ok := a.yearAt(m2); ok {
			return dateEnt{i: k, j: m2 + 1, value: fmt.Sprintf("%d-%02d", y, mo)}, true
		}
		if (toks[k].upper || a.allLow) && len(toks[k].low) > 3 {
			return dateEnt{i: k, j: m}, true // "in January": no year
		}
		return dateEnt{}, false
	}
	// day first: "5 June 2026", "5. Juni 2026", "28 de mayo de 2026"
	if d, e, ok := a.dayAt(k); ok {
		m := e
		if a.low(m) == "." {
			m++
		}
		m = a.skip(m, "de")
		if mo, ok := a.month(m); ok {
			y2 := a.skip(m+1, ",", "de")
			if y, ok := a.yearAt(y2); ok {
				return dateEnt{i: k, j: y2 + 1, value: fmt.Sprintf("%d-%02d-%02d", y, mo, d)}, true
			}
			return dateEnt{i: k, j: m + 1}, true
		}
	}
	y, ok := a.yearAt(k)
	if !ok {
		return dateEnt{}, false
	}
	// a year followed by a unit is a number ("2024 hours")
	if u, _, _ := a.unitAt(numv{i: k, j: k + 1, v: float64(y)}, k+1); u != 0 && !strings.HasPrefix(a.low(k+1), "年") {
		return dateEnt{}, false
	}
	// ISO: 2026-05-28, 2026/05
	if (a.low(k+1) == "-" || a.low(k+1) == "/") && !toks[k+1].space && k+2 < len(toks) && toks[k+2].kind == kNum {
		mo, err := strconv.Atoi(a.s[toks[k+2].s:toks[k+2].e])
		if err == nil && mo >= 1 && mo <= 12 && len(a.s[toks[k+2].s:toks[k+2].e]) == 2 {
			if (a.low(k+3) == "-" || a.low(k+3) == "/") && k+4 < len(toks) && toks[k+4].kind == kNum {
				if d, e, ok := a.dayAt(k + 4); ok {
					return dateEnt{i: k, j: e, value: fmt.Sprintf("%d-%02d-%02d", y, mo, d)}, true
				}
			}
			return dateEnt{i: k, j: k + 3, value: fmt.Sprintf("%d-%02d", y, mo)}, true
		}
		// a range of years: "2024-25", "2019–2025" are two years
	}
	// Chinese: 2026年5月28日
	if a.low(k+1) == "年" {
		j := k + 2
		v := strconv.Itoa(y)
		if j < len(toks) && toks[j].kind == kNum && a.low(j+1) == "月" {
			mo, _ := strconv.Atoi(a.s[toks[j].s:toks[j].e])
			if mo >= 1 && mo <= 12 {
				v = fmt.Sprintf("%d-%02d", y, mo)
				j += 2
				if j < len(toks) && toks[j].kind == kNum && a.low(j+1) == "日" {
					d, _ := strconv.Atoi(a.s[toks[j].s:toks[j].e])
					v = fmt.Sprintf("%d-%02d-%02d", y, mo, d)
					j += 2
				}
			}
		}
		return dateEnt{i: k, j: j, value: v}, true
	}
	// "2026 Q2"
	if q, ok := quarterWord(a.low(k + 1)); ok {
		return dateEnt{i: k, j: k + 2, value: fmt.Sprintf("%d-Q%d", y, q)}, true
	}
	// decades: "the 2020s"
	if a.low(k+1) == "s" && !toks[k+1].space {
		return dateEnt{i: k, j: k + 2}, true
	}
	i := k
	// "early 2025", "the start of 2025", "mid-2026", "the end of 2027"
	for n := 0; n < 4 && i > 0; n++ {
		w := a.low(i - 1)
		if yearMods[w] || w == "-" || w == "of" && yearMods[a.low(i-2)] || w == "the" && yearMods[a.low(i)] {
			i--
			continue
		}
		break
	}
	return dateEnt{i: i, j: k + 1, value: strconv.Itoa(y)}, true
}

// skip returns the first index from k whose token is none of ws.
func (a *sent) skip(k int, ws ...string) int {
	for k < len(a.toks) {
		found := false
		for _, w := range ws {
			if a.low(k) == w {
				found = true
				break
			}
		}
		if !found {
			return k
		}
		k++
	}
	return k
}

func quarterWord(w string) (int, bool) {
	if len(w) == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4' {
		return int(w[1] - '0'), true
	}
	return 0, false
}

// whenFor returns the as_of date and the forecast flag of a figure.
func (a *sent) whenFor(q *quant, published time.Time) (string, bool) {
	forecast := a.forecast(q)
	asOf, _ := a.asOf(q, forecast)
	if forecast && !published.IsZero() && asOf != "" && periodEnd(asOf).Before(published) {
		forecast = false // "by March 2025" in a 2026 article is history
	}
	return asOf, forecast
}

// asOf picks the date phrase that governs a figure: a date attached to
// it ("55% at the start of 2025") is its own; other dates belong to the
// figure they are attached to, or are shared by the clause.
func (a *sent) asOf(q *quant, forecast bool) (string, bool) {
	if len(a.dates) == 0 {
		return "", false
	}
	best, bestD := -1, 0.0
	for k := range a.dates {
		d := &a.dates[k]
		if d.excluded {
			continue
		}
		owner := a.dateOwner(d)
		if owner != nil && owner != q {
			continue
		}
		var dist float64
		switch {
		case d.j <= q.i:
			dist = float64(q.i - d.j)
		case d.i >= q.j:
			dist = float64(d.i-q.j) + 0.5
		default:
			continue
		}
		if owner == q {
			dist -= 100
		}
		if !a.sameStrong(d.i, q.ni) {
			dist += 50
		}
		if forecast && d.target {
			dist -= 30
		}
		if best < 0 || dist < bestD {
			best, bestD = k, dist
		}
	}
	if best < 0 {
		return "", false
	}
	return a.dates[best].value, a.dates[best].target
}

// dateOwner returns the figure a date is attached to ("40% in 2024"), or
// nil when it is the clause's.
func (a *sent) dateOwner(d *dateEnt) *quant {
	for k := range a.quants {
		q := &a.quants[k]
		if q.metric == "" {
			continue
		}
		gap := d.i - q.j
		if gap >= 0 && gap <= 2 {
			w := a.low(q.j)
			if w == "in" || w == "on" || w == "at" || w == "as" || w == "by" || w == "during" || w == "im" ||
				w == "en" || w == "am" || w == "le" || w == "el" || gap == 0 {
				return q
			}
		}
	}
	return nil
}

// periodEnd returns the last moment of an as_of period.
func periodEnd(v string) time.Time {
	var y, m, d, q int
	switch {
	case len(v) == 4:
		fmt.Sscanf(v, "%d", &y)
		return time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
	case strings.Contains(v, "-Q"):
		fmt.Sscanf(v, "%d-Q%d", &y, &q)
		return time.Date(y, time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
	case len(v) == 7:
		fmt.Sscanf(v, "%d-%d", &y, &m)
		return time.Date(y, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
	default:
		fmt.Sscanf(v, "%d-%d-%d", &y, &m, &d)
		return time.Date(y, time.Month(m), d+1, 0, 0, 0, 0, time.UTC)
	}
}
