package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) healthCommand() *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check that a running daemon answers /healthz (for container health checks)",
		Long: `health asks the daemon at server.listen (or --url) for /healthz and exits 0 when it
answers 200, 1 otherwise. Docker's HEALTHCHECK uses it: the image has no shell or curl.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if target == "" {
				cfg, err := a.loadConfig()
				if err != nil {
					return err
				}
				target = "http://" + loopback(cfg.Server.Listen) + "/healthz"
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
			if err != nil {
				return usagef("--url: %v", err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("health: %w", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health: %s answered %s", target, resp.Status)
			}
			_, err = fmt.Fprintln(a.stdout, "ok")
			return err
		},
	}
	cmd.Flags().StringVar(&target, "url", "", "URL to check (default: http://<server.listen>/healthz)")
	return cmd
}

// loopback turns a listen address into one to dial: an unspecified host
// (":8080", "0.0.0.0:8080", "[::]:8080") becomes the loopback address.
func loopback(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
