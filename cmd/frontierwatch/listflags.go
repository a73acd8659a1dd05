package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/frontierwatch/frontierwatch/archive"
)

// listFlags are the flags the listing commands (search, figures,
// milestones) share: a time window, a format and a limit.
type listFlags struct {
	since, until, format string
	limit                int
}

// add declares the flags; what names the things listed ("articles").
func (l *listFlags) add(f *pflag.FlagSet, what string, limit int) {
	f.StringVar(&l.since, "since", "", "only "+what+" on or after this date (YYYY-MM-DD or RFC 3339)")
	f.StringVar(&l.until, "until", "", "only "+what+" on or before this date (YYYY-MM-DD or RFC 3339)")
	f.IntVar(&l.limit, "limit", limit, "at most this many "+what+" (1-1000)")
	f.StringVarP(&l.format, "format", "f", "table", "output format: table, json or csv")
}

// parse checks the flags and returns the time window; every mistake is a
// usage error.
func (l *listFlags) parse() (since, until time.Time, err error) {
	if since, err = parseDate(l.since, false); err != nil {
		return since, until, usagef("--since: %v", err)
	}
	if until, err = parseDate(l.until, true); err != nil {
		return since, until, usagef("--until: %v", err)
	}
	if l.limit < 1 || l.limit > archive.MaxLimit {
		return since, until, usagef("--limit must be between 1 and %d", archive.MaxLimit)
	}
	return since, until, checkFormat(l.format)
}
