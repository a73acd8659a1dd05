package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// Linux everywhere Go runs).
const clockTicks = 100

// procCPU is the user+system CPU of process pid so far, from
// /proc/PID/stat; 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	cpu, err := parseStatCPU(b)
	if err != nil {
		return 0
	}
	return cpu
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat line. The command name (field 2) is in parentheses and
// may hold spaces and parentheses itself, so fields are counted after the
// last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("bad stat line %q", truncate(string(stat), 80))
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state): utime is f[11], stime f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("bad stat line %q", truncate(string(stat), 80))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad CPU time %q in stat line", s)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// procComm is the command name of process pid ("" when gone).
func procComm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// logRecord is the part of a JSON log record the harness reads.
type logRecord struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	Addr  string    `json:"addr"`
	Error string    `json:"error"`
	// ClientID is River's client id, in its "River client started"
	// record.
	ClientID string `json:"client_id"`
}

// readLog calls fn for every JSON record of the log file at path; lines
// that are not JSON records are passed with only Msg set.
func readLog(path string, fn func(logRecord)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r logRecord
		if err := json.Unmarshal(line, &r); err != nil {
			r = logRecord{Msg: string(line)}
		}
		fn(r)
	}
}

// serving is the address an instance serves HTTP on, from its "serving"
// log record, and when it logged it, after start.
func serving(path string, start time.Time) (addr string, after time.Duration) {
	readLog(path, func(r logRecord) {
		if r.Msg == "serving" && addr == "" {
			addr, after = r.Addr, r.Time.Sub(start)
		}
	})
	return addr, after
}

// logIssues counts the WARN and ERROR records of a log (lines that are not
// JSON records count as errors: the process printed something else),
// those logged before stop apart from those after (while stopping), and
// returns up to n of them.
func logIssues(path string, stop time.Time, n int) (issues, afterStop logCounts, lines []string) {
	readLog(path, func(r logRecord) {
		c := &issues
		if !r.Time.IsZero() && !r.Time.Before(stop) {
			c = &afterStop
		}
		switch {
		case r.Level == "WARN":
			c.warnings++
		case r.Level == "ERROR" || r.Level == "":
			c.errors++
		default:
			return
		}
		if len(lines) < n {
			s := strings.TrimSpace(r.Level + " " + r.Msg)
			if r.Error != "" {
				s += ": " + r.Error
			}
			if c == &afterStop {
				s += " (after SIGTERM)"
			}
			lines = append(lines, truncate(s, 200))
		}
	})
	return issues, afterStop, lines
}

// logCounts are the WARN and ERROR records of some logs.
type logCounts struct{ warnings, errors int }

// tail is the last n lines of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// scrapePolls reads an instance's frontierwatch_polls_total from its
// /metrics, summed over sources, by status.
func scrapePolls(ctx context.Context, addr string) (map[string]int64, error) {
	if addr == "" {
		return nil, fmt.Errorf("no \"serving\" record in the log: address unknown")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parsePolls(resp.Body)
}

// pollsMetric is the counter of polls, labelled by source and status.
const pollsMetric = "frontierwatch_polls_total"

// parsePolls sums the samples of pollsMetric in a Prometheus text
// exposition by their status label.
func parsePolls(r io.Reader) (map[string]int64, error) {
	out := map[string]int64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), pollsMetric+"{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			return nil, fmt.Errorf("metrics: bad sample %q", truncate(sc.Text(), 100))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("metrics: bad sample %q", truncate(sc.Text(), 100))
		}
		status := "?"
		for l := range strings.SplitSeq(labels, ",") {
			if s, ok := strings.CutPrefix(l, `status="`); ok {
				status = strings.TrimSuffix(s, `"`)
			}
		}
		out[status] += int64(v)
	}
	return out, sc.Err()
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
