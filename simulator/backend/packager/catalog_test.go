package packager

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// catalogCases feeds TestParseCatalog and the seeds of FuzzParseCatalog.
var catalogCases = []struct {
	name  string
	yaml  string
	want  *Catalog // nil when an error is expected
	err   error    // sentinel
	line  int
	field string
}{
	{
		name: "minimal",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps: [400, 1200, 3000]\n",
		want: &Catalog{Titles: []Title{{ID: "t1", Duration: time.Minute, SegmentDuration: 4 * time.Second, LadderKbps: []int{400, 1200, 3000}}}},
	},
	{
		name: "all fields",
		yaml: `titles:
  - id: movie.1
    duration: 90.5
    segment_duration: 2
    ladder_kbps:
      - 3000
      - 800
    seed: -7
    frame_rate: 29.97
    audio_kbps: 96
    resolutions: [1280x720, 640X360]
    variability: 0.5
    sidx: true
  - id: silent
    duration: 1m
    segment_duration: 6s
    ladder_kbps: [500]
    no_audio: true
`,
		want: &Catalog{Titles: []Title{
			{ID: "movie.1", Duration: 90500 * time.Millisecond, SegmentDuration: 2 * time.Second, LadderKbps: []int{3000, 800},
				Seed: -7, FrameRate: 29.97, AudioKbps: 96, Resolutions: []Resolution{{1280, 720}, {640, 360}}, Variability: 0.5, Sidx: true},
			{ID: "silent", Duration: time.Minute, SegmentDuration: 6 * time.Second, LadderKbps: []int{500}, NoAudio: true},
		}},
	},
	{
		name: "encryption",
		yaml: "titles:\n  - id: hls\n    duration: 8s\n    segment_duration: 4s\n    ladder_kbps: [400]\n    encryption: aes-128\n" +
			"  - id: dash\n    duration: 8s\n    segment_duration: 4s\n    ladder_kbps: [400]\n    encryption: cenc\n",
		want: &Catalog{Titles: []Title{
			{ID: "hls", Duration: 8 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{400}, Encryption: AES128},
			{ID: "dash", Duration: 8 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{400}, Encryption: CENC},
		}},
	},
	{
		name: "unknown encryption", err: ErrInvalidValue, line: 6, field: "titles[0].encryption",
		yaml: "titles:\n  - id: t1\n    duration: 8s\n    segment_duration: 4s\n    ladder_kbps: [400]\n    encryption: widevine\n",
	},
	{
		name: "unknown title field", err: ErrUnknownField, line: 6, field: "titles[0].bogus",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps: [400]\n    bogus: 1\n",
	},
	{
		name: "unknown top-level field", err: ErrUnknownField, line: 1, field: "title",
		yaml: "title: []\n",
	},
	{
		name: "missing id", err: ErrMissingField, line: 2, field: "titles[0].id",
		yaml: "titles:\n  - duration: 60s\n    segment_duration: 4s\n    ladder_kbps: [400]\n",
	},
	{
		name: "bad duration", err: ErrInvalidValue, line: 3, field: "titles[0].duration",
		yaml: "titles:\n  - id: t1\n    duration: soon\n    segment_duration: 4s\n    ladder_kbps: [400]\n",
	},
	{
		name: "negative duration", err: ErrInvalidValue, line: 3, field: "titles[0].duration",
		yaml: "titles:\n  - id: t1\n    duration: -5s\n    segment_duration: 4s\n    ladder_kbps: [400]\n",
	},
	{
		name: "bitrate out of range", err: ErrInvalidValue, line: 7, field: "titles[0].ladder_kbps[1]",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps:\n      - 400\n      - 5\n",
	},
	{
		name: "duplicate bitrate", err: ErrInvalidValue, line: 5, field: "titles[0].ladder_kbps[1]",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps: [400, 400]\n",
	},
	{
		name: "bitrate not an integer", err: ErrInvalidValue, line: 5, field: "titles[0].ladder_kbps[0]",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps: [fast]\n",
	},
	{
		name: "empty ladder", err: ErrMissingField, line: 5, field: "titles[0].ladder_kbps",
		yaml: "titles:\n  - id: t1\n    duration: 60s\n    segment_duration: 4s\n    ladder_kbps: []\n",
	},
	{
		name: "segment longer than title", err: ErrInvalidValue, line: 4, field: "titles[0].segment_duration",
		yaml: "titles:\n  - id: t1\n    duration: 3s\n    segment_duration: 4s\n    ladder_kbps: [400]\n",
	},
	{
		name: "duplicate id", err: ErrInvalidValue, line: 6, field: "titles[1].id",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n",
	},
	{
		name: "duplicate key", err: ErrInvalidValue, line: 3, field: "titles[0].id",
		yaml: "titles:\n  - id: t1\n    id: t2\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n",
	},
	{
		name: "bad id", err: ErrInvalidValue, line: 2, field: "titles[0].id",
		yaml: "titles:\n  - id: ../etc\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n",
	},
	{
		name: "bad resolution", err: ErrInvalidValue, line: 6, field: "titles[0].resolutions[0]",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n    resolutions: [640by360]\n",
	},
	{
		name: "resolution count", err: ErrInvalidValue, line: 6, field: "titles[0].resolutions",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n    resolutions: [640x360, 1280x720]\n",
	},
	{
		name: "odd resolution", err: ErrInvalidValue, line: 6, field: "titles[0].resolutions[0]",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n    resolutions: [641x360]\n",
	},
	{
		name: "frame rate too high", err: ErrInvalidValue, line: 6, field: "titles[0].frame_rate",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n    frame_rate: 500\n",
	},
	{
		name: "bool expected", err: ErrInvalidValue, line: 6, field: "titles[0].sidx",
		yaml: "titles:\n  - id: t1\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [400]\n    sidx: maybe\n",
	},
	{
		name: "title not a mapping", err: ErrInvalidValue, line: 2, field: "titles[0]",
		yaml: "titles:\n  - t1\n",
	},
	{
		name: "no titles", err: ErrEmptyCatalog, line: 1, field: "titles",
		yaml: "titles: []\n",
	},
	{
		name: "empty document", err: ErrEmptyCatalog, line: 1, field: "titles",
		yaml: "",
	},
	{
		name: "syntax error", err: ErrSyntax, line: 4,
		yaml: "titles:\n  - id: t1\n    duration: 4s\n  bad\n",
	},
}

func TestParseCatalog(t *testing.T) {
	for _, tc := range catalogCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCatalog([]byte(tc.yaml), "cat.yaml")
			if tc.want != nil {
				if err != nil {
					t.Fatalf("ParseCatalog() error = %v; want nil", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("ParseCatalog() = %+v; want %+v", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCatalog() = %+v; want error %v", got, tc.err)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseCatalog() error = %v; want %v", err, tc.err)
			}
			var ce *CatalogError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCatalog() error %T is not a *CatalogError", err)
			}
			if ce.File != "cat.yaml" || ce.Line != tc.line || ce.Field != tc.field {
				t.Errorf("ParseCatalog() error at %s:%d field %q; want cat.yaml:%d field %q (%v)", ce.File, ce.Line, ce.Field, tc.line, tc.field, err)
			}
			if !strings.HasPrefix(err.Error(), "cat.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestLoadCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(catalogCases[0].yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCatalog(path)
	if err != nil || len(c.Titles) != 1 {
		t.Fatalf("LoadCatalog() = %v, %v; want one title", c, err)
	}
	if _, err := LoadCatalog(filepath.Join(t.TempDir(), "none.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadCatalog(missing) error = %v; want ErrNotExist", err)
	}
}

func TestDefaultCatalog(t *testing.T) {
	c := DefaultCatalog(3)
	if len(c.Titles) != 3 || c.Titles[2].ID != "t3" {
		t.Fatalf("DefaultCatalog(3) titles = %+v", c.Titles)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("DefaultCatalog(3).Validate() = %v", err)
	}
	if got, ok := c.Title("t2"); !ok || got.Seed != 2 {
		t.Errorf("Title(t2) = %+v, %v", got, ok)
	}
	if err := DefaultCatalog(0).Validate(); !errors.Is(err, ErrEmptyCatalog) {
		t.Errorf("DefaultCatalog(0).Validate() = %v; want ErrEmptyCatalog", err)
	}
}

func TestCatalogValidate(t *testing.T) {
	ok := Title{ID: "a", Duration: 10 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{500}}
	tests := []struct {
		name  string
		cat   Catalog
		field string
	}{
		{"duplicate ids", Catalog{Titles: []Title{ok, ok}}, "titles[1].id"},
		{"bad title", Catalog{Titles: []Title{ok, {ID: "b"}}}, "titles[1].duration"},
		{"variability", Catalog{Titles: []Title{{ID: "a", Duration: 10 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{500}, Variability: 3}}}, "titles[0].variability"},
		{"audio", Catalog{Titles: []Title{{ID: "a", Duration: 10 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{500}, AudioKbps: 2}}}, "titles[0].audio_kbps"},
	}
	for _, tc := range tests {
		var ce *CatalogError
		err := tc.cat.Validate()
		if !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: Validate() = %v; want a CatalogError on %s", tc.name, err, tc.field)
		}
	}
}

func TestParseResolution(t *testing.T) {
	for in, want := range map[string]Resolution{"640x360": {640, 360}, " 1920X1080 ": {1920, 1080}} {
		if got, err := ParseResolution(in); err != nil || got != want {
			t.Errorf("ParseResolution(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "640", "640x", "-1x5", "axb"} {
		if _, err := ParseResolution(in); err == nil {
			t.Errorf("ParseResolution(%q) = nil error; want error", in)
		}
	}
}

// FuzzParseCatalog checks that the parser never panics and that whatever
// it accepts is a valid catalog that builds.
func FuzzParseCatalog(f *testing.F) {
	for _, tc := range catalogCases {
		f.Add([]byte(tc.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog(data, "fuzz.yaml")
		if err != nil {
			var ce *CatalogError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CatalogError", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted catalog does not validate: %v", err)
		}
		for _, ti := range c.Titles {
			// Keep the build cheap: only small titles.
			if ti.Duration/ti.SegmentDuration > 200 || ti.Duration > 10*time.Minute {
				continue
			}
			if ti.Encryption != Clear {
				ti.Protection = NewProtection("https://keys.example/k", "")
			}
			if _, err := Build(ti); err != nil {
				t.Fatalf("Build(%s) = %v", ti.ID, err)
			}
		}
	})
}
