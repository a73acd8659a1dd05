package crashtest

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the archive's SQLite driver, to read it as it is
)

const hookSecret = "crash-test-webhook-secret"

// instance is one daemon's setup: its binary, config, archive and log.
type instance struct {
	bin, conf, db, log string
	env                []string
}

// newInstance writes a config in dir for a daemon that watches w and
// alerts rcv.
func newInstance(bin, dir string, w *world, rcv *receiver) (*instance, error) {
	in := &instance{bin: bin, conf: filepath.Join(dir, "frontierwatch.yaml"), db: filepath.Join(dir, "fw.db"), log: filepath.Join(dir, "daemon.log")}
	var b strings.Builder
	fmt.Fprintf(&b, `database:
  url: sqlite://%s
http:
  allow_private_networks: true
  timeout: 3s
defaults:
  schedule: "@every 1s"
poll:
  concurrency: 2
  shutdown_timeout: 20s
server:
  listen: 127.0.0.1:0
archive:
  keep_unmatched: true
log:
  level: info
alerts:
  since: 2026-01-01
  thresholds: [{metric: task_horizon, at_least: 24}]
  channels:
    - {name: hook, type: webhook, url: %q, secret_env: FW_CRASH_SECRET, timeout: 5s}
sources:
`, in.db, rcv.srv.URL+"/hook")
	for _, name := range feedNames {
		ft := "never"
		if name == "code" {
			ft = "auto" // its items are one-line summaries: their pages are fetched
		}
		fmt.Fprintf(&b, "  - {name: %s, url: %q, full_text: %s}\n", name, w.srv.URL+"/feed/"+name, ft)
	}
	fmt.Fprintf(&b, `  - name: lab
    kind: site
    url: %s/news
    follow: ['^%s/news/post-\d+$']
    max_depth: 1
    max_pages: 50
    delay: 5ms
`, w.srv.URL, regexp.QuoteMeta(w.srv.URL))
	if err := os.WriteFile(in.conf, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	// The daemon gets the test's environment without FRONTIERWATCH_*
	// variables (a developer's database URL must not leak in).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FRONTIERWATCH_") {
			in.env = append(in.env, kv)
		}
	}
	in.env = append(in.env, "FW_CRASH_SECRET="+hookSecret)
	return in, nil
}

// proc is a running daemon.
type proc struct {
	cmd    *exec.Cmd
	done   chan error
	log    *os.File
	path   string // the log file
	offset int64  // where this run's output starts in it
}

// waitServing waits until the daemon logs that it serves (migrations done,
// the job queue about to start), it exits, or limit passes.
func (p *proc) waitServing(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if exited, _ := p.exited(); exited {
			return false
		}
		if b, err := os.ReadFile(p.path); err == nil && int64(len(b)) > p.offset && bytes.Contains(b[p.offset:], []byte("msg=serving")) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// start runs the daemon, appending its output to the instance's log under
// a header naming the run.
func (in *instance) start(label string) (*proc, error) {
	f, err := os.OpenFile(in.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "\n=== %s (%s)\n", label, time.Now().Format("15:04:05.000"))
	offset, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	cmd := exec.Command(in.bin, "run", "--config", in.conf)
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan error, 1), log: f, path: in.log, offset: offset}
	go func() {
		p.done <- cmd.Wait()
		f.Close()
	}()
	return p, nil
}

// kill sends SIGKILL and reaps the process.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// exited reports whether the process has ended on its own (a crash), with
// its error.
func (p *proc) exited() (bool, error) {
	select {
	case err := <-p.done:
		p.done <- err
		return true, err
	default:
		return false, nil
	}
}

// stop sends SIGTERM and waits for an orderly exit.
func (p *proc) stop(wait time.Duration) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("exit after SIGTERM: %w", err)
		}
		return nil
	case <-time.After(wait):
		p.kill()
		return fmt.Errorf("no exit %v after SIGTERM", wait)
	}
}

// logTail is the end of the instance's log, for failure messages.
func (in *instance) logTail(n int) string {
	b, err := os.ReadFile(in.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// openArchive opens the archive read-only through the driver the project
// uses.
func openArchive(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// articleRow is an archived article.
type articleRow struct {
	ID      int64
	Source  string
	Site    string
	StoryID int64
}

// milestoneRow is an archived milestone with its delivery on the hook.
type milestoneRow struct {
	ID        int64
	Claim     claim
	Key       string
	Sites     int
	Alert     bool
	Confirmed bool
	Delivery  string // the hook channel's delivery state; "" when none
}

// snapshot is what an archive holds.
type snapshot struct {
	articles   map[string]articleRow // canonical URL → article
	stories    map[int64][2]int      // story → articles, sites (as stored)
	milestones []milestoneRow
	jobs       map[string]int // "kind state" → River jobs
	rescued    int            // River jobs that a rescue retried
	integrity  []string       // PRAGMA integrity_check
	foreign    []string       // PRAGMA foreign_key_check
}

func readSnapshot(db *sql.DB) (*snapshot, error) {
	s := &snapshot{articles: map[string]articleRow{}, stories: map[int64][2]int{}, jobs: map[string]int{}}
	rows, err := db.Query(`SELECT id, url, source, site, coalesce(story_id, 0) FROM articles`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a articleRow
		var url string
		if err := rows.Scan(&a.ID, &url, &a.Source, &a.Site, &a.StoryID); err != nil {
			rows.Close()
			return nil, err
		}
		if _, dup := s.articles[url]; dup {
			rows.Close()
			return nil, fmt.Errorf("two articles with the URL %s", url)
		}
		s.articles[url] = a
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = db.Query(`SELECT id, articles, sites FROM stories`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n, sites int
		if err := rows.Scan(&id, &n, &sites); err != nil {
			rows.Close()
			return nil, err
		}
		s.stories[id] = [2]int{n, sites}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = db.Query(`SELECT m.id, m.kind, m.metric, m.benchmark, m.key, m.subject, m.value, m.sites, m.alert, m.confirmed_at IS NOT NULL,
		coalesce((SELECT state FROM deliveries d WHERE d.milestone_id = m.id AND d.channel = 'hook'), '')
		FROM milestones m ORDER BY m.id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m milestoneRow
		if err := rows.Scan(&m.ID, &m.Claim.Kind, &m.Claim.Metric, &m.Claim.Benchmark, &m.Key, &m.Claim.Subject, &m.Claim.Value, &m.Sites, &m.Alert, &m.Confirmed, &m.Delivery); err != nil {
			rows.Close()
			return nil, err
		}
		s.milestones = append(s.milestones, m)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = db.Query(`SELECT kind, state, count(*), sum(json(errors) LIKE '%Stuck job rescued%') FROM river_job GROUP BY kind, state`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var kind, state string
		var n int
		var rescued sql.NullInt64
		if err := rows.Scan(&kind, &state, &n, &rescued); err != nil {
			rows.Close()
			return nil, err
		}
		s.jobs[kind+" "+state] = n
		s.rescued += int(rescued.Int64)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if s.integrity, err = strings1(db, `PRAGMA integrity_check`); err != nil {
		return nil, err
	}
	rows, err = db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			rows.Close()
			return nil, err
		}
		s.foreign = append(s.foreign, fmt.Sprintf("%s row %d → %s (constraint %d)", table, rowid.Int64, parent, fk))
	}
	return s, closeRows(rows)
}

func strings1(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, closeRows(rows)
}

func closeRows(rows *sql.Rows) error { return errors.Join(rows.Err(), rows.Close()) }

// progress is how far a running daemon has come: the expected articles
// still missing, and the milestones whose alert has not reached the
// receiver.
type progress struct {
	missing     []string // expected URLs not archived
	undelivered []string // milestones not yet delivered
	milestones  int
}

func (p progress) done() bool {
	return len(p.missing) == 0 && len(p.undelivered) == 0 && p.milestones > 0
}

func (p progress) String() string {
	return fmt.Sprintf("%d articles missing %v, %d of %d milestones undelivered %v", len(p.missing), head(p.missing, 5), len(p.undelivered), p.milestones, head(p.undelivered, 5))
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

func readProgress(db *sql.DB, want map[string]string, rcv *receiver) (progress, error) {
	var p progress
	have := map[string]bool{}
	urls, err := strings1(db, `SELECT url FROM articles`)
	if err != nil {
		return p, err
	}
	for _, u := range urls {
		have[u] = true
	}
	for u := range want {
		if !have[u] {
			p.missing = append(p.missing, u)
		}
	}
	rows, err := db.Query(`SELECT m.id, coalesce((SELECT state FROM deliveries d WHERE d.milestone_id = m.id AND d.channel = 'hook'), '')
		FROM milestones m`)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			rows.Close()
			return p, err
		}
		p.milestones++
		if state != "delivered" || !rcv.wasDelivered(deliveryKey(id)) {
			p.undelivered = append(p.undelivered, fmt.Sprintf("%d:%s", id, state))
		}
	}
	return p, closeRows(rows)
}

// siteCrawling reports whether a poll of the site source is running, as
// the job queue records it (a crawl a kill interrupts stays "running").
func siteCrawling(db *sql.DB) bool {
	var n int
	err := db.QueryRow(`SELECT count(*) FROM river_job WHERE state = 'running' AND kind = 'poll_source'
		AND json_extract(args, '$.source') = 'lab'`).Scan(&n)
	return err == nil && n > 0
}

// runningJobs lists the jobs the queue records as running, for failure
// messages.
func runningJobs(db *sql.DB) string {
	rows, err := db.Query(`SELECT id, kind, json(args), attempt, attempted_at, json(attempted_by) FROM river_job WHERE state = 'running'`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var kind, args, at, by string
		var attempt int
		if err := rows.Scan(&id, &kind, &args, &attempt, &at, &by); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "\n  job %d %s %s attempt %d, attempted at %s by %s", id, kind, args, attempt, at, by)
	}
	return b.String()
}

// deliveryKey is the Idempotency-Key of a milestone's alert on the hook.
func deliveryKey(id int64) string { return fmt.Sprintf("fw-m%d-hook", id) }
