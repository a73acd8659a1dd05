package config

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr string
	}{
		{"10MiB", 10 << 20, ""},
		{"512KiB", 512 << 10, ""},
		{"1MB", 1_000_000, ""},
		{"1048576", 1 << 20, ""},
		{"0", 0, ""},
		{"2GiB", 2 << 30, ""},
		{"1TB", 1e12, ""},
		{"100B", 100, ""},
		{"10 MiB", 10 << 20, ""},
		{" 4kib ", 4096, ""},
		{"1.5MiB", 3 << 19, ""},
		{"", 0, "invalid size"},
		{"MiB", 0, "invalid size"},
		{"10 parsecs", 0, "invalid size"},
		{"-1MiB", 0, "invalid size"},
		{"1..2KB", 0, "invalid size"},
		{"0x10", 0, "invalid size"},
		{"9999999TiB", 0, "too large"},
		{"99999999999999999999", 0, "too large"},
		{"1e99", 0, "invalid size"},
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseByteSize(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %d", tt.in, int64(got), err, int64(tt.want))
		}
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		in   ByteSize
		want string
	}{
		{10 << 20, "10MiB"}, {512 << 10, "512KiB"}, {1_000_000, "1000000"}, {0, "0"}, {3 << 40, "3TiB"}, {1536, "1536"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		back, err := ParseByteSize(tt.in.String())
		if err != nil || back != tt.in {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in.String(), back, err, tt.in)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30s", 30 * time.Second, false},
		{"1h30m", 90 * time.Minute, false},
		{"24h", 24 * time.Hour, false},
		{"250ms", 250 * time.Millisecond, false},
		{"0", 0, false},
		{" 5m ", 5 * time.Minute, false},
		{"30", 0, true},
		{"", 0, true},
		{"1d", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr || got.Std() != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got.Std(), err, tt.want, tt.wantErr)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{24 * time.Hour, "24h"}, {90 * time.Minute, "1h30m"}, {5 * time.Minute, "5m"}, {30 * time.Second, "30s"},
		{time.Hour + time.Second, "1h0m1s"}, {0, "0s"}, {1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnitsYAML(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
		B ByteSize `yaml:"b"`
	}
	if err := yaml.Unmarshal([]byte("d: 1h30m\nb: 512KiB\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.D.Std() != 90*time.Minute || v.B != 512<<10 {
		t.Errorf("decoded %+v", v)
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "d: 1h30m\nb: 512KiB\n" {
		t.Errorf("marshalled %q", out)
	}
	if err := yaml.Unmarshal([]byte("d: [1]\n"), &v); err == nil {
		t.Error("a list decoded as a duration")
	}
}
