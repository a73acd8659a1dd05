package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/feeds"
)

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// withStore opens the configured archive for a sources command.
func (a *app) withStore(cmd *cobra.Command, fn func(*archive.Store) error) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	// Storing the config's sources first keeps `sources list` true to the
	// config even before the daemon's first start.
	st, err := archive.Open(cmd.Context(), cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SyncConfigSources(cmd.Context(), cfg.FeedSources()); err != nil {
		return err
	}
	return fn(st)
}

func (a *app) sourcesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "List, add, remove, import and export sources",
		Long: `Sources come from the config file and from these commands. Sources added here are
stored in the archive and picked up by a running daemon within a minute.`,
	}
	cmd.AddCommand(a.sourcesList(), a.sourcesAdd(), a.sourcesRemove(), a.sourcesImport(), a.sourcesExport())
	return cmd
}

func (a *app) sourcesList() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sources with their last poll and last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return usagef("--format must be table or json, not %q", format)
			}
			return a.withStore(cmd, func(st *archive.Store) error {
				srcs, err := st.Sources(cmd.Context())
				if err != nil {
					return err
				}
				if format == "json" {
					enc := json.NewEncoder(a.stdout)
					enc.SetEscapeHTML(false)
					for _, s := range srcs {
						if err := enc.Encode(s); err != nil {
							return err
						}
					}
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tKIND\tSCHEDULE\tENABLED\tORIGIN\tLAST POLL\tFAILURES\tLAST ERROR\tURL")
				for _, s := range srcs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.Kind, s.Schedule, s.Enabled, s.Origin,
						ago(s.State.LastPolledAt), s.State.Failures, clip(s.State.LastError, 50), s.URL)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	return cmd
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(time.Second).String() + " ago"
}

func (a *app) sourcesAdd() *cobra.Command {
	var kind, schedule, fullText string
	cmd := &cobra.Command{
		Use:     "add NAME URL",
		Short:   "Add a feed source (or replace the definition of a source added before)",
		Example: `  frontierwatch sources add metr https://metr.org/feed.xml --schedule "@every 1h"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := frontierwatch.Source{Name: args[0], URL: args[1], Kind: frontierwatch.SourceKind(kind),
				Schedule: schedule, FullText: fullText, Enabled: true, Origin: frontierwatch.OriginUser}
			if err := checkSource(src); err != nil {
				return usageError{err}
			}
			return a.withStore(cmd, func(st *archive.Store) error {
				if old, err := st.Source(cmd.Context(), src.Name); err == nil && old.Origin == frontierwatch.OriginConfig {
					return usagef("source %q comes from the config file; change it there", src.Name)
				} else if err != nil && !errors.Is(err, archive.ErrNotFound) {
					return err
				}
				if _, err := st.UpsertSource(cmd.Context(), src); err != nil {
					return err
				}
				_, err := fmt.Fprintf(a.stdout, "added %s (%s)\n", src.Name, src.URL)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "feed", "feed or site")
	cmd.Flags().StringVar(&schedule, "schedule", "", `cron schedule, e.g. "@every 1h" or "*/30 * * * *" (default: defaults.schedule)`)
	cmd.Flags().StringVar(&fullText, "full-text", "", "auto, always or never (default: defaults.full_text)")
	return cmd
}

// checkSource applies the config file's rules to a source given on the
// command line.
func checkSource(s frontierwatch.Source) error {
	if !sourceName.MatchString(s.Name) {
		return fmt.Errorf("source name %q: use lower-case letters, digits, '.', '_' and '-'", s.Name)
	}
	if s.Kind != frontierwatch.KindFeed {
		return fmt.Errorf("--kind %q: only feed sources can be added from the command line; put sites in the config file", s.Kind)
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want an absolute http or https URL", s.URL)
	}
	if s.Schedule != "" {
		if _, err := config.ParseSchedule(s.Schedule); err != nil {
			return fmt.Errorf("--schedule: %w", err)
		}
	}
	switch s.FullText {
	case "", frontierwatch.FullTextAuto, frontierwatch.FullTextAlways, frontierwatch.FullTextNever:
	default:
		return fmt.Errorf("--full-text %q: want auto, always or never", s.FullText)
	}
	return nil
}

func (a *app) sourcesRemove() *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a source (its articles stay in the archive)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(st *archive.Store) error {
				s, err := st.Source(cmd.Context(), args[0])
				if errors.Is(err, archive.ErrNotFound) {
					return fmt.Errorf("no source named %q", args[0])
				} else if err != nil {
					return err
				}
				if s.Origin == frontierwatch.OriginConfig {
					return usagef("source %q comes from the config file; remove it there", s.Name)
				}
				if err := st.DeleteSource(cmd.Context(), s.Name); err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.stdout, "removed %s\n", s.Name)
				return err
			})
		},
	}
}

func (a *app) sourcesImport() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.opml",
		Short: "Add the feeds of an OPML file (- reads standard input); known names are skipped",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := a.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			srcs, err := feeds.ParseOPML(in)
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(st *archive.Store) error {
				added, skipped := 0, 0
				for _, s := range srcs {
					if _, err := st.Source(cmd.Context(), s.Name); err == nil {
						skipped++
						continue
					} else if !errors.Is(err, archive.ErrNotFound) {
						return err
					}
					if _, err := st.UpsertSource(cmd.Context(), s); err != nil {
						return err
					}
					added++
				}
				_, err := fmt.Fprintf(a.stdout, "imported %d feeds (%d skipped: a source of that name exists)\n", added, skipped)
				return err
			})
		},
	}
}

func (a *app) sourcesExport() *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Write the feed sources as OPML 2.0 to standard output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(st *archive.Store) error {
				srcs, err := st.Sources(cmd.Context())
				if err != nil {
					return err
				}
				return feeds.WriteOPML(a.stdout, "frontierwatch sources", srcs, time.Now())
			})
		},
	}
}
