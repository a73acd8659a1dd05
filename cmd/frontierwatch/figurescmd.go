package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/article"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// maxInput caps what extract reads from a file or standard input.
const maxInput = 64 << 20

// readInput reads FILE, or standard input for "-" or no argument.
func (a *app) readInput(args []string) ([]byte, error) {
	var r io.Reader = a.stdin
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("input larger than %d MiB", maxInput>>20)
	}
	return b, nil
}

func (a *app) extractFiguresCommand() *cobra.Command {
	var html bool
	var published, format string
	cmd := &cobra.Command{
		Use:   "figures [FILE|-]",
		Short: "Print the headline figures of a text (or an HTML page with --html), offline",
		Long: `extract figures reads an article (plain text, or an HTML page with --html) and prints
the headline figures it states: metric, value (min and max for ranges), unit, qualifier,
subject, benchmark, as_of, forecast, the words that state it and its sentence.
--format json prints one object per line, as DESIGN.md's contract says.`,
		Example: `  frontierwatch extract figures --format json < article.txt
  frontierwatch extract figures --html page.html --published 2026-06-05`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" && format != "table" {
				return usagef("--format must be json or table, not %q", format)
			}
			pub, err := parseDate(published, false)
			if err != nil {
				return usagef("--published: %v", err)
			}
			in, err := a.readInput(args)
			if err != nil {
				return err
			}
			text := string(in)
			if html {
				if res, err := article.Extract(in, article.Options{}); err == nil {
					text = res.Title + "\n" + res.Text
					if pub.IsZero() {
						pub = res.Published
					}
				} else {
					text = article.PlainText(text)
				}
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			figs := daemon.Extractor(cfg).Extract(text, pub)
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				for _, f := range figs {
					if err := enc.Encode(f); err != nil {
						return err
					}
				}
				return nil
			}
			return writeFigureTable(a.stdout, figs, nil)
		},
	}
	cmd.Flags().BoolVar(&html, "html", false, "the input is an HTML page: extract its main text first")
	cmd.Flags().StringVar(&published, "published", "", "the article's publication date (YYYY-MM-DD), for forecasts")
	cmd.Flags().StringVarP(&format, "format", "f", "json", "output format: json or table")
	return cmd
}

// value formats a figure's value: "12", "11.97", "4–8".
func value(f frontierwatch.Figure) string {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	short := func(p *float64) string {
		if p == nil {
			return "?"
		}
		return strconv.FormatFloat(*p, 'g', 4, 64)
	}
	if f.Value != nil {
		return num(f.Value)
	}
	return short(f.Min) + "–" + short(f.Max)
}

func writeFigureTable(w io.Writer, figs []frontierwatch.Figure, seen []archive.FigureHit) error {
	if len(figs) == 0 && len(seen) == 0 {
		_, err := fmt.Fprintln(w, "no figures found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if seen != nil {
		fmt.Fprintln(tw, "SEEN\tMETRIC\tVALUE\tUNIT\tQUALIFIER\tSUBJECT\tAS OF\tSOURCE\tSURFACE")
		for _, h := range seen {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Seen.Format(time.DateOnly), metricName(h.Figure), value(h.Figure), h.Unit,
				h.Qualifier, clip(h.Subject, 30), h.AsOf, h.Source, clip(h.Surface, 40))
		}
		return tw.Flush()
	}
	fmt.Fprintln(tw, "METRIC\tVALUE\tUNIT\tQUALIFIER\tSUBJECT\tAS OF\tFORECAST\tSURFACE")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%t\t%s\n", metricName(f), value(f), f.Unit, f.Qualifier, clip(f.Subject, 30), f.AsOf, f.Forecast, clip(f.Surface, 40))
	}
	return tw.Flush()
}

func metricName(f frontierwatch.Figure) string {
	if f.Benchmark != "" {
		return f.Metric + " (" + f.Benchmark + ")"
	}
	return f.Metric
}

// openArchive opens the configured archive for a read command.
func (a *app) openArchive(cmd *cobra.Command) (*archive.Store, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return archive.Open(cmd.Context(), cfg.Database.URL, archive.WithRankWindow(cfg.Archive.SearchRankWindow))
}

func checkFormat(format string) error {
	switch format {
	case "table", "json", "csv":
		return nil
	}
	return usagef("--format must be table, json or csv, not %q", format)
}

func (a *app) figuresCommand() *cobra.Command {
	var lf listFlags
	var metric, subject string
	var forecasts bool
	cmd := &cobra.Command{
		Use:   "figures",
		Short: "List the headline figures in the archive, oldest first",
		Example: `  frontierwatch figures --metric task_horizon --since 2026-01-01
  frontierwatch figures --subject claude --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := archive.FigureQuery{Metric: metric, Subject: subject, IncludeForecasts: forecasts, Limit: lf.limit}
			var err error
			if q.Since, q.Until, err = lf.parse(); err != nil {
				return err
			}
			st, err := a.openArchive(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			hits, err := st.Figures(cmd.Context(), q)
			if err != nil {
				return err
			}
			switch lf.format {
			case "json":
				return writeJSONLines(a.stdout, hits)
			case "csv":
				cw := csv.NewWriter(a.stdout)
				cw.Write([]string{"seen", "metric", "benchmark", "value", "min", "max", "unit", "qualifier", "subject", "as_of", "forecast", "source", "article_url", "surface", "sentence"})
				for _, h := range hits {
					cw.Write([]string{h.Seen.Format(time.RFC3339), h.Metric, h.Benchmark, fnum(h.Value), fnum(h.Min), fnum(h.Max), h.Unit, string(h.Qualifier),
						h.Subject, h.AsOf, strconv.FormatBool(h.Forecast), h.Source, h.ArticleURL, h.Surface, h.Sentence})
				}
				cw.Flush()
				return cw.Error()
			}
			return writeFigureTable(a.stdout, nil, hits)
		},
	}
	f := cmd.Flags()
	f.StringVar(&metric, "metric", "", "only this metric (task_horizon, doubling_time, share_of_code_by_ai, …)")
	f.StringVar(&subject, "subject", "", "only figures whose subject contains this (case-insensitive)")
	f.BoolVar(&forecasts, "forecasts", false, "include forecasts")
	lf.add(f, "figures", 1000)
	return cmd
}

func fnum(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func writeJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) milestonesCommand() *cobra.Command {
	var lf listFlags
	var metric string
	cmd := &cobra.Command{
		Use:   "milestones",
		Short: "List milestones (new records, thresholds crossed, first figures), newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := archive.MilestoneQuery{Metric: metric, Limit: lf.limit}
			var err error
			if q.Since, q.Until, err = lf.parse(); err != nil {
				return err
			}
			st, err := a.openArchive(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			ms, err := st.Milestones(cmd.Context(), q)
			if err != nil {
				return err
			}
			switch lf.format {
			case "json":
				return writeJSONLines(a.stdout, ms)
			case "csv":
				cw := csv.NewWriter(a.stdout)
				cw.Write([]string{"id", "detected_at", "kind", "metric", "benchmark", "subject", "value", "unit", "beats", "sites", "confirmed", "alert", "article_url", "sentence"})
				for _, m := range ms {
					cw.Write([]string{strconv.FormatInt(m.ID, 10), m.DetectedAt.Format(time.RFC3339), string(m.Kind), m.Metric, m.Benchmark, m.Subject,
						strconv.FormatFloat(m.Value, 'f', -1, 64), m.Unit, fnum(m.Beats), strconv.Itoa(m.Sites), strconv.FormatBool(m.ConfirmedAt != nil),
						strconv.FormatBool(m.Alert), m.Figure.ArticleURL, m.Figure.Sentence})
				}
				cw.Flush()
				return cw.Error()
			}
			if len(ms) == 0 {
				_, err := fmt.Fprintln(a.stdout, "no milestones yet")
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DETECTED\tKIND\tMETRIC\tVALUE\tBEATS\tSUBJECT\tSITES\tSOURCE")
			for _, m := range ms {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\t%s\t%d\t%s\n", m.DetectedAt.Format(time.DateOnly), m.Kind, metricName(m.Figure.Figure),
					strconv.FormatFloat(m.Value, 'g', 4, 64), m.Unit, fnum(m.Beats), clip(m.Subject, 30), m.Sites, strings.Join(m.Sources, " "))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&metric, "metric", "", "only this metric")
	lf.add(f, "milestones", 100)
	return cmd
}
