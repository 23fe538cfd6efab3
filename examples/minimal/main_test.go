package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/abrkit/abrkit/examples/internal/content"
	"github.com/abrkit/abrkit/player"
)

func TestRun(t *testing.T) {
	srv, err := content.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{srv.DASH("demo"), "1s"}, &out); err != nil {
		t.Fatal(err)
	}
	var q player.QoE
	if err := json.Unmarshal(out.Bytes(), &q); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if !q.Started || q.Segments == 0 || q.PlaySeconds <= 0 {
		t.Errorf("QoE %+v; want started with segments and play time", q)
	}
}

func TestRunBadArgs(t *testing.T) {
	for _, args := range [][]string{nil, {"a", "b", "c"}, {"http://127.0.0.1:1/x.m3u8", "-1s"}, {"http://127.0.0.1:1/x.m3u8", "soon"}} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("run(%q) = nil; want an error", args)
		}
	}
}

func TestRunUnreachable(t *testing.T) {
	srv, err := content.Start()
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URL() + "/none/master.m3u8"
	srv.Close()
	if err := run([]string{url, "1s"}, &bytes.Buffer{}); err == nil {
		t.Error("run on a closed server = nil; want an error")
	}
}
