package server

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// writeSeries writes a series as JSON: the header with encoding/json, the
// points with appendPoint, in chunks, so a 100,000-point series neither
// goes through reflection nor sits in memory twice.
func writeSeries(w http.ResponseWriter, se series) {
	head := se
	head.Points = nil
	b, err := json.Marshal(head)
	if err != nil { // a Trend of finite numbers always marshals
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// Replace the closing "null}" of points with the array.
	const tail = `"points":null}`
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, b[:len(b)-len(tail)]...)
	buf = append(buf, `"points":[`...)
	for i, p := range se.Points {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPoint(buf, p)
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "]}\n"...)
	_, _ = w.Write(buf)
}

// appendPoint appends p as a JSON object, with the names of its json tags.
func appendPoint(b []byte, p seriesPoint) []byte {
	b = append(b, `{"t":`...)
	b = appendTime(b, p.T)
	b = append(b, `,"time_basis":`...)
	b = appendString(b, p.TimeBasis)
	b = append(b, `,"value":`...)
	b = appendFloat(b, p.Value)
	b = append(b, `,"figure_id":`...)
	b = strconv.AppendInt(b, p.FigureID, 10)
	b = append(b, `,"min":`...)
	b = appendFloatPtr(b, p.Min)
	b = append(b, `,"max":`...)
	b = appendFloatPtr(b, p.Max)
	b = append(b, `,"qualifier":`...)
	b = appendString(b, p.Qualifier)
	b = append(b, `,"subject":`...)
	b = appendString(b, p.Subject)
	b = append(b, `,"benchmark":`...)
	b = appendString(b, p.Benchmark)
	b = append(b, `,"as_of":`...)
	b = appendString(b, p.AsOf)
	b = append(b, `,"seen":`...)
	b = appendTime(b, p.Seen)
	b = append(b, `,"surface":`...)
	b = appendString(b, p.Surface)
	b = append(b, `,"source":`...)
	b = appendString(b, p.Source)
	b = append(b, `,"site":`...)
	b = appendString(b, p.Site)
	b = append(b, `,"article_id":`...)
	b = strconv.AppendInt(b, p.ArticleID, 10)
	b = append(b, `,"article_url":`...)
	b = appendString(b, p.ArticleURL)
	return append(b, '}')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendFloatPtr(b []byte, v *float64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return appendFloat(b, *v)
}

// appendFloat writes a number as encoding/json does; NaN and infinities,
// which JSON cannot hold, become null.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does: <, >
// and & escaped for HTML, U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
