package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch/daemon"
)

func (a *app) runCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll every source on its schedule, alert, serve the API and web page",
		Long: `run polls every enabled source on its cron schedule (and at start, when a source is due), stores
what it finds, delivers milestone alerts, and serves the web page, the JSON API,
/metrics, /healthz and /readyz on server.listen. SIGINT or SIGTERM stops it: running
polls finish (up to poll.shutdown_timeout), then it exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			log := a.logger(cfg)
			d, err := daemon.New(cmd.Context(), cfg, daemon.WithLogger(log))
			if err != nil {
				return err
			}
			defer d.Close()
			log.Info("frontierwatch starting", "database", cfg.Database.MaskedURL(), "listen", cfg.Server.Listen)
			return d.Run(cmd.Context())
		},
	}
}

func (a *app) pollCommand() *cobra.Command {
	var sources []string
	var force bool
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "poll",
		Short: "Poll every source once now, store what they have, and exit",
		Long: `poll runs one full cycle now: every enabled source (or those named with --source)
is fetched, new articles are stored, and a summary is printed. Sources that are
backing off after failures are skipped unless --force is given. Alerts the cycle
raised are delivered before it exits (up to --wait; the rest stay queued for the
daemon).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			d, err := daemon.New(cmd.Context(), cfg, daemon.WithLogger(a.logger(cfg)), daemon.OneShot())
			if err != nil {
				return err
			}
			defer d.Close()
			srcs, err := d.Sources(cmd.Context(), sources...)
			if err != nil {
				return usageError{err}
			}
			if len(srcs) == 0 {
				return fmt.Errorf("no enabled sources to poll")
			}
			each, finish := a.pollProgress(len(srcs))
			start := time.Now()
			sum, err := d.PollAll(cmd.Context(), srcs, force, each)
			finish()
			if err == nil && sum.New > 0 {
				// Make the new articles searchable before exiting.
				_, err = d.Store().IndexPending(cmd.Context(), 0)
			}
			fmt.Fprintf(a.stdout, "polled %d sources in %s: %d new articles, %d not modified, %d errors",
				sum.Sources, time.Since(start).Round(time.Millisecond), sum.New, sum.NotModified, sum.Errors)
			for _, x := range []struct {
				n    int
				what string
			}{{sum.Figures, "figures"}, {sum.Milestones, "milestones"}, {sum.Duplicates, "copies of known stories"}, {sum.Unmatched, "off-topic items skipped"}} {
				if x.n > 0 {
					fmt.Fprintf(a.stdout, ", %d %s", x.n, x.what)
				}
			}
			if sum.BackingOff > 0 {
				fmt.Fprintf(a.stdout, ", %d backing off", sum.BackingOff)
			}
			if sum.Unsupported > 0 {
				fmt.Fprintf(a.stdout, ", %d unsupported", sum.Unsupported)
			}
			fmt.Fprintln(a.stdout)
			if err != nil {
				return err
			}
			if len(cfg.Alerts.Channels) > 0 {
				counts, err := d.DeliverPending(cmd.Context(), wait)
				if err != nil {
					return err
				}
				if n := counts["delivered"] + counts["pending"] + counts["failed"] + counts["silenced"]; n > 0 {
					fmt.Fprintf(a.stdout, "alerts: %d delivered, %d pending (the daemon retries them), %d failed, %d silenced\n",
						counts["delivered"], counts["pending"], counts["failed"], counts["silenced"])
				}
			}
			if cmd.Context().Err() != nil {
				return cmd.Context().Err()
			}
			if sum.Errors > 0 && sum.Errors == sum.Sources {
				return fmt.Errorf("every source failed (is the network down?)")
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&sources, "source", "s", nil, "poll only this source (repeatable)")
	cmd.Flags().BoolVar(&force, "force", false, "poll sources that are backing off too")
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "how long to wait for alert channels before exiting")
	return cmd
}

// pollProgress reports each finished source: a progress bar on a terminal,
// one plain line per source otherwise (logs, CI, pipes).
func (a *app) pollProgress(total int) (each func(daemon.Report), finish func()) {
	if isTerminal(a.stderr) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription("polling"),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(true))
		return func(r daemon.Report) {
				if r.Status == daemon.StatusError {
					bar.Clear()
					fmt.Fprintf(a.stderr, "%s: %v\n", r.Source, r.Err)
				}
				bar.Add(1)
			}, func() {
				bar.Finish()
			}
	}
	return func(r daemon.Report) {
		switch r.Status {
		case daemon.StatusOK:
			fmt.Fprintf(a.stderr, "%s: %d new, %d known", r.Source, r.New, r.Known)
			if r.Unmatched > 0 {
				fmt.Fprintf(a.stderr, ", %d off-topic", r.Unmatched)
			}
			if r.Figures > 0 {
				fmt.Fprintf(a.stderr, ", %d figures", r.Figures)
			}
			fmt.Fprintln(a.stderr)
		case daemon.StatusNotModified:
			fmt.Fprintf(a.stderr, "%s: not modified\n", r.Source)
		case daemon.StatusBackingOff:
			fmt.Fprintf(a.stderr, "%s: backing off until %s\n", r.Source, r.Retry.Local().Format(time.RFC3339))
		default:
			fmt.Fprintf(a.stderr, "%s: %s: %v\n", r.Source, r.Status, r.Err)
		}
	}, func() {}
}

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema (also done at every start); safe to repeat",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openArchive(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			_, err = fmt.Fprintln(a.stdout, "schema up to date")
			return err
		},
	}
}
