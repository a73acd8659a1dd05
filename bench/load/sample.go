package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scrape is what the harness reads from the daemon's /metrics.
type scrape struct {
	pollsBy    map[string]float64 // frontierwatch_polls_total by status
	pollErrors float64            // frontierwatch_poll_errors_total
	articles   map[string]float64 // frontierwatch_articles_total by outcome
	heapInuse  float64            // go_memstats_heap_inuse_bytes
	goVersion  string             // go_info's version
	// pollSeconds and pollCount are frontierwatch_poll_duration_seconds'
	// sum and count (polls of every kind).
	pollSeconds, pollCount float64
}

// meanPoll is the mean poll duration between two scrapes.
func meanPoll(from, to scrape) (time.Duration, bool) {
	n := to.pollCount - from.pollCount
	if n <= 0 {
		return 0, false
	}
	return time.Duration((to.pollSeconds - from.pollSeconds) / n * float64(time.Second)), true
}

// polls is the number of polls that ended, whatever their status.
func (s scrape) polls() float64 {
	var n float64
	for _, v := range s.pollsBy {
		n += v
	}
	return n
}

// archived is the number of items stored as articles (new ones and
// duplicates that joined a known story).
func (s scrape) archived() float64 { return s.articles["new"] + s.articles["duplicate"] }

// scrapeMetrics GETs base/metrics and parses it.
func scrapeMetrics(ctx context.Context, c *http.Client, base string) (scrape, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return scrape{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return scrape{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return scrape{}, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics reads the series the harness needs from the Prometheus
// text format.
func parseMetrics(r io.Reader) (scrape, error) {
	s := scrape{pollsBy: map[string]float64{}, articles: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, labels, value, err := parseSample(line)
		if err != nil {
			return s, err
		}
		switch name {
		case "frontierwatch_polls_total":
			s.pollsBy[labels["status"]] += value
		case "frontierwatch_poll_errors_total":
			s.pollErrors += value
		case "frontierwatch_articles_total":
			s.articles[labels["outcome"]] += value
		case "go_memstats_heap_inuse_bytes":
			s.heapInuse, seen = value, true
		case "go_info":
			s.goVersion = labels["version"]
		case "frontierwatch_poll_duration_seconds_sum":
			s.pollSeconds += value
		case "frontierwatch_poll_duration_seconds_count":
			s.pollCount += value
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if !seen {
		return s, errors.New("/metrics has no go_memstats_heap_inuse_bytes")
	}
	return s, nil
}

// parseSample splits one sample line, name{a="b",…} value [timestamp].
func parseSample(line string) (name string, labels map[string]string, value float64, err error) {
	bad := func() (string, map[string]string, float64, error) {
		return "", nil, 0, fmt.Errorf("bad metrics line %q", truncate(line, 120))
	}
	rest := line
	if i := strings.IndexAny(line, "{ "); i < 0 {
		return bad()
	} else {
		name, rest = line[:i], line[i:]
	}
	if strings.HasPrefix(rest, "{") {
		labels = map[string]string{}
		rest = rest[1:]
		for {
			rest = strings.TrimLeft(rest, ", ")
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.Index(rest, `="`)
			if eq <= 0 {
				return bad()
			}
			key := rest[:eq]
			rest = rest[eq+2:]
			var val strings.Builder
			closed := false
			for i := 0; i < len(rest); i++ {
				c := rest[i]
				if c == '\\' && i+1 < len(rest) {
					i++
					switch rest[i] {
					case 'n':
						val.WriteByte('\n')
					default:
						val.WriteByte(rest[i])
					}
					continue
				}
				if c == '"' {
					rest, closed = rest[i+1:], true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return bad()
			}
			labels[key] = val.String()
		}
	}
	f := strings.Fields(rest)
	if len(f) < 1 || len(f) > 2 {
		return bad()
	}
	value, err = strconv.ParseFloat(f[0], 64)
	if err != nil {
		return bad()
	}
	return name, labels, value, nil
}

// sample is one look at the daemon during the run.
type sample struct {
	At       time.Duration // since the load started (negative: before)
	RSSKB    int64         // VmRSS
	Heap     float64       // go_memstats_heap_inuse_bytes
	Polls    float64       // polls ended so far
	Errors   float64       // failed polls so far
	Archived float64       // articles stored so far
	CPU      time.Duration // the daemon's user and system CPU time so far
	Load1    float64       // the machine's 1-minute load average
	Err      string        // why the sample is incomplete
}

// sampler samples the daemon every interval until stopped.
type sampler struct {
	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	done    chan struct{}
}

// startSampler samples now and then every interval, times measured from
// origin.
func startSampler(ctx context.Context, c *http.Client, base string, pid int, origin time.Time, interval time.Duration) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	take := func() {
		x := sample{At: time.Since(origin)}
		var errs []string
		if kb, err := procStatusKB(pid, "VmRSS"); err != nil {
			errs = append(errs, err.Error())
		} else {
			x.RSSKB = kb
		}
		if cpu, err := procCPU(pid); err != nil {
			errs = append(errs, err.Error())
		} else {
			x.CPU = cpu
		}
		if m, err := scrapeMetrics(ctx, c, base); err != nil {
			errs = append(errs, err.Error())
		} else {
			x.Heap, x.Polls, x.Errors, x.Archived = m.heapInuse, m.polls(), m.pollErrors, m.archived()
		}
		x.Load1 = loadAverage()
		x.Err = strings.Join(errs, "; ")
		s.mu.Lock()
		s.samples = append(s.samples, x)
		s.mu.Unlock()
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		take()
		for {
			select {
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				take()
			}
		}
	}()
	return s
}

// finish takes no more samples and returns them.
func (s *sampler) finish() []sample {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// procStatusKB reads a "Name:  N kB" line of /proc/PID/status.
func procStatusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKB(b, field)
}

// parseStatusKB reads the field's line of a /proc/PID/status file, in KiB.
func parseStatusKB(status []byte, field string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bad %s line %q", field, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("bad %s line %q", field, sc.Text())
		}
		return kb, nil
	}
	return 0, fmt.Errorf("no %s line", field)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procCPU is the user and system CPU time of a process.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a /proc/PID/stat
// line. The command name, field 2, is in parentheses and may hold spaces.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("bad /proc stat line")
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state), so utime (14) is f[11] and stime (15) f[12].
	if len(f) < 13 {
		return 0, errors.New("short /proc stat line")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || u < 0 || s < 0 {
		return 0, fmt.Errorf("bad CPU times %q %q", f[11], f[12])
	}
	return time.Duration(u+s) * time.Second / clockTicks, nil
}

// loadAverage is the 1-minute load average, or -1.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// fit is a least-squares line through samples: its slope and the slope's
// standard error.
type fit struct {
	slope, se float64
	n         int
}

// fitLine fits y against x; ok is false with fewer than three points or
// one distinct x.
func fitLine(x, y []float64) (f fit, ok bool) {
	n := float64(len(x))
	if len(x) < 3 || len(x) != len(y) {
		return fit{}, false
	}
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	if sxx == 0 {
		return fit{}, false
	}
	b := sxy / sxx
	var rss float64
	for i := range x {
		r := y[i] - (my + b*(x[i]-mx))
		rss += r * r
	}
	return fit{slope: b, se: math.Sqrt(rss / (n - 2) / sxx), n: len(x)}, true
}
