package figures

import "math"

// Unit tags of unitLex.
const (
	uSec = iota + 1
	uMin
	uHour
	uDay
	uWeek
	uMonth
	uYear
	uPct
	uPP // percentage points: a difference, never a figure
	uX
	uOOM // orders of magnitude
)

var unitHours = [...]float64{uSec: 1.0 / 3600, uMin: 1.0 / 60, uHour: 1, uDay: 24, uWeek: 168, uMonth: hoursPerMonth, uYear: 12 * hoursPerMonth}

func isDurUnit(u int) bool { return u >= uSec && u <= uYear }

var unitLex = newLexicon().
	add(uHour, "hour", "hours", "hr", "hrs", "h", "stunde", "stunden", "std", "heure", "heures", "hora", "horas",
		"小时", "个小时", "小時", "個小時", "钟头", "个钟头").
	add(uMin, "minute", "minutes", "min", "mins", "minuten", "minuto", "minutos", "分钟", "分鐘", "个分钟").
	add(uSec, "second", "seconds", "sec", "secs", "sekunde", "sekunden", "seconde", "secondes", "segundo",
		"segundos", "秒", "秒钟").
	add(uDay, "day", "days", "tag", "tage", "tagen", "jour", "jours", "journée", "journées", "día", "días",
		"dia", "dias", "天", "个工作日", "工作日").
	add(uWeek, "week", "weeks", "wk", "wks", "woche", "wochen", "semaine", "semaines", "semana", "semanas",
		"周", "星期", "个星期", "週").
	add(uMonth, "month", "months", "mo", "mos", "monat", "monate", "monaten", "mois", "mes", "meses", "个月", "個月").
	add(uYear, "year", "years", "yr", "yrs", "jahr", "jahre", "jahren", "année", "années", "ans", "año", "años").
	add(uPct, "%", "percent", "per cent", "pct", "prozent", "pour cent", "por ciento", "per-cent").
	add(uPP, "percentage points", "percentage point", "points de pourcentage", "puntos porcentuales",
		"prozentpunkte", "prozentpunkt", "个百分点", "百分点", "pp", "ppt").
	add(uX, "x", "×", "times", "fold", "fois", "veces", "mal", "倍").
	add(uOOM, "order of magnitude", "orders of magnitude", "order-of-magnitude", "orders-of-magnitude",
		"größenordnung", "größenordnungen", "ordre de grandeur", "ordres de grandeur", "orden de magnitud",
		"órdenes de magnitud", "数量级", "个数量级")

func unitQKind(u int) qkind {
	switch {
	case isDurUnit(u):
		return qDur
	case u == uPct:
		return qPct
	case u == uX || u == uOOM:
		return qMult
	}
	return qBare
}

func sameUnitKind(u, v int) bool {
	return u != 0 && v != 0 && unitQKind(u) == unitQKind(v) && u != uPP && v != uPP
}

// unitValue converts a number in unit u to the canonical unit.
func (a *sent) unitValue(n numv, u int) float64 {
	switch {
	case isDurUnit(u):
		return n.v * unitHours[u]
	case u == uOOM:
		return math.Pow(10, n.v)
	}
	return n.v
}

// Unit flags.
const (
	flAdj      = 1 << iota // "12-hour": hyphenated adjective
	flOver                 // "30-plus hours", "800+ hours", "10多个小时"
	flStraight             // "seven straight hours"
)

// midAdj may stand between a number and its unit.
var midAdj = wordSet("straight", "consecutive", "full", "solid", "uninterrupted", "continuous", "whole", "entire")

// adjOnly are duration modifiers between an article and its unit: "a full day".
var adjOnly = wordSet("full", "entire", "single", "whole", "solid", "ganzen", "ganze", "entière", "entero", "completo")

// unitAt reads the unit that follows a number ending at token k.
func (a *sent) unitAt(n numv, k int) (u, end, flags int) {
	toks := a.toks
	if k >= len(toks) {
		return 0, k, 0
	}
	start := k
	if toks[k].low == "+" && !toks[k].space {
		flags |= flOver
		k++
	}
	if a.low(k) == "-" && a.low(k+1) == "plus" {
		flags |= flOver
		k += 2
	}
	if a.low(k) == "多" || a.low(k) == "余" {
		flags |= flOver
		k++
	}
	if n.article {
		if adjOnly[a.low(k)] {
			k++
		}
		if a.low(k) == "second" || a.low(k) == "seconde" || a.low(k) == "segundo" {
			return 0, start, 0
		}
	}
	if k >= len(toks) {
		return 0, start, 0
	}
	if midAdj[a.low(k)] && !n.article {
		if _, _, ok := unitLex.at(toks, k+1); ok {
			flags |= flStraight // "seven straight hours", "30 consecutive hours"
			k++
		}
	}
	hyph := false
	if toks[k].low == "-" && !toks[k].space && k+1 < len(toks) && !toks[k+1].space {
		hyph = true
		k++
	}
	if a.mask[k] != mFree {
		return 0, start, 0
	}
	tag, e, ok := unitLex.at(toks, k)
	if !ok {
		return 0, start, 0
	}
	t := &toks[k]
	switch t.low {
	case "h":
		if n.word {
			return 0, start, 0
		}
	case "x":
		if t.space || hyph {
			return 0, start, 0
		}
	case "mo", "mos", "min", "mins", "hr", "hrs", "sec", "secs", "wk", "wks", "yr", "yrs", "std":
		if n.word {
			return 0, start, 0
		}
	case "mal", "fois", "veces":
		if n.frac {
			return 0, start, 0
		}
	case "times":
		if a.frequency(e) || n.frac {
			return 0, start, 0
		}
	case "ans", "mes", "tag", "tage":
		if !a.euro {
			return 0, start, 0
		}
	case "pp", "ppt":
		if t.space {
			return 0, start, 0
		}
	}
	if tag == uPct && n.vague {
		return 0, start, 0
	}
	if tag == uX && t.low == "fold" && !hyph && t.space {
		return 0, start, 0
	}
	if hyph && isDurUnit(tag) {
		flags |= flAdj
		if a.low(e) == "-" && a.low(e+1) == "long" && !toks[e].space && e+1 < len(toks) && !toks[e+1].space {
			e += 2 // "two-hour-long task"
		}
	}
	if isDurUnit(tag) && !hyph && (t.low == "hour" || t.low == "minute" || t.low == "day" || t.low == "week" ||
		t.low == "month" || t.low == "year") && !n.article && n.v != 1 && !n.frac {
		flags |= flAdj // "12 hour tasks"
	}
	if a.low(e) == "+" && !toks[e].space {
		flags |= flOver
		e++
	}
	return tag, e, flags
}

// frequency reports "times a week", "times per day" after "times".
func (a *sent) frequency(k int) bool {
	w := a.low(k)
	if w == "a" || w == "per" || w == "each" || w == "every" || w == "an" {
		_, _, ok := unitLex.at(a.toks, k+1)
		return ok
	}
	return w == "daily" || w == "weekly" || w == "monthly" || w == "yearly" || w == "annually"
}

// compound extends a duration over smaller units: "2 hours 17 minutes",
// "3 hours and 6 minutes", "4h49m", "1h 30m", "an hour and a half".
func (a *sent) compound(q *quant) {
	toks := a.toks
	last := q.durUnit
	for {
		k := q.j
		if k+2 < len(toks) && (toks[k].low == "and" || toks[k].low == "und" || toks[k].low == "et" || toks[k].low == "y") &&
			articleWords[toks[k+1].low] && (toks[k+2].low == "half" || toks[k+2].low == "halb" || toks[k+2].low == "demi" || toks[k+2].low == "media" || toks[k+2].low == "medio") {
			q.v += 0.5 * unitHours[last]
			q.j, q.nj = k+3, k+3
			return
		}
		if k < len(toks) && (toks[k].low == "," || toks[k].low == "and" || toks[k].low == "und" ||
			toks[k].low == "et" || toks[k].low == "y" || toks[k].low == "又" || toks[k].low == "零") {
			k++
		}
		if k >= len(toks) || a.mask[k] != mFree || (toks[k].kind != kNum && toks[k].kind != kWord && toks[k].kind != kCJK) {
			return
		}
		n, ok := a.parseNumber(k)
		if !ok || n.article || n.vague || n.frac {
			return
		}
		// "4h49m", "1h 30m", "1h30"
		if n.j < len(toks) && toks[n.j].low == "m" && !toks[n.j].space && last == uHour {
			q.v += n.v / 60
			q.j, q.nj, last = n.j+1, n.j+1, uMin
			if n.j+2 < len(toks) && toks[n.j+2].low == "s" && !toks[n.j+2].space && toks[n.j+1].kind == kNum {
				// 1h2m3s
				s, _ := a.parseNumber(n.j + 1)
				q.v += s.v / 3600
				q.j, q.nj = n.j+3, n.j+3
			}
			continue
		}
		if n.j < len(toks) && toks[n.j].low == "s" && !toks[n.j].space && last == uMin {
			q.v += n.v / 3600
			q.j, q.nj, last = n.j+1, n.j+1, uSec
			continue
		}
		u, ue, _ := a.unitAt(n, n.j)
		if u == 0 && last == uHour && toks[k-1].low == "h" && !toks[k].space && n.v < 60 {
			q.v += n.v / 60
			q.j, q.nj = n.j, n.j
			return
		}
		if !isDurUnit(u) || u >= last {
			return
		}
		q.v += a.unitValue(n, u)
		q.j, q.nj, last = ue, ue, u
	}
}

// multTail reads what follows a multiplier: "more", "faster", "slowdown".
func (a *sent) multTail(q *quant) {
	k := q.j
	switch a.low(k) {
	case "slower", "slowdown", "slow-down", "langsamer", "verlangsamung", "ralentissement", "ralentización", "less", "fewer":
		q.slow = true
		q.comparison = true
		q.v = 1 / q.v
		if q.rng {
			q.lo, q.hi = 1/q.hi, 1/q.lo
		}
	case "more", "faster", "quicker", "higher", "greater", "better", "as", "the", "plus", "mehr", "más",
		"schneller", "speedup", "speed-up", "acceleration", "improvement", "increase", "boost", "gain", "gains":
		q.comparison = true
	case "so": // "doppelt so schnell wie"
		q.comparison = a.low(k+2) == "wie" || a.low(k+2) == "als"
	}
}
