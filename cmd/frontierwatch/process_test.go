package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMLetsRunningPollsFinish runs the real binary, sends SIGTERM
// while a slow poll is running, and checks the daemon exits 0 after
// storing what that poll fetched.
func TestSIGTERMLetsRunningPollsFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "frontierwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var started atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Store(true)
		time.Sleep(2 * time.Second) // the poll is running when SIGTERM arrives
		fmt.Fprint(w, `<rss version="2.0"><channel><title>slow</title><item><title>Slow news</title><link>https://slow.example/a</link></item></channel></rss>`)
	}))
	defer srv.Close()
	conf := writeConfig(t, fmt.Sprintf("server:\n  listen: 127.0.0.1:0\npoll:\n  shutdown_timeout: 20s\nsources:\n  - {name: slow, url: %s/feed}\n", srv.URL))

	var stderr lockedBuffer // written by exec's copying goroutine, read here
	cmd := exec.Command(bin, "run", "--config", conf)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !started.Load() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the daemon never polled\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no exit 30 s after SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no orderly stop in the log:\n%s", stderr.String())
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"search", "--config", conf, "--format", "csv"}, nil, &out, &out, nil); code != 0 || !strings.Contains(out.String(), "Slow news") {
		t.Errorf("the poll running at SIGTERM was not stored: %d\n%s", code, out.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemoProcessStopsOnSIGINT runs `frontierwatch demo` as a process: it
// serves, prints an alert, and exits 0 on SIGINT, removing its archive.
func TestDemoProcessStopsOnSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "frontierwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var out lockedBuffer
	cmd := exec.Command(bin, "demo", "--listen", "127.0.0.1:0", "--every", "200ms")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "ALERT") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no alert within a minute:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	var page string
	for _, line := range strings.Split(out.String(), "\n") {
		if u, ok := strings.CutPrefix(strings.TrimSpace(line), "web page:"); ok {
			page = strings.TrimSpace(u)
		}
	}
	resp, err := http.Get(page)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the web page %q does not answer: %v %v", page, resp, err)
	} else {
		resp.Body.Close()
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no exit 30 s after SIGINT\n%s", out.String())
	}
	if !strings.Contains(out.String(), "demo stopped") {
		t.Errorf("no orderly stop:\n%s", out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if dir, ok := strings.CutPrefix(strings.TrimSpace(line), "archive:"); ok {
			db := strings.Fields(dir)[0]
			if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
				t.Errorf("the demo's archive %s was not removed", filepath.Dir(db))
			}
		}
	}
}
