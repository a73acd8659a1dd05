package main

import "github.com/spf13/cobra"

// extractCommand groups the offline extractors: they read a file or
// standard input and need no archive.
func (a *app) extractCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Run an extractor offline on a file: figures, or an article's main text",
	}
	cmd.AddCommand(a.extractFiguresCommand())
	return cmd
}
