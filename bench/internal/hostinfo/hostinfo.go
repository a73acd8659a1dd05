// Package hostinfo describes the machine a benchmark ran on, and formats
// counts for its reports.
package hostinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the host: CPUs, CPU model, memory, Go, and the load
// average, which says whether something else competed for the CPUs.
func Machine() string {
	model := "unknown CPU"
	var memKB int64
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if v := procField(b, "model name"); v != "" {
			model = v
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v := procField(b, "MemTotal"); v != "" {
			memKB, _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		}
	}
	load := "unknown"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %.1f GB RAM, %s/%s, %s, GOMAXPROCS %d; load average at the end %s",
		runtime.NumCPU(), model, float64(memKB)*1024/1e9, runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.GOMAXPROCS(0), load)
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(b []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Thousands formats n with commas between groups of three digits.
func Thousands[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
