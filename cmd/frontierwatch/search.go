package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
)

// searchResult is one line of `search --format json`: the contract of
// DESIGN.md ("CLI contract").
type searchResult struct {
	ID         int64                      `json:"id"`
	URL        string                     `json:"url"`
	Title      string                     `json:"title"`
	Source     string                     `json:"source"`
	Published  *time.Time                 `json:"published"`
	StoryID    *int64                     `json:"story_id"`
	StorySites *int                       `json:"story_sites"`
	Topics     []frontierwatch.TopicScore `json:"topics"`
	Snippet    string                     `json:"snippet"`
	Figures    []frontierwatch.Figure     `json:"figures,omitempty"`
}

func (a *app) searchCommand() *cobra.Command {
	var lf listFlags
	var source string
	var withFigures bool
	cmd := &cobra.Command{
		Use:   "search [QUERY]",
		Short: "Search the archive (full text; no query lists the newest articles)",
		Long: `search finds archived articles with a full-text query (SQLite FTS5 syntax: words,
"exact phrases", OR, NOT, prefix*), ranked by relevance, title matches first.
Without a query it lists the newest articles.`,
		Example: `  frontierwatch search "time horizon" --since 2026-01-01
  frontierwatch search 'agents OR autonomy' --source metr --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := archive.Query{Source: source, Limit: lf.limit}
			if len(args) == 1 {
				q.Text = args[0]
			}
			var err error
			if q.Since, q.Until, err = lf.parse(); err != nil {
				return err
			}
			st, err := a.openArchive(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			hits, err := st.Search(cmd.Context(), q)
			if err != nil {
				return err
			}
			if withFigures {
				for i := range hits {
					if hits[i].Figures, err = st.ArticleFigures(cmd.Context(), hits[i].ID); err != nil {
						return err
					}
				}
			}
			return writeHits(a.stdout, lf.format, hits)
		},
	}
	f := cmd.Flags()
	lf.add(f, "articles", 50)
	f.StringVar(&source, "source", "", "only articles from this source")
	f.BoolVar(&withFigures, "figures", false, "with --format json: include each article's headline figures")
	return cmd
}

// parseDate parses YYYY-MM-DD (the whole day: its start, or its end when
// end is set) or RFC 3339. Empty is the zero time.
func parseDate(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD or RFC 3339)", s)
	}
	return t, nil
}

func writeHits(w io.Writer, format string, hits []archive.Hit) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, h := range hits {
			r := searchResult{ID: h.ID, URL: h.URL, Title: h.Title, Source: h.Source, Snippet: h.Snippet, Topics: h.Topics, Figures: h.Figures}
			if !h.Published.IsZero() {
				p := h.Published.UTC()
				r.Published = &p
			}
			if h.StoryID != 0 {
				id, sites := h.StoryID, h.StorySites
				r.StoryID, r.StorySites = &id, &sites
			}
			if r.Topics == nil {
				r.Topics = []frontierwatch.TopicScore{}
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "published", "source", "title", "url", "snippet"})
		for _, h := range hits {
			cw.Write([]string{strconv.FormatInt(h.ID, 10), dateOrEmpty(h.Published), h.Source, h.Title, h.URL, h.Snippet})
		}
		cw.Flush()
		return cw.Error()
	default:
		if len(hits) == 0 {
			_, err := fmt.Fprintln(w, "no articles found")
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPUBLISHED\tSOURCE\tTITLE\tSITE")
		for _, h := range hits {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", h.ID, dateOrEmpty(h.Published), h.Source, clip(h.Title, 70), host(h.URL))
		}
		return tw.Flush()
	}
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// clip shortens s to n runes, ending with an ellipsis.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
