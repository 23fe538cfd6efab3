package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// conformanceDir holds real-world manifests shared by the team.
const conformanceDir = "../../../shared/data/manifests"

func conformanceFiles(t *testing.T) (valid, invalid []string) {
	t.Helper()
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Skipf("conformance manifests not found at %s: %v", conformanceDir, err)
	}
	err := filepath.WalkDir(conformanceDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".m3u8" && ext != ".mpd" {
			return nil
		}
		if strings.Contains(filepath.ToSlash(p), "/invalid/") {
			invalid = append(invalid, p)
		} else {
			valid = append(valid, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return valid, invalid
}

func TestConformanceValid(t *testing.T) {
	valid, _ := conformanceFiles(t)
	if len(valid) == 0 {
		t.Skip("no manifests")
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, f := range valid {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(data, "https://cdn.example/t/"+filepath.Base(f), WithNow(now))
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", f, err)
			}
			checkUsable(t, p)
		})
	}
}

// checkUsable asserts invariants every parsed presentation must hold.
func checkUsable(t *testing.T, p *Presentation) {
	t.Helper()
	if p.Format != FormatHLS && p.Format != FormatDASH {
		t.Errorf("Format = %v", p.Format)
	}
	if len(p.Periods) == 0 && !(p.Live && len(p.Locations) > 0) {
		t.Errorf("no periods")
	}
	for _, per := range p.Periods {
		for _, s := range per.Sets {
			if s.Type == 0 {
				t.Errorf("set %q has no media type", s.ID)
			}
			for _, r := range s.Renditions {
				if p.Format == FormatHLS && !r.Loaded && r.PlaylistURI == "" {
					t.Errorf("HLS rendition %q neither loaded nor with a playlist URI", r.ID)
				}
				if r.IndexRange != nil && r.MediaURI == "" {
					t.Errorf("rendition %q has an index range but no media URI", r.ID)
				}
				var prev time.Duration = -1
				for i, sg := range r.Segments {
					if sg.URI == "" {
						t.Errorf("rendition %q segment %d has no URI", r.ID, i)
					}
					if sg.Duration < 0 || sg.Start < prev {
						t.Errorf("rendition %q segment %d: start %v after %v, duration %v", r.ID, i, sg.Start, prev, sg.Duration)
					}
					prev = sg.Start
				}
			}
		}
	}
}

func TestConformanceInvalid(t *testing.T) {
	_, invalid := conformanceFiles(t)
	if len(invalid) == 0 {
		t.Skip("no invalid manifests")
	}
	for _, f := range invalid {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data, f)
			assertLocated(t, err)
		})
	}
}

// assertLocated checks that err is a *ParseError that says where.
func assertLocated(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Parse succeeded; want a located error")
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v; want *ParseError", err, err)
	}
	if pe.Line == 0 && pe.Path == "" {
		t.Errorf("error %q has neither line nor path", err)
	}
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("errors.Is(%v, ErrMalformed) = false", err)
	}
}

// TestConformanceSummary pins a one-line summary of every valid
// conformance manifest (golden testdata/golden/conformance.txt), so that a
// change in what the parser makes of real-world input shows up in review.
func TestConformanceSummary(t *testing.T) {
	valid, _ := conformanceFiles(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var b strings.Builder
	for _, f := range valid {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(data, "https://cdn.example/t/"+filepath.Base(f), WithNow(now))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		s := Summarize(p)
		sets := 0
		for _, per := range s.Periods {
			sets += len(per.Sets)
		}
		steer := "-"
		if s.Steering != nil {
			steer = s.Steering.DefaultPathwayID + "@" + s.Steering.ServerURI
		}
		fmt.Fprintf(&b, "%s %s live=%v periods=%d sets=%d renditions=%d segments=%d unloaded=%d duration=%gs steering=%s warnings=%d\n",
			filepath.Base(f), s.Format, s.Live, len(s.Periods), sets, s.RenditionCount, s.SegmentCount, s.UnloadedRenditions, s.DurationS, steer, len(s.Warnings))
	}
	checkGolden(t, "conformance.txt", []byte(b.String()))
}
