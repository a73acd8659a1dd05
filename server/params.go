package server

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func trimPrefix(s, prefix string) string { return strings.TrimPrefix(s, prefix) }

// parseTime reads a date parameter: YYYY-MM-DD (midnight UTC; for an end
// bound, the midnight after it, so the day is included) or RFC 3339.
// Empty gives the zero time.
func parseTime(name, v string, end bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Time{}, badParam(name, "%q is not a date (want YYYY-MM-DD or RFC 3339)", truncateRunes(v, 64))
}

// timeRange reads since and until and checks their order.
func timeRange(q url.Values) (since, until time.Time, err error) {
	if since, err = parseTime("since", q.Get("since"), false); err != nil {
		return since, until, err
	}
	if until, err = parseTime("until", q.Get("until"), true); err != nil {
		return since, until, err
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return since, until, badParam("until", "%s is not after since (%s)", q.Get("until"), q.Get("since"))
	}
	return since, until, nil
}

// parseLimit reads limit: 1..max, def when absent.
func parseLimit(q url.Values, def, max int) (int, error) {
	v := strings.TrimSpace(q.Get("limit"))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, badParam("limit", "%q is not a number from 1 to %d", truncateRunes(v, 32), max)
	}
	return n, nil
}

// parseBool reads a boolean parameter: true/false, 1/0, yes/no, on/off.
func parseBool(q url.Values, name string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(q.Get(name))); v {
	case "", "false", "0", "no", "off":
		return false, nil
	case "true", "1", "yes", "on":
		return true, nil
	default:
		return false, badParam(name, "%q is not a boolean (want true or false)", truncateRunes(v, 32))
	}
}

// parseID reads a positive integer path value.
func parseID(name, v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, badParam(name, "%q is not an id (a positive integer)", truncateRunes(v, 32))
	}
	return id, nil
}

// metricParam reads an optional metric parameter; an unknown metric is a
// bad parameter.
func (s *server) metricParam(q url.Values) (string, error) {
	m := strings.TrimSpace(q.Get("metric"))
	if m == "" {
		return "", nil
	}
	if _, ok := s.metrics[m]; !ok {
		return "", badParam("metric", "unknown metric %q (known: %s)", truncateRunes(m, 64), strings.Join(s.order, ", "))
	}
	return m, nil
}

// textParam reads a free-text parameter, capped in length.
func textParam(q url.Values, name string, max int) (string, error) {
	v := strings.TrimSpace(q.Get(name))
	if len(v) > max {
		return "", badParam(name, "longer than %d bytes", max)
	}
	return v, nil
}

// truncateRunes cuts s to at most n runes, with "…" when it cut, for
// echoing user input in messages.
func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// Limits of the list endpoints.
const (
	defaultLimit = archive.DefaultLimit
	maxLimit     = archive.MaxLimit
	maxTextParam = 200 // source, subject, topic, benchmark
)
