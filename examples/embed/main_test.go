package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/player"
)

func TestRunJSON(t *testing.T) {
	for _, args := range [][]string{
		{"-segments", "4", "-duration", "60s", "-format", "json", "-abr", "bola"},
		{"-segments", "4", "-duration", "60s", "-format", "json", "-dash", "-rate", "0"},
	} {
		var out bytes.Buffer
		if err := run(args, &out, &bytes.Buffer{}); err != nil {
			t.Fatalf("run(%q): %v", args, err)
		}
		var q player.QoE
		if err := json.Unmarshal(out.Bytes(), &q); err != nil {
			t.Fatalf("run(%q) output %q: %v", args, out.String(), err)
		}
		if !q.Started || q.Segments == 0 || q.Bytes == 0 {
			t.Errorf("run(%q) QoE %+v; want started with segments", args, q)
		}
	}
}

func TestRunText(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-segments", "4", "-duration", "60s"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"manifest_loaded", "first_frame", "average bitrate", "playing"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"-duration", "0s"}, true},
		{[]string{"-segments", "-1"}, true},
		{[]string{"-format", "yaml"}, true},
		{[]string{"-rate", "fast"}, true},
		{[]string{"extra"}, true},
	}
	for _, tc := range tests {
		if _, err := parse(tc.args, &bytes.Buffer{}); (err != nil) != tc.wantErr {
			t.Errorf("parse(%q) error %v; want error %v", tc.args, err, tc.wantErr)
		}
	}
	if err := run([]string{"-abr", "nope"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("run with an unknown ABR = nil; want an error")
	}
}
