package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch/archive"
	"github.com/frontierwatch/frontierwatch/config"
)

// archiveCommand is "frontierwatch archive": maintenance of the archive
// database itself.
func (a *app) archiveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Maintain the archive database (copy it to another database)",
	}
	cmd.AddCommand(a.archiveCopyCommand())
	return cmd
}

func (a *app) archiveCopyCommand() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --from URL --to URL",
		Short: "Copy an archive to another database (e.g. SQLite to PostgreSQL); resumable",
		Long: `Copy every archived row (sources, articles, stories, figures, milestones, deliveries,
skipped URLs, silences, crawl state, meta) from one database to another, keeping IDs.
The target is created and migrated when needed. Rows already in the target are kept and
skipped, so running the command again after an interruption resumes the copy, and running
it once more copies nothing. River's job queue is not copied. Stop the daemon that writes
the source first, or run the command again afterwards to pick up what it added.

URLs are as in the config's database.url: sqlite://./data/frontierwatch.db, a file path,
or postgres://user@host:5432/db?sslmode=disable.`,
		Example: "  frontierwatch archive copy --from sqlite://./data/frontierwatch.db --to postgres://fw@db:5432/fw",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.archiveCopy(cmd.Context(), from, to)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "URL of the archive to copy (required)")
	cmd.Flags().StringVar(&to, "to", "", "URL of the database to copy it into (required)")
	return cmd
}

// archiveCopy runs archive.Copy, with a progress line per table and batch
// on stderr and a summary line on stdout.
func (a *app) archiveCopy(ctx context.Context, from, to string) error {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	switch {
	case from == "" && to == "":
		return usagef("archive copy: --from and --to are required")
	case from == "":
		return usagef("archive copy: --from is required")
	case to == "":
		return usagef("archive copy: --to is required")
	case sameDatabase(from, to):
		return usagef("archive copy: --from and --to name the same database")
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := archive.Open(ctx, from, archive.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("archive copy: open --from: %w", err)
	}
	defer func() { _ = src.Close() }()
	dst, err := archive.Open(ctx, to, archive.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("archive copy: open --to: %w", err)
	}
	defer func() { _ = dst.Close() }()
	fmt.Fprintf(a.stderr, "copying %s to %s\n", redactURL(from), redactURL(to))
	n, err := archive.Copy(ctx, src, dst, func(table string, done, total int64) {
		fmt.Fprintf(a.stderr, "%-18s %d/%d\n", table, done, total)
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("archive copy: interrupted after %d rows; run it again to resume: %w", n, err)
		}
		return fmt.Errorf("archive copy: %w", err)
	}
	_, err = fmt.Fprintf(a.stdout, "copied %d rows from %s to %s\n", n, redactURL(from), redactURL(to))
	return err
}

// sameDatabase reports whether two database URLs name the same database:
// the same text, or the same SQLite file however it is spelled.
func sameDatabase(x, y string) bool {
	if x == y {
		return true
	}
	px, okx := sqliteFile(x)
	py, oky := sqliteFile(y)
	return okx && oky && px == py
}

// sqliteFile is the absolute path of a SQLite URL or path.
func sqliteFile(u string) (string, bool) {
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return "", false
	}
	p := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	return abs, true
}

// redactURL is a database URL fit to print: a password, in the user part
// or the query, shows as "***" (config's masking, the daemon's log line's).
func redactURL(raw string) string { return config.Database{URL: raw}.MaskedURL() }
