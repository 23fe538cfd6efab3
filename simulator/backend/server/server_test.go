package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

func get(t *testing.T, url string) (int, error) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestKillRestartKeepsAddress(t *testing.T) {
	s := New(Config{Name: "test", Handler: http.HandlerFunc(ok)})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.Start(); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Start = %v; want ErrRunning", err)
	}
	addr := s.Addr()
	if err := s.Kill(); err != nil || s.Alive() {
		t.Fatalf("Kill = %v, Alive = %v; want nil, false", err, s.Alive())
	}
	if _, err := get(t, s.URL()); err == nil {
		t.Fatal("GET after Kill succeeded")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Fatalf("restart address = %s; want %s", s.Addr(), addr)
	}
	if code, err := get(t, s.URL()); err != nil || code != 200 {
		t.Fatalf("GET after restart = %d, %v", code, err)
	}
}

func TestPerClientCap(t *testing.T) {
	s := New(Config{Name: "test", Handler: http.HandlerFunc(ok), MaxConnsPerClient: 2})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// The third connection is accepted by the kernel, then closed by the cap.
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if n, err := c.Read(make([]byte, 64)); err == nil {
		t.Fatalf("third connection read %d bytes; want it closed", n)
	}
	c.Close()
	if s.Rejected() != 1 {
		t.Fatalf("Rejected() = %d; want 1", s.Rejected())
	}
	for _, c := range held {
		c.Close()
	}
}
