package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch"
	"github.com/frontierwatch/frontierwatch/config"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError marks a mistake in how the command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// app is what every command shares: the streams, the environment and the
// --config flag.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            []string
	configPath     string
}

// loadConfig loads the --config file, or the embedded default.
func (a *app) loadConfig() (*config.Config, error) {
	return config.Load(a.configPath, a.env)
}

// logger builds the daemon's logger from the config, writing to stderr.
func (a *app) logger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var l *slog.Logger
	if cfg.Log.Format == "json" {
		l = slog.New(slog.NewJSONHandler(a.stderr, opts))
	} else {
		l = slog.New(slog.NewTextHandler(a.stderr, opts))
	}
	// Packages that log without an injected logger use the default one.
	slog.SetDefault(l)
	return l
}

// run runs the CLI with args and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "frontierwatch: %s\n", oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return exitUsage
	}
	return exitError
}

// oneLine keeps an error on one line: joined errors are separated by "; ".
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}

// isCobraUsage recognises the errors cobra returns for bad flags and
// arguments, which are usage errors too.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "frontierwatch",
		Short: "Watch the news for quantitative milestones in AI self-improvement and autonomy",
		Long: `frontierwatch polls AI-news feeds and sites on cron schedules, archives the articles
that match its topics (one story per report, however many sites copy it), extracts their
headline figures (task horizons, doubling times, share of AI-written code, speed-ups, …),
and alerts you once, by webhook, Slack, Discord or email, when a figure sets a record,
crosses a threshold or is the first of its kind. A JSON API and a web page with trend
charts serve the archive.

Without --config it runs on its embedded default config (SQLite under ./data, a curated
list of real AI-news sources). Try "frontierwatch demo" for an offline tour.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       frontierwatch.Version,
	}
	root.PersistentFlags().StringVarP(&a.configPath, "config", "c", "", "config file (default: the embedded default config)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		a.runCommand(),
		a.pollCommand(),
		a.searchCommand(),
		a.figuresCommand(),
		a.milestonesCommand(),
		a.extractCommand(),
		a.sourcesCommand(),
		a.alertsCommand(),
		a.configCommand(),
		a.migrateCommand(),
		a.archiveCommand(),
		a.demoCommand(),
		a.healthCommand(),
		a.versionCommand(),
	)
	return root
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(a.stdout, "frontierwatch %s\n", frontierwatch.Version)
			return err
		},
	}
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
