package fetch

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUnaskedProtocolSwitch: a server that answers a plain GET with 101
// Switching Protocols and then holds the connection open fails the request
// at once, through Get, the shared client and the Transport alike, instead
// of leaving the caller reading a raw connection that no timeout reaches.
func TestUnaskedProtocolSwitch(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
				<-quit // hold the connection open
			}()
		}
	}()
	t.Cleanup(func() { close(quit); l.Close(); <-done })
	url := "http://" + l.Addr().String() + "/feed"

	c := New(Options{AllowPrivate: true, Timeout: time.Second})
	// Each call gets 10s; one that hangs (the bug) fails the test, and
	// the server then hangs up so that it can end.
	call := func(name string, f func() error) {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- f() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "101 Switching Protocols") {
				t.Errorf("%s: err = %v, want the unasked protocol switch", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still waiting after 10s on a connection switched to another protocol", name)
		}
	}
	call("Get", func() error {
		_, err := c.Get(context.Background(), Request{URL: url})
		return err
	})
	call("HTTPClient", func() error {
		resp, err := c.HTTPClient().Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	})
	call("Transport", func() error {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		resp, err := c.Transport().RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	})
}
