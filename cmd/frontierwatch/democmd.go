package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch/demo"
)

func (a *app) demoCommand() *cobra.Command {
	var listen string
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run an offline demo: a local news site, a temporary archive, the daemon and its web page",
		Long: `demo starts, on 127.0.0.1 only, a small news site whose articles (written for the demo)
appear one by one, a temporary archive, and the daemon polling the site every two seconds,
with a local webhook that prints each milestone alert. Open the printed address to see the
search page, the figures and each metric's chart with its trend. No network and no config
are needed; Ctrl-C stops it and removes the archive.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return demo.Run(cmd.Context(), demo.Options{Out: a.stdout, Listen: listen, Every: every})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address of the web page (a free port is used if it is taken)")
	cmd.Flags().DurationVar(&every, "every", 3*time.Second, "how often a new article appears")
	return cmd
}
