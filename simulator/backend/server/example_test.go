package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/server"
)

func ExampleServer() {
	s := server.New(server.Config{Name: "hello", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}), ReadTimeout: 5 * time.Second, MaxConnsPerClient: 16})
	if err := s.Start(); err != nil {
		panic(err)
	}
	defer s.Close(context.Background())
	resp, err := http.Get(s.URL())
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	_ = s.Kill() // a fault: listener and connections closed at once
	fmt.Println(s.Alive())
	// Output:
	// hello
	// false
}
