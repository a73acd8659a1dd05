package hostinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 123456: "123,456", 50000: "50,000",
		1234567: "1,234,567", -5: "-5", -1234: "-1,234", -123456: "-123,456", -1234567: "-1,234,567"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMachine(t *testing.T) {
	m := Machine()
	if !strings.Contains(m, runtime.Version()) || !strings.Contains(m, "CPUs") {
		t.Errorf("Machine() = %q: want the CPU count and the Go version", m)
	}
}
