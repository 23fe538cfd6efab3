package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestABRTable(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "abr.md")
	if err := os.WriteFile(doc, []byte("intro\n"+tableBegin+"\nold\n"+tableEnd+"\nend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join("..", "..", "testdata", "traces")
	var out, errOut bytes.Buffer
	if code := run([]string{"abr", "table", "--data", data, "--algo", "bb,optimal", "--update", doc}, &out, &errOut); code != 0 {
		t.Fatalf("abr table = %d: %s", code, errOut.String())
	}
	b, _ := os.ReadFile(doc)
	s := string(b)
	for _, want := range []string{"| fcc | pensieve |", "| norway | pensieve |", "| 4Glogs | sabre |", "| optimal |", "\nend\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "old") {
		t.Errorf("table kept the old content:\n%s", s)
	}
	if code := run([]string{"abr", "table", "--data", data, "--algo", "bb", "--update", filepath.Join(t.TempDir(), "none.md")}, &out, &errOut); code == 0 {
		t.Error("abr table --update on a missing file = 0; want an error")
	}
}
