package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/fetch"
)

// sourceView is a source as the API shows it, with its poll state and
// next run.
type sourceView struct {
	Name           string     `json:"name"`
	Kind           string     `json:"kind"`
	URL            string     `json:"url"`
	Schedule       string     `json:"schedule"`
	FullText       string     `json:"full_text"`
	Enabled        bool       `json:"enabled"`
	Follow         []string   `json:"follow"`
	AllowedDomains []string   `json:"allowed_domains"`
	MaxDepth       int        `json:"max_depth"`
	MaxPages       int        `json:"max_pages"`
	Delay          string     `json:"delay"`
	Origin         string     `json:"origin"` // config | user
	LastPolledAt   *time.Time `json:"last_polled_at"`
	LastOKAt       *time.Time `json:"last_ok_at"`
	LastErrorAt    *time.Time `json:"last_error_at"`
	LastError      string     `json:"last_error"`
	Failures       int        `json:"failures"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"` // backoff: not before this
	NextRun        *time.Time `json:"next_run"`        // the schedule's next run
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (s *server) newSourceView(src frontierwatch.Source) sourceView {
	v := sourceView{Name: src.Name, Kind: string(src.Kind), URL: fetch.RedactURL(src.URL), Schedule: src.Schedule, FullText: src.FullText,
		Enabled: src.Enabled, Follow: src.Follow, AllowedDomains: src.AllowedDomains, MaxDepth: src.MaxDepth,
		MaxPages: src.MaxPages, Origin: src.Origin, LastPolledAt: timePtr(src.State.LastPolledAt),
		LastOKAt: timePtr(src.State.LastOKAt), LastErrorAt: timePtr(src.State.LastErrorAt), LastError: src.State.LastError,
		Failures: src.State.Failures, NextAttemptAt: timePtr(src.State.NextAttemptAt)}
	if src.Delay > 0 {
		v.Delay = src.Delay.String()
	}
	if v.Follow == nil {
		v.Follow = []string{}
	}
	if v.AllowedDomains == nil {
		v.AllowedDomains = []string{}
	}
	if s.opts.NextRun != nil && src.Enabled {
		v.NextRun = timePtr(s.opts.NextRun(src.Name))
	}
	return v
}

func (s *server) sourceViews(r *http.Request) ([]sourceView, error) {
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]sourceView, 0, len(srcs))
	for _, src := range srcs {
		out = append(out, s.newSourceView(src))
	}
	return out, nil
}

// apiSources is GET /api/v1/sources.
func (s *server) apiSources(w http.ResponseWriter, r *http.Request) {
	out, err := s.sourceViews(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Sources []sourceView `json:"sources"`
	}{out})
}

// sourceInput is the body of POST /api/v1/sources.
type sourceInput struct {
	Name           string   `json:"name"`
	Kind           string   `json:"kind"` // feed (default) | site
	URL            string   `json:"url"`
	Schedule       string   `json:"schedule"`
	FullText       string   `json:"full_text"`
	Enabled        *bool    `json:"enabled"` // default true
	Follow         []string `json:"follow"`
	AllowedDomains []string `json:"allowed_domains"`
	MaxDepth       int      `json:"max_depth"`
	MaxPages       int      `json:"max_pages"`
	Delay          string   `json:"delay"` // a Go duration, e.g. "1s"
}

var sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// source checks the input by the config file's rules for sources and
// returns the source to store.
func (in sourceInput) source() (frontierwatch.Source, error) {
	src := frontierwatch.Source{Name: strings.TrimSpace(in.Name), Kind: frontierwatch.SourceKind(in.Kind), URL: strings.TrimSpace(in.URL),
		Schedule: strings.TrimSpace(in.Schedule), FullText: in.FullText, Enabled: in.Enabled == nil || *in.Enabled,
		Follow: in.Follow, AllowedDomains: in.AllowedDomains, MaxDepth: in.MaxDepth, MaxPages: in.MaxPages,
		Origin: frontierwatch.OriginUser}
	bad := func(field, format string, args ...any) error {
		return &httpError{http.StatusBadRequest, codeBadRequest, field + ": " + sprintf(format, args...)}
	}
	if src.Kind == "" {
		src.Kind = frontierwatch.KindFeed
	}
	switch {
	case src.Name == "":
		return src, bad("name", "is required")
	case len(src.Name) > 64 || !sourceNameRE.MatchString(src.Name):
		return src, bad("name", "%q: use at most 64 lower-case letters, digits, '.', '_' and '-'", truncateRunes(src.Name, 80))
	}
	if src.Kind != frontierwatch.KindFeed && src.Kind != frontierwatch.KindSite {
		return src, bad("kind", "%q is not feed or site", truncateRunes(in.Kind, 32))
	}
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(src.URL) > 2048 {
		return src, bad("url", "%q is not an absolute http or https URL", truncateRunes(src.URL, 200))
	}
	if src.Schedule != "" {
		if _, err := config.ParseSchedule(src.Schedule); err != nil {
			return src, bad("schedule", "%q is not a cron schedule: %v", truncateRunes(src.Schedule, 80), err)
		}
	}
	switch src.FullText {
	case "", frontierwatch.FullTextAuto, frontierwatch.FullTextAlways, frontierwatch.FullTextNever:
	default:
		return src, bad("full_text", "%q is not auto, always or never", truncateRunes(src.FullText, 32))
	}
	if in.Delay != "" {
		if src.Delay, err = time.ParseDuration(in.Delay); err != nil || src.Delay < 0 || src.Delay > time.Hour {
			return src, bad("delay", "%q is not a duration from 0s to 1h", truncateRunes(in.Delay, 32))
		}
	}
	if src.MaxDepth < 0 || src.MaxPages < 0 {
		return src, bad("max_depth", "max_depth and max_pages must not be negative")
	}
	if src.Kind == frontierwatch.KindFeed {
		if len(src.Follow) > 0 || len(src.AllowedDomains) > 0 || src.MaxDepth != 0 || src.MaxPages != 0 {
			return src, bad("kind", "follow, allowed_domains, max_depth and max_pages apply only to sources of kind site")
		}
		return src, nil
	}
	if len(src.Follow) == 0 {
		return src, bad("follow", "a site needs at least one regexp of article URLs to follow")
	}
	for i, re := range src.Follow {
		if _, err := regexp.Compile(re); err != nil {
			return src, bad(sprintf("follow[%d]", i), "invalid regexp: %v", err)
		}
	}
	for i, d := range src.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "/:@ ") {
			return src, bad(sprintf("allowed_domains[%d]", i), "%q is not a host name", truncateRunes(d, 80))
		}
	}
	return src, nil
}

// decodeBody reads a JSON body (at most maxBody, no unknown fields, one
// value) into v. The body must say it is application/json: a browser
// sends that type across sites only after a CORS preflight, which this
// server never grants, so a page elsewhere cannot make a visitor's
// browser write with the credentials it holds for this server (Basic auth
// from the pages), and a body without a type is refused too.
func decodeBody(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, codeUnsupportedType, "the body must be application/json (Content-Type: application/json)"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &httpError{http.StatusRequestEntityTooLarge, codeTooLarge, sprintf("the body is over %d bytes", maxBody)}
	case errors.Is(err, io.EOF):
		return &httpError{http.StatusBadRequest, codeBadRequest, "the body is empty: send a JSON object"}
	}
	return &httpError{http.StatusBadRequest, codeBadRequest, "body: " + err.Error()}
}

// apiAddSource is POST /api/v1/sources: add a source, or replace the
// definition of one added through the API or the CLI. Sources from the
// config file are changed there (409).
func (s *server) apiAddSource(w http.ResponseWriter, r *http.Request) {
	var in sourceInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	src, err := in.source()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	old, err := s.store.Source(r.Context(), src.Name)
	switch {
	case err == nil && old.Origin == frontierwatch.OriginConfig:
		s.fail(w, r, &httpError{http.StatusConflict, codeConflict, sprintf("source %q comes from the config file; change it there", src.Name)})
		return
	case err == nil:
		status = http.StatusOK
	case !isNotFound(err):
		s.fail(w, r, err)
		return
	}
	stored, err := s.store.UpsertSource(r.Context(), src)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("source saved through the API", "source", stored.Name, "created", status == http.StatusCreated)
	w.Header().Set("Location", "/api/v1/sources")
	writeJSON(w, status, struct {
		Source sourceView `json:"source"`
	}{s.newSourceView(stored)})
}

// apiDeleteSource is DELETE /api/v1/sources/{name}; the source's articles
// stay.
func (s *server) apiDeleteSource(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	src, err := s.store.Source(r.Context(), name)
	if isNotFound(err) {
		s.fail(w, r, notFound("no source %q", truncateRunes(name, 80)))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if src.Origin == frontierwatch.OriginConfig {
		s.fail(w, r, &httpError{http.StatusConflict, codeConflict, sprintf("source %q comes from the config file; remove it there", name)})
		return
	}
	if err := s.store.DeleteSource(r.Context(), name); err != nil {
		if isNotFound(err) {
			err = notFound("no source %q", truncateRunes(name, 80))
		}
		s.fail(w, r, err)
		return
	}
	s.log.Info("source deleted through the API", "source", name)
	w.WriteHeader(http.StatusNoContent)
}

// silenceView is a silence as the API shows it.
type silenceView struct {
	ID        *int64     `json:"id"` // null for the config file's silences
	Origin    string     `json:"origin"`
	Metric    string     `json:"metric"`
	Subject   string     `json:"subject"`
	Source    string     `json:"source"`
	Until     time.Time  `json:"until"`
	Reason    string     `json:"reason"`
	CreatedAt *time.Time `json:"created_at"`
	Active    bool       `json:"active"`
}

func newSilenceView(sil archive.Silence, now time.Time) silenceView {
	id := sil.ID
	return silenceView{ID: &id, Origin: "api", Metric: sil.Metric, Subject: sil.Subject, Source: sil.Source,
		Until: sil.Until, Reason: sil.Reason, CreatedAt: timePtr(sil.CreatedAt), Active: now.Before(sil.Until)}
}

// apiSilences is GET /api/v1/silences: the config file's and the stored
// ones; ?active=true keeps those that still mute.
func (s *server) apiSilences(w http.ResponseWriter, r *http.Request) {
	activeOnly, err := parseBool(r.URL.Query(), "active")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	out := []silenceView{}
	for _, c := range s.opts.ConfigSilences {
		until := c.UntilTime()
		v := silenceView{Origin: "config", Metric: c.Metric, Subject: c.Subject, Source: c.Source, Until: until.UTC(),
			Reason: c.Reason, Active: now.Before(until)}
		if !activeOnly || v.Active {
			out = append(out, v)
		}
	}
	var at time.Time
	if activeOnly {
		at = now
	}
	stored, err := s.store.Silences(r.Context(), at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, sil := range stored {
		out = append(out, newSilenceView(sil, now))
	}
	writeJSON(w, http.StatusOK, struct {
		Silences []silenceView `json:"silences"`
	}{out})
}

// silenceInput is the body of POST /api/v1/silences.
type silenceInput struct {
	Metric  string `json:"metric"`
	Subject string `json:"subject"`
	Source  string `json:"source"`
	Until   string `json:"until"` // RFC 3339 or YYYY-MM-DD (midnight UTC); required, in the future
	Reason  string `json:"reason"`
}

// apiAddSilence is POST /api/v1/silences.
func (s *server) apiAddSilence(w http.ResponseWriter, r *http.Request) {
	var in silenceInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	bad := func(field, format string, args ...any) {
		s.fail(w, r, &httpError{http.StatusBadRequest, codeBadRequest, field + ": " + sprintf(format, args...)})
	}
	sil := archive.Silence{Metric: strings.TrimSpace(in.Metric), Subject: strings.TrimSpace(in.Subject),
		Source: strings.TrimSpace(in.Source), Reason: strings.TrimSpace(in.Reason)}
	if in.Until == "" {
		bad("until", "is required: a silence ends at a time (RFC 3339 or YYYY-MM-DD)")
		return
	}
	until, err := config.ParseSince(strings.TrimSpace(in.Until))
	if err != nil {
		bad("until", "%q is not a date (want YYYY-MM-DD or RFC 3339)", truncateRunes(in.Until, 64))
		return
	}
	if !until.After(s.now()) {
		bad("until", "%s is not in the future", in.Until)
		return
	}
	sil.Until = until
	if _, ok := s.metrics[sil.Metric]; sil.Metric != "" && !ok {
		bad("metric", "unknown metric %q (known: %s)", truncateRunes(sil.Metric, 64), strings.Join(s.order, ", "))
		return
	}
	for _, f := range []struct{ name, v string }{{"subject", sil.Subject}, {"source", sil.Source}, {"reason", sil.Reason}} {
		if len(f.v) > 1000 || strings.ContainsAny(f.v, "\x00\r\n") && f.name != "reason" {
			bad(f.name, "must be one line of at most 1000 bytes")
			return
		}
	}
	stored, err := s.store.AddSilence(r.Context(), sil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("silence added through the API", "silence_id", stored.ID, "until", stored.Until)
	writeJSON(w, http.StatusCreated, struct {
		Silence silenceView `json:"silence"`
	}{newSilenceView(stored, s.now())})
}

// apiDeleteSilence is DELETE /api/v1/silences/{id}; the config file's
// silences cannot be deleted here.
func (s *server) apiDeleteSilence(w http.ResponseWriter, r *http.Request) {
	id, err := parseID("id", r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.DeleteSilence(r.Context(), id); err != nil {
		if isNotFound(err) {
			err = notFound("no silence %d", id)
		}
		s.fail(w, r, err)
		return
	}
	s.log.Info("silence deleted through the API", "silence_id", id)
	w.WriteHeader(http.StatusNoContent)
}

// isNotFound reports whether err wraps archive.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, archive.ErrNotFound) }
