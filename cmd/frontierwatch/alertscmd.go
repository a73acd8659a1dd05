package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch/alerts"
	"github.com/frontierwatch/frontierwatch/fetch"
)

func (a *app) alertsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Work with alert channels",
	}
	var channel string
	test := &cobra.Command{
		Use:   "test",
		Short: "Send a clearly marked test alert through a configured channel (or all) and report the result",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if len(cfg.Alerts.Channels) == 0 {
				return fmt.Errorf("no alert channels configured (alerts.channels)")
			}
			client := fetch.New(fetch.Options{UserAgent: cfg.HTTP.UserAgent, Timeout: cfg.HTTP.Timeout.Std(),
				ConnectTimeout: cfg.HTTP.ConnectTimeout.Std(), HeaderTimeout: cfg.HTTP.HeaderTimeout.Std(),
				MaxBody: int64(cfg.HTTP.MaxBody), AllowPrivate: cfg.HTTP.AllowPrivateNetworks})
			found, failed := false, 0
			for _, ch := range cfg.Alerts.Channels {
				if channel != "" && ch.Name != channel {
					continue
				}
				found = true
				n, err := alerts.New(ch, alerts.Deps{HTTP: client.HTTPClient(), Now: time.Now, Logger: a.logger(cfg),
					UserAgent: client.UserAgent(), MinSources: cfg.Alerts.MinSources})
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
				_, err = n.Notify(ctx, []alerts.Alert{alerts.SampleAlert(ch.Name, time.Now())})
				cancel()
				if err != nil {
					failed++
					fmt.Fprintf(a.stdout, "%s (%s): FAILED: %v\n", ch.Name, ch.Type, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s (%s): test alert sent\n", ch.Name, ch.Type)
			}
			if !found {
				return usagef("no alert channel named %q", channel)
			}
			if failed > 0 {
				return fmt.Errorf("%d channel(s) failed", failed)
			}
			return nil
		},
	}
	test.Flags().StringVar(&channel, "channel", "", "the channel to test (default: every channel)")
	cmd.AddCommand(test)
	return cmd
}
