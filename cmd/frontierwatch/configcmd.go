package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or print the configuration",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Load and validate the config (file, env overrides, secrets); exit 1 on any problem",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			name := a.configPath
			if name == "" {
				name = "embedded default config"
			}
			_, err = fmt.Fprintf(a.stdout, "%s: ok (%d sources)\n", name, len(cfg.Sources))
			return err
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print the effective config (defaults and env overrides applied, secrets masked)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			return cfg.WriteYAML(a.stdout)
		},
	})
	return cmd
}
