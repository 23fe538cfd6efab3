package trace

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Cases shared by the decode tests and the fuzz seeds.
var pensieveCases = []struct {
	name, in string
	n        int
	err      error
}{
	{"ok", "0.0\t2.5\n1.01\t1.2\n2.011 3\n", 3, nil},
	{"blank lines", "\n0 1\n\n5 2\n", 2, nil},
	{"one column", "0 1\n5\n", 0, ErrSyntax},
	{"not a number", "0 1\n5 x\n", 0, ErrSyntax},
	{"negative", "0 1\n5 -2\n", 0, ErrRange},
	{"time goes back", "0 1\n5 2\n4 2\n", 0, ErrRange},
	{"nan", "0 1\n5 NaN\n", 0, ErrRange},
	{"one sample", "0 1\n", 0, ErrEmpty},
}

func TestParsePensieve(t *testing.T) {
	for _, tt := range pensieveCases {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParsePensieve(strings.NewReader(tt.in), "x.txt")
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParsePensieve(%q) error = %v; want %v", tt.in, err, tt.err)
			}
			if err == nil && len(tr.Time) != tt.n {
				t.Errorf("ParsePensieve(%q) = %d samples; want %d", tt.in, len(tr.Time), tt.n)
			}
		})
	}
}

func TestParseErrorNamesLineAndField(t *testing.T) {
	_, err := ParsePensieve(strings.NewReader("0 1\n5 x\n"), "t.txt")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "t.txt" || pe.Line != 2 || pe.Field != "throughput" {
		t.Fatalf("error = %#v; want t.txt line 2 field throughput", err)
	}
	if got := err.Error(); !strings.Contains(got, "t.txt:2") {
		t.Errorf("Error() = %q; want it to name t.txt:2", got)
	}
}

var sabreCases = []struct {
	name, in string
	n        int
	err      error
}{
	{"ok", `[{"duration_ms": 1000, "bandwidth_kbps": 2000, "latency_ms": 20},
 {"duration_ms": 500, "bandwidth_kbps": 0, "latency_ms": 40}]`, 3, nil},
	{"no latency", `[{"duration_ms": 1000, "bandwidth_kbps": 2000}]`, 2, nil},
	{"empty", `[]`, 0, ErrEmpty},
	{"zero duration", `[{"duration_ms": 0, "bandwidth_kbps": 2000}]`, 0, ErrRange},
	{"missing bandwidth", `[{"duration_ms": 10}]`, 0, ErrRange},
	{"bad json", `[{"duration_ms": 10,}]`, 0, ErrSyntax},
	{"wrong type", "[\n{\"duration_ms\": \"x\"}]", 0, ErrSyntax},
}

func TestParseSabre(t *testing.T) {
	for _, tt := range sabreCases {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParseSabre(strings.NewReader(tt.in), "s.json")
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseSabre error = %v; want %v", err, tt.err)
			}
			if err == nil && len(tr.Time) != tt.n {
				t.Errorf("ParseSabre = %d samples; want %d", len(tr.Time), tt.n)
			}
		})
	}
	tr, _ := ParseSabre(strings.NewReader(sabreCases[0].in), "s.json")
	if tr.Time[2] != 1.5 || tr.Mbps[1] != 2 || tr.LatencyMs[2] != 40 {
		t.Errorf("ParseSabre = %+v; want end 1.5 s, 2 Mbit/s, 40 ms", tr)
	}
}

var mahimahiCases = []struct {
	name, in string
	n        int
	err      error
}{
	{"ok", "0\n1\n1\n999\n1000\n1001\n2500\n", 4, nil},
	{"blank", "\n5\n\n", 2, nil},
	{"not int", "1\nx\n", 0, ErrSyntax},
	{"backwards", "5\n3\n", 0, ErrRange},
	{"negative", "-1\n", 0, ErrRange},
	{"empty", "", 0, ErrEmpty},
}

func TestParseMahimahi(t *testing.T) {
	for _, tt := range mahimahiCases {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParseMahimahi(strings.NewReader(tt.in), "m.up", 0)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseMahimahi error = %v; want %v", err, tt.err)
			}
			if err == nil && len(tr.Time) != tt.n {
				t.Errorf("ParseMahimahi = %d samples; want %d", len(tr.Time), tt.n)
			}
		})
	}
	// 1000 packets in the first second = 12 Mbit/s.
	var b strings.Builder
	for i := 1; i <= 1000; i++ {
		b.WriteString("1\n")
	}
	tr, _ := ParseMahimahi(strings.NewReader(b.String()), "m", time.Second)
	if tr.Mbps[1] != 12 {
		t.Errorf("1000 packets in 1 s = %v Mbit/s; want 12", tr.Mbps[1])
	}
}

var sizeCases = []struct {
	name, in string
	n        int
	err      error
}{
	{"ok", "181801\n155580\n139857\n", 3, nil},
	{"zero", "1\n0\n", 0, ErrRange},
	{"text", "12a\n", 0, ErrSyntax},
	{"empty", "\n", 0, ErrEmpty},
}

func TestParsePensieveSizes(t *testing.T) {
	for _, tt := range sizeCases {
		s, err := ParsePensieveSizes(strings.NewReader(tt.in), "video_size_0")
		if !errors.Is(err, tt.err) || (err == nil && len(s) != tt.n) {
			t.Errorf("%s: ParsePensieveSizes = %v, %v; want %d sizes, %v", tt.name, s, err, tt.n, tt.err)
		}
	}
}

var sabreVideoCases = []struct {
	name, in string
	levels   int
	err      error
}{
	{"ok", `{"segment_duration_ms": 3000, "bitrates_kbps": [230, 331], "segment_sizes_bits": [[690000, 993000], [700001, 1000000]]}`, 2, nil},
	{"no duration", `{"bitrates_kbps": [230], "segment_sizes_bits": [[1]]}`, 0, ErrRange},
	{"descending", `{"segment_duration_ms": 3000, "bitrates_kbps": [331, 230], "segment_sizes_bits": [[1, 1]]}`, 0, ErrRange},
	{"ragged", `{"segment_duration_ms": 3000, "bitrates_kbps": [230, 331], "segment_sizes_bits": [[1]]}`, 0, ErrRange},
	{"no segments", `{"segment_duration_ms": 3000, "bitrates_kbps": [230]}`, 0, ErrEmpty},
	{"bad json", `{`, 0, ErrSyntax},
}

func TestParseSabreVideo(t *testing.T) {
	for _, tt := range sabreVideoCases {
		v, err := ParseSabreVideo(strings.NewReader(tt.in), "v.json")
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: ParseSabreVideo error = %v; want %v", tt.name, err, tt.err)
			continue
		}
		if err == nil {
			if len(v.Bitrates) != tt.levels || v.Segments() != 2 || v.SegmentDuration != 3*time.Second {
				t.Errorf("%s: ParseSabreVideo = %+v", tt.name, v)
			}
			if s, _ := v.Size(1, 0); s != 87501 { // bits rounded up to bytes
				t.Errorf("%s: Size(1, 0) = %d; want 87501", tt.name, s)
			}
		}
	}
}

func TestLoadShared(t *testing.T) {
	root := "../../../shared/data/traces"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared traces absent (%v): skipping", err)
	}
	trs, err := LoadDir(filepath.Join(root, "pensieve", "train"), FormatPensieve)
	if err != nil || len(trs) != 127 {
		t.Fatalf("LoadDir(pensieve/train) = %d traces, %v; want 127", len(trs), err)
	}
	v, err := LoadPensieveVideo(filepath.Join(root, "pensieve", "video"), nil, 0)
	if err != nil || v.Segments() != 49 || len(v.Bitrates) != 6 {
		t.Fatalf("LoadPensieveVideo = %v, %v; want 49 segments x 6 levels", v, err)
	}
	s, err := LoadDir(filepath.Join(root, "sabre", "4Glogs"), FormatSabre)
	if err != nil || len(s) != 40 {
		t.Fatalf("LoadDir(sabre/4Glogs) = %d, %v; want 40", len(s), err)
	}
	for _, name := range []string{"bbb.json", "bbb4k.json"} {
		v, err := LoadSabreVideo(filepath.Join(root, "sabre", name))
		if err != nil || v.Segments() != 199 {
			t.Fatalf("LoadSabreVideo(%s) = %v, %v; want 199 segments", name, v, err)
		}
	}
}

func TestLoadTree(t *testing.T) {
	dir := t.TempDir()
	write := func(p, body string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("top", "0 1\n1 2\n")
	write("norway/b", "0 1\n1 2\n")
	write("fcc/a", "0 1\n1 2\n")
	write(".hidden/c", "0 1\n1 2\n")
	write("empty/README.md", "notes")
	trs, err := LoadTree(dir, FormatPensieve)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tr := range trs {
		names = append(names, tr.Name)
	}
	if want := []string{"top", "fcc/a", "norway/b"}; !slices.Equal(names, want) {
		t.Errorf("LoadTree names = %v; want %v", names, want)
	}
	// A folder of links to traces elsewhere reads the same.
	links := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "fcc"), filepath.Join(links, "fcc")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "top"), filepath.Join(links, "top")); err != nil {
		t.Fatal(err)
	}
	if trs, err := LoadTree(links, FormatPensieve); err != nil || len(trs) != 2 || trs[1].Name != "fcc/a" {
		t.Errorf("LoadTree(links) = %d traces, %v; want top and fcc/a", len(trs), err)
	}
	if _, err := LoadTree(filepath.Join(dir, "empty"), FormatPensieve); !errors.Is(err, ErrEmpty) {
		t.Errorf("LoadTree(empty) = %v; want ErrEmpty", err)
	}
}
