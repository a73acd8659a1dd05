package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// resultPrefix starts the line that the wrk script's done prints.
const resultPrefix = "LOADRESULT "

// wrkInstallHint is how to get wrk, in every message about its absence.
const wrkInstallHint = "apt-get install -y wrk"

// findWrk returns the path of wrk on PATH and its version line.
func findWrk() (path, version string, err error) {
	path, err = exec.LookPath("wrk")
	if err != nil {
		return "", "", fmt.Errorf("wrk is not on PATH: install it with `%s` (Debian's package, wrk 4.1.0)", wrkInstallHint)
	}
	// wrk -v prints its version and usage, and exits 1.
	out, _ := exec.Command(path, "-v").CombinedOutput()
	version, _, _ = strings.Cut(string(out), "\n")
	if !strings.HasPrefix(version, "wrk ") {
		return "", "", fmt.Errorf("%s does not look like wrk (it printed %q): install it with `%s`", path, truncate(version, 80), wrkInstallHint)
	}
	if i := strings.Index(version, " Copyright"); i > 0 {
		version = version[:i]
	}
	return path, strings.TrimSpace(version), nil
}

// wrkResult is what the script's done reports; latencies in microseconds.
type wrkResult struct {
	Requests   float64 `json:"requests"`
	DurationUS float64 `json:"duration_us"`
	Bytes      float64 `json:"bytes"`
	Connect    float64 `json:"connect"`
	Read       float64 `json:"read"`
	Write      float64 `json:"write"`
	Timeout    float64 `json:"timeout"`
	StatusOver float64 `json:"status_over_399"`
	S2xx       float64 `json:"s2xx"`
	S3xx       float64 `json:"s3xx"`
	S4xx       float64 `json:"s4xx"`
	S5xx       float64 `json:"s5xx"`
	SOther     float64 `json:"sother"`
	P50        float64 `json:"p50"`
	P90        float64 `json:"p90"`
	P99        float64 `json:"p99"`
	P999       float64 `json:"p999"`
	Max        float64 `json:"max"`
	Mean       float64 `json:"mean"`
	Threads    int     `json:"threads"`
}

// nonOK is the number of answers outside 2xx.
func (r wrkResult) nonOK() float64 { return r.S3xx + r.S4xx + r.S5xx + r.SOther }

// socketErrors is the number of requests that got no answer.
func (r wrkResult) socketErrors() float64 { return r.Connect + r.Read + r.Write + r.Timeout }

// rate is requests per second.
func (r wrkResult) rate() float64 {
	if r.DurationUS <= 0 {
		return 0
	}
	return r.Requests / (r.DurationUS / 1e6)
}

// wrkArgs are wrk's arguments for the run.
func wrkArgs(o options, script, base string) []string {
	secs := int(math.Ceil(o.duration.Seconds()))
	return []string{"-t", itoa(o.threads), "-c", itoa(o.connections), "-d", itoa(secs) + "s",
		"--timeout", itoa(int(math.Ceil(o.timeout.Seconds()))) + "s", "--latency", "-s", script, base}
}

// runWrk writes the script into dir, runs wrk against base and returns its
// result and its own output.
func runWrk(ctx context.Context, wrk string, o options, dir, base string, paths []string) (wrkResult, string, error) {
	script := filepath.Join(dir, "mix.lua")
	if err := os.WriteFile(script, luaScript(paths), 0o644); err != nil {
		return wrkResult{}, "", err
	}
	var out, errs bytes.Buffer
	cmd := exec.CommandContext(ctx, wrk, wrkArgs(o, script, base)...)
	cmd.Stdout, cmd.Stderr = &out, &errs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return wrkResult{}, out.String(), fmt.Errorf("wrk: %w\n%s%s", err, out.String(), errs.String())
	}
	res, err := parseWrk(out.Bytes())
	if err != nil {
		return res, out.String(), fmt.Errorf("%w\nwrk printed:\n%s%s", err, out.String(), errs.String())
	}
	return res, out.String(), nil
}

// parseWrk finds the script's result line in wrk's output.
func parseWrk(out []byte) (wrkResult, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), resultPrefix)
		if !ok {
			continue
		}
		var r wrkResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return r, fmt.Errorf("wrk's result line: %w", err)
		}
		if r.Requests <= 0 || r.Threads <= 0 {
			return r, fmt.Errorf("wrk sent no request (%s)", line)
		}
		return r, nil
	}
	return wrkResult{}, errors.New("wrk printed no result line")
}
