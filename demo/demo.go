package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/frontierwatch/frontierwatch/config"
	"github.com/frontierwatch/frontierwatch/daemon"
)

// Options configure a demo run.
type Options struct {
	Out    io.Writer     // where the demo narrates; required
	Listen string        // the web page's address (default 127.0.0.1:8080, else a free port)
	Every  time.Duration // how often a new article appears (default 3s)
	Logger *slog.Logger  // the daemon's logger (default: warnings to Out)
	// Ready, if set, is called with the web page's URL once it serves.
	Ready func(url string)
}

// Run runs the demo until ctx ends: the news site, a temporary archive,
// the daemon polling the site every few seconds, and a webhook sink that
// prints each milestone alert. Everything is on 127.0.0.1 and removed at
// the end.
func Run(ctx context.Context, o Options) error {
	if o.Every <= 0 {
		o.Every = 3 * time.Second
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(o.Out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	dir, err := os.MkdirTemp("", "frontierwatch-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	site := NewSite(time.Now(), port)
	site.RevealFirstOfEach()
	var outMu sync.Mutex
	say := func(format string, a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(o.Out, format+"\n", a...)
	}
	mux := http.NewServeMux()
	mux.Handle("/", site)
	mux.HandleFunc("POST /sink", func(w http.ResponseWriter, r *http.Request) {
		var alert struct {
			Headline    string `json:"headline"`
			SourceCount int    `json:"source_count"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&alert); err == nil {
			say("  ALERT  %s (%d site%s)", alert.Headline, alert.SourceCount, plural(alert.SourceCount))
		}
		w.WriteHeader(http.StatusNoContent)
	})
	siteSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go siteSrv.Serve(ln)
	defer siteSrv.Close()

	listen := o.Listen
	if l, err := net.Listen("tcp", listen); err == nil {
		l.Close()
	} else {
		listen = "127.0.0.1:0" // the usual port is taken: any free one
	}
	cfg, err := config.Parse([]byte(demoConfig(dir, port, listen, site.Sites())), "demo", nil)
	if err != nil {
		return fmt.Errorf("demo: config: %w", err)
	}
	ready := make(chan string, 1)
	d, err := daemon.New(ctx, cfg, daemon.WithLogger(o.Logger), daemon.WithFetchInterval(200*time.Millisecond),
		daemon.WithResyncInterval(time.Hour), daemon.OnListen(func(addr string) { ready <- addr }))
	if err != nil {
		return err
	}
	defer d.Close()
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(ctx) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-runErr:
		return err
	}
	url := "http://" + addr + "/"
	say("frontierwatch demo")
	say("  web page:  %s", url)
	say("  news site: http://%s.localhost:%d/ and two more, publishing a new article every %s", site.Sites()[0], port, o.Every)
	say("  archive:   %s (removed when the demo stops)", filepath.Join(dir, "demo.db"))
	say("Milestone alerts arrive on a local webhook and are printed here. Ctrl-C stops the demo.")
	if o.Ready != nil {
		o.Ready(url)
	}
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			err := <-runErr
			say("demo stopped")
			return err
		case err := <-runErr:
			return err
		case <-tick.C:
			site.Reveal()
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// demoConfig is the daemon's config for the demo: the site's feeds polled
// every few seconds, every alert delivered to the sink.
func demoConfig(dir string, port int, listen string, sites []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `database: {url: "sqlite://%s"}
http: {allow_private_networks: true, timeout: 5s}
poll: {shutdown_timeout: 5s}
server: {listen: %q}
log: {level: warn}
alerts:
  since: "%s"
  channels:
    - {name: demo-sink, type: webhook, url: "http://127.0.0.1:%d/sink"}
sources:
`, filepath.Join(dir, "demo.db"), listen, time.Now().AddDate(-3, 0, 0).Format(time.DateOnly), port)
	for _, s := range sites {
		fmt.Fprintf(&b, "  - {name: %s, url: \"http://127.0.0.1:%d/feeds/%s.xml\", schedule: \"@every 2s\", full_text: never}\n", s, port, s)
	}
	return b.String()
}
