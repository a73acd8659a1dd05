package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/frontierwatch/frontierwatch/archive"
)

// measurement is one setup measured once.
type measurement struct {
	run   int
	setup setup

	// wall is from the start of the instances (or of the baseline's
	// cycle) until every source was polled and every article stored.
	wall time.Duration
	// cpu is the user+system CPU of the instances (summed) or of the
	// baseline child, over wall.
	cpu time.Duration
	// articles are the articles in the archive (items parsed, for the
	// baseline); polled the sources with a last poll.
	articles, polled int64

	// Instances only.
	migrate    time.Duration   // the one `frontierwatch migrate` before the start
	ready      []time.Duration // per instance: when it served HTTP, after start
	firstPoll  time.Duration   // the first source's poll, after start
	halfPolled time.Duration   // when half the sources had been polled
	instCPU    []time.Duration // per instance, over wall
	polls      []map[string]int64
	exits      []error
	// logs are the WARN and ERROR records in the instances' logs up to
	// SIGTERM, stopping those after it; logLines the first few.
	logs, stopping logCounts
	logLines       []string
	// pgCPU is the CPU of the PostgreSQL backends connected to the
	// benchmark's database, over wall; pgCommits the database's commits
	// (pg_stat_database.xact_commit) from start to stop. -1: unknown.
	pgCPU     time.Duration
	pgCommits int64
	// pollJobs are River's poll jobs (river_job, PostgreSQL only; -1:
	// unknown), and jobLines the jobs of the sources that had more than
	// one (their number in dupSources): a second job is harmless when
	// its worker sees the source polled since and skips it, a double
	// poll when not.
	pollJobs, dupSources int64
	jobLines             []string

	served served
	// refetched names up to five feeds the server was asked for more
	// than once, with the times; refetchedCount is how many there were.
	refetched      []string
	refetchedCount int
}

// served is what the feed server answered during one measurement.
type served struct{ full, notMod, miss int64 }

// cluster runs k instances of the binary on one archive.
type cluster struct {
	o      options
	bin    string
	base   string // feed server
	env    []string
	k      int
	pg     *pgAdmin
	dir    string // config, logs, SQLite archive
	stderr io.Writer
}

// instance is one running `frontierwatch run`.
type instance struct {
	cmd  *exec.Cmd
	log  string // its stderr and stdout
	done chan struct{}
	err  error // Wait's, once done is closed
}

// measure creates the archive, migrates it, starts the instances, waits
// until the cycle is complete, stops them and removes the archive.
func (c *cluster) measure(ctx context.Context, kind string) (m measurement, err error) {
	m.pgCPU, m.pgCommits, m.pollJobs = -1, -1, -1
	var (
		dbURL, dbName string
		drop          func()
	)
	switch kind {
	case kindSQLite:
		dbURL = "sqlite://" + filepath.ToSlash(filepath.Join(c.dir, "frontierwatch.db"))
	case kindPostgres:
		if dbName, dbURL, drop, err = c.pg.createDatabase(ctx); err != nil {
			return m, err
		}
		defer drop()
	}
	conf := filepath.Join(c.dir, "frontierwatch.yaml")
	if err := os.WriteFile(conf, benchConfig(dbURL, c.base, c.o.feeds, c.o.concurrency), 0o600); err != nil {
		return m, err
	}

	start := time.Now()
	if out, err := c.command(ctx, "migrate", "--config", conf).CombinedOutput(); err != nil {
		return m, fmt.Errorf("frontierwatch migrate: %w\n%s", err, out)
	}
	m.migrate = time.Since(start)

	commits0 := int64(-1)
	if kind == kindPostgres {
		if commits0, err = c.pg.commits(ctx, dbName); err != nil {
			return m, err
		}
	}
	w, err := openWatcher(ctx, kind, dbURL)
	if err != nil {
		return m, err
	}
	defer w.Close()
	var backends *backendCPU
	if kind == kindPostgres {
		backends = newBackendCPU(w.db)
	}

	// Start every instance at once.
	insts := make([]*instance, c.k)
	start = time.Now()
	for i := range insts {
		inst, err := c.start(ctx, conf, i)
		if err != nil {
			stopAll(insts[:i])
			return m, err
		}
		insts[i] = inst
	}
	defer stopAll(insts) // on an early return; a no-op once stopped

	wantArticles, wantPolled := int64(c.o.feeds*c.o.items), int64(c.o.feeds)
	deadline := start.Add(c.o.timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if backends != nil {
			backends.sample(ctx)
			w.stmts++
		}
		m.articles, m.polled, err = w.counts(ctx)
		if err != nil {
			return m, err
		}
		if m.halfPolled == 0 && 2*m.polled >= wantPolled {
			m.halfPolled = time.Since(start)
		}
		if m.articles >= wantArticles && m.polled >= wantPolled {
			break
		}
		for i, inst := range insts {
			select {
			case <-inst.done:
				return m, fmt.Errorf("instance %d exited early (%v); its log:\n%s", i+1, inst.err, tail(inst.log, 20))
			default:
			}
		}
		if time.Now().After(deadline) {
			return m, fmt.Errorf("not done after %s: %d of %d sources polled, %d of %d articles stored; logs in %s",
				c.o.timeout, m.polled, wantPolled, m.articles, wantArticles, c.dir)
		}
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-tick.C:
		}
	}
	m.wall = time.Since(start)

	// The CPU used so far, then what each instance did, read before they
	// stop.
	for _, inst := range insts {
		cpu := procCPU(inst.cmd.Process.Pid)
		m.instCPU = append(m.instCPU, cpu)
		m.cpu += cpu
	}
	if backends != nil {
		backends.sample(ctx)
		w.stmts++
		m.pgCPU = backends.total()
	}
	for i, inst := range insts {
		// An instance may still be starting when the others have done
		// the whole cycle (a small one): wait for its HTTP server.
		addr, ready, err := waitServing(ctx, inst, start)
		if err != nil {
			return m, fmt.Errorf("instance %d: %w", i+1, err)
		}
		m.ready = append(m.ready, ready)
		polls, err := scrapePolls(ctx, addr)
		if err != nil {
			return m, fmt.Errorf("instance %d: %w", i+1, err)
		}
		m.polls = append(m.polls, polls)
	}
	if first, err := w.firstPoll(ctx); err == nil {
		m.firstPoll = first.Sub(start)
	}

	stop := time.Now()
	m.exits = stopAll(insts)
	if kind == kindPostgres {
		if err := w.pollJobs(ctx, &m, clientIDs(insts)); err != nil {
			return m, err
		}
	}
	for _, inst := range insts {
		before, after, lines := logIssues(inst.log, stop, 5-len(m.logLines))
		m.logs.warnings += before.warnings
		m.logs.errors += before.errors
		m.stopping.warnings += after.warnings
		m.stopping.errors += after.errors
		m.logLines = append(m.logLines, lines...)
	}
	// Anything stored after the cycle was complete (a second poll, say)
	// shows here.
	if m.articles, m.polled, err = w.counts(ctx); err != nil {
		return m, err
	}
	if kind == kindPostgres {
		stmts := w.stmts
		w.Close()
		if commits1, err := c.pg.commits(ctx, dbName); err == nil {
			// Less the watcher's own: each of its statements ran in a
			// transaction of its own.
			m.pgCommits = commits1 - commits0 - stmts
		}
	}
	return m, nil
}

// waitServing waits up to a minute for inst to log that it serves HTTP,
// and returns its address and when it logged it, after start.
func waitServing(ctx context.Context, inst *instance, start time.Time) (string, time.Duration, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		if addr, ready := serving(inst.log, start); addr != "" {
			return addr, ready, nil
		}
		select {
		case <-inst.done:
			return "", 0, fmt.Errorf("exited (%v) before serving; its log:\n%s", inst.err, tail(inst.log, 20))
		case <-ctx.Done():
			return "", 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", 0, fmt.Errorf("not serving a minute after the cycle was complete; its log:\n%s", tail(inst.log, 20))
		}
	}
}

// command is the binary with args, in the cluster's directory and
// environment.
func (c *cluster) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	return cmd
}

// start starts instance i, its output going to a log file.
func (c *cluster) start(ctx context.Context, conf string, i int) (*instance, error) {
	inst := &instance{log: filepath.Join(c.dir, fmt.Sprintf("instance%d.log", i+1)), done: make(chan struct{})}
	f, err := os.Create(inst.log)
	if err != nil {
		return nil, err
	}
	// Not CommandContext: an interrupted benchmark stops its instances
	// with SIGTERM too (stopAll), not with SIGKILL.
	inst.cmd = exec.Command(c.bin, "run", "--config", conf)
	inst.cmd.Dir, inst.cmd.Env = c.dir, c.env
	inst.cmd.Stdout, inst.cmd.Stderr = f, f
	if err := inst.cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start instance %d: %w", i+1, err)
	}
	go func() {
		inst.err = inst.cmd.Wait()
		f.Close()
		close(inst.done)
	}()
	return inst, nil
}

// stopGrace is how long an instance may take to stop after SIGTERM before
// it is killed: its running polls finish first (poll.shutdown_timeout).
const stopGrace = time.Minute

// stopAll sends SIGTERM to every running instance at once and waits for
// them; it returns each one's exit error (nil for exit 0).
func stopAll(insts []*instance) []error {
	for _, inst := range insts {
		if inst != nil {
			_ = inst.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	errs := make([]error, len(insts))
	for i, inst := range insts {
		if inst == nil {
			continue
		}
		select {
		case <-inst.done:
		case <-time.After(stopGrace):
			_ = inst.cmd.Process.Kill()
			<-inst.done
			inst.err = errors.Join(fmt.Errorf("no exit %s after SIGTERM: killed", stopGrace), inst.err)
		}
		errs[i] = inst.err
	}
	return errs
}

// benchConfig is the instances' config: the archive at dbURL, private
// addresses allowed (the feed server is on 127.0.0.1), one source per
// feed, each due at start and not again within the hour, the HTTP server
// on a free port (its /metrics tell the polls), JSON logs. Full-text
// fetching is off: the items' links point at hosts that do not exist.
// Unmatched articles are kept, so that every item is stored whatever the
// topics say and the count can be checked exactly.
func benchConfig(dbURL, base string, feeds, concurrency int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `database:
  url: %q
http:
  allow_private_networks: true
defaults:
  full_text: never
  schedule: "@every 1h"
archive:
  keep_unmatched: true
poll:
  concurrency: %d
server:
  listen: 127.0.0.1:0
log:
  level: info
  format: json
sources:
`, dbURL, concurrency)
	for i, u := range feedURLs(base, feeds) {
		fmt.Fprintf(&b, "  - {name: feed-%04d, url: %q}\n", i, u)
	}
	return []byte(b.String())
}

// feedURLs are the corpus's feed URLs on the server at base.
func feedURLs(base string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s/feeds/%04d.xml", base, i)
	}
	return out
}

// watcher reads the counts the instances write. On PostgreSQL it is one
// plain connection (its backend is left out of the backends' CPU, and its
// statements are counted to be left out of the commits); on SQLite it
// opens the archive as the daemon does.
type watcher struct {
	db    *sql.DB
	close func() error
	stmts int64 // statements run
}

func openWatcher(ctx context.Context, kind, dbURL string) (*watcher, error) {
	if kind == kindSQLite {
		st, err := archive.Open(ctx, dbURL)
		if err != nil {
			return nil, err
		}
		return &watcher{db: st.WriteDB(), close: st.Close}, nil
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &watcher{db: db, close: db.Close}, nil
}

// Close closes the watcher's connections; it may be called twice.
func (w *watcher) Close() {
	if w.close != nil {
		_ = w.close()
		w.close = nil
	}
}

// counts are the archived articles and the sources with a last poll
// (archive/migrations: sources.last_polled_at, the same on both backends).
func (w *watcher) counts(ctx context.Context) (articles, polled int64, err error) {
	w.stmts++
	err = w.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles),
		(SELECT count(*) FROM sources WHERE last_polled_at IS NOT NULL)`).Scan(&articles, &polled)
	if err != nil {
		return 0, 0, fmt.Errorf("count articles and polled sources: %w", err)
	}
	return articles, polled, nil
}

// firstPoll is the earliest last poll of a source (stored in Unix
// milliseconds).
func (w *watcher) firstPoll(ctx context.Context) (time.Time, error) {
	w.stmts++
	var ms sql.NullInt64
	if err := w.db.QueryRowContext(ctx, `SELECT min(last_polled_at) FROM sources`).Scan(&ms); err != nil {
		return time.Time{}, err
	}
	if !ms.Valid {
		return time.Time{}, errors.New("no source polled")
	}
	return time.UnixMilli(ms.Int64), nil
}

// clientIDs maps the River client id each instance logged at start to the
// instance's number.
func clientIDs(insts []*instance) map[string]int {
	ids := map[string]int{}
	for i, inst := range insts {
		readLog(inst.log, func(r logRecord) {
			if r.ClientID != "" {
				ids[r.ClientID] = i + 1
			}
		})
	}
	return ids
}

// pollJobs counts River's poll jobs (river_job) and lists the jobs of the
// first few sources that had more than one, with the instances that ran
// them (ids maps River client ids to instance numbers).
func (w *watcher) pollJobs(ctx context.Context, m *measurement, ids map[string]int) error {
	w.stmts += 2
	err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'poll_source'`).Scan(&m.pollJobs)
	if err != nil {
		return fmt.Errorf("river_job: %w", err)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT j.args->>'source', j.id, j.state, j.created_at, j.attempted_at, j.finalized_at,
			array_to_string(j.attempted_by, ','), s.last_polled_at
		FROM river_job j JOIN sources s ON s.name = j.args->>'source'
		WHERE j.kind = 'poll_source' AND j.args->>'source' IN (
			SELECT args->>'source' FROM river_job WHERE kind = 'poll_source' GROUP BY 1 HAVING count(*) > 1)
		ORDER BY 1, j.id`)
	if err != nil {
		return fmt.Errorf("river_job: %w", err)
	}
	defer rows.Close()
	sources := map[string]bool{}
	for rows.Next() {
		var (
			src, state, by      string
			id                  int64
			created             time.Time
			attempted, finished sql.NullTime
			polled              sql.NullInt64
		)
		if err := rows.Scan(&src, &id, &state, &created, &attempted, &finished, &by, &polled); err != nil {
			return fmt.Errorf("river_job: %w", err)
		}
		sources[src] = true
		if len(sources) > 5 {
			continue
		}
		clock := func(t sql.NullTime) string {
			if !t.Valid {
				return "—"
			}
			return t.Time.UTC().Format("15:04:05.000")
		}
		var runBy []string
		for c := range strings.SplitSeq(by, ",") {
			if n, ok := ids[c]; ok {
				runBy = append(runBy, fmt.Sprintf("instance %d", n))
			} else if c != "" {
				runBy = append(runBy, c)
			}
		}
		line := fmt.Sprintf("%s: job %d %s, created %s, attempted %s, finalized %s by %s", src, id, state,
			created.UTC().Format("15:04:05.000"), clock(attempted), clock(finished), strings.Join(runBy, ", "))
		if polled.Valid {
			line += "; source's last poll " + time.UnixMilli(polled.Int64).UTC().Format("15:04:05.000")
		}
		m.jobLines = append(m.jobLines, line)
	}
	m.dupSources = int64(len(sources))
	return rows.Err()
}
