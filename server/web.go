package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates of the web pages.
type pages struct {
	t *template.Template
}

// templateFuncs are the helpers the templates use; none returns unescaped
// markup.
var templateFuncs = template.FuncMap{
	"date":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"num":    formatNum,
	"unit":   unitFor,
	"figure": formatFigure,
}

func mustParsePages() *pages {
	t := template.Must(template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html"))
	return &pages{t: t}
}

// layout is what every page's head and foot need.
type layout struct {
	Title   string
	Nav     string // the current section
	Charts  bool   // load uPlot
	Version string
}

func newLayout(title, nav string) layout {
	return layout{Title: title, Nav: nav, Version: frontierwatch.Version}
}

// render executes a page template into a buffer first, so that a failing
// template gives a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.t.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render page", "page", name, "path", r.URL.Path, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError answers with the error page.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	s.render(w, r, status, "error", struct {
		layout
		Message string
	}{newLayout(title, ""), message})
}

// pageFail shows err on the error page, with the status the API would use.
func (s *server) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	status, _, msg := s.classify(r, err)
	title := "Something went wrong"
	switch {
	case status == http.StatusNotFound:
		title = "Not found"
	case status < 500:
		title = "Bad request"
	}
	s.renderError(w, r, status, title, msg)
}

// static serves the embedded files under /static/.
func (s *server) static(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(staticFS, "static")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}

// formatNum writes a value briefly: 12, 1.5, 0.25, 1,200.
func formatNum(v float64) string {
	switch {
	case v >= 1000 || v <= -1000:
		s := strconv.FormatFloat(v, 'f', 0, 64)
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		if neg {
			return "-" + b.String()
		}
		return b.String()
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// qualifierWords are how qualifiers read before a value.
var qualifierWords = map[frontierwatch.Qualifier]string{
	frontierwatch.Over: "over ", frontierwatch.Under: "under ", frontierwatch.UpTo: "up to ",
	frontierwatch.AtLeast: "at least ", frontierwatch.About: "about ",
}

// unitFor is a unit as it reads after the value v: "1 hour", "2 hours",
// "1 month"; symbols and other units are unchanged.
func unitFor(v float64, unit string) string {
	if v == 1 {
		if u, ok := strings.CutSuffix(unit, "s"); ok && (unit == "hours" || unit == "months" || unit == "days" || unit == "weeks" || unit == "years" || unit == "minutes") {
			return u
		}
	}
	return unit
}

// formatFigure writes a figure's value with its qualifier and unit:
// "up to 12 hours", "4–8 hours".
func formatFigure(f figureView) string {
	unit := f.Unit
	if f.Value != nil {
		unit = unitFor(*f.Value, unit)
	}
	if unit != "" && unit != "x" && unit != "percent" {
		unit = " " + unit
	}
	switch unit {
	case "percent":
		unit = "%"
	}
	if f.Value == nil && f.Min != nil && f.Max != nil {
		return formatNum(*f.Min) + "–" + formatNum(*f.Max) + unit
	}
	v := f.Value
	if v == nil {
		v = f.Min
	}
	if v == nil {
		v = f.Max
	}
	if v == nil {
		return "?"
	}
	return qualifierWords[f.Qualifier] + formatNum(*v) + unit
}

// ago says how long before now t was, or how long after: "5 min ago",
// "in 3 h".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		if future {
			return "in under a minute"
		}
		return "just now"
	case d < time.Hour:
		s = strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		s = strconv.Itoa(int(d/time.Hour)) + " h"
	case d < 60*24*time.Hour:
		s = strconv.Itoa(int(d/(24*time.Hour))) + " days"
	default:
		return t.UTC().Format("2 Jan 2006")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// toJSON marshals v for a data attribute; html/template escapes it there.
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
