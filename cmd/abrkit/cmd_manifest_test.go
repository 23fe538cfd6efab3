package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const inspectMaster = `#EXTM3U
#EXT-X-CONTENT-STEERING:SERVER-URI="/steer",PATHWAY-ID="A"
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,PATHWAY-ID="A"
v/720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,PATHWAY-ID="B"
v/360.m3u8?sig=1
`

const inspectMedia = `#EXTM3U
#EXT-X-TARGETDURATION:4
#EXTINF:4,
s1.ts
#EXTINF:4,
s2.ts
#EXTINF:2,
s3.ts
#EXT-X-ENDLIST
`

const inspectMPD = `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" timeShiftBufferDepth="PT10S">
 <Period start="PT0S"><AdaptationSet contentType="video">
  <SegmentTemplate timescale="1" duration="2" media="$RepresentationID$/$Number$.m4s"/>
  <Representation id="v1" bandwidth="1000000"/>
 </AdaptationSet></Period></MPD>`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestManifestInspect(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"master.m3u8":    inspectMaster,
		"v/720.m3u8":     inspectMedia,
		"v/360.m3u8":     inspectMedia,
		"bad.m3u8":       "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:x,\na.ts\n",
		"bad.mpd":        "<MPD type=\"static\" mediaPresentationDuration=\"PT1S\">\n<Period>\n<AdaptationSet>\n<Representation id=\"a\" bandwidth=\"lots\"/></AdaptationSet></Period></MPD>",
		"live.mpd":       inspectMPD,
		"nomedia.m3u8":   strings.Replace(inspectMaster, "v/720.m3u8", "gone.m3u8", 1),
		"notmanifest.md": "hello",
	})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		code int
		out  []string // substrings of stdout
		err  string   // substring of stderr
	}{
		{"hls file", []string{"manifest", "inspect", p("master.m3u8")}, 0, []string{"HLS VOD, duration 10s, 2 renditions, 6 segments", "steering: /steer", "pathways A B"}, ""},
		{"hls url", []string{"manifest", "inspect", srv.URL + "/master.m3u8"}, 0, []string{"6 segments", srv.URL + "/steer"}, ""},
		{"hls missing media", []string{"manifest", "inspect", p("nomedia.m3u8")}, 0, []string{"3 segments", "not loaded", "1 warnings", "gone.m3u8"}, ""},
		{"hls no media", []string{"manifest", "inspect", "--no-media", p("master.m3u8")}, 0, []string{"0 segments"}, ""},
		{"dash live at now", []string{"manifest", "inspect", "--now", "2026-01-01T00:01:00Z", p("live.mpd")}, 0, []string{"DASH live", "6 segments", "time-shift buffer 10s"}, ""},
		{"malformed hls", []string{"manifest", "inspect", p("bad.m3u8")}, 2, nil, "bad.m3u8:3: EXTINF"},
		{"malformed dash", []string{"manifest", "inspect", p("bad.mpd")}, 2, nil, "bad.mpd:4: MPD/Period[0]/AdaptationSet[0]/Representation[0]: bandwidth"},
		{"malformed url", []string{"manifest", "inspect", srv.URL + "/bad.m3u8"}, 2, nil, "/bad.m3u8:3: EXTINF"},
		{"not a manifest", []string{"manifest", "inspect", p("notmanifest.md")}, 2, nil, "neither an HLS playlist nor a DASH MPD"},
		{"missing file", []string{"manifest", "inspect", p("nope.m3u8")}, 1, nil, "no such file"},
		{"http 404", []string{"manifest", "inspect", srv.URL + "/nope.m3u8"}, 1, nil, "404"},
		{"bad format", []string{"manifest", "inspect", "--format", "yaml", p("master.m3u8")}, 2, nil, "--format"},
		{"bad now", []string{"manifest", "inspect", "--now", "yesterday", p("live.mpd")}, 2, nil, "--now"},
		{"no args", []string{"manifest", "inspect"}, 2, nil, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			if code != tt.code {
				t.Fatalf("run(%q) = %d; want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, out.String(), errOut.String())
			}
			for _, s := range tt.out {
				if !strings.Contains(out.String(), s) {
					t.Errorf("run(%q) stdout lacks %q:\n%s", tt.args, s, out.String())
				}
			}
			if !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("run(%q) stderr = %q; want it to contain %q", tt.args, errOut.String(), tt.err)
			}
		})
	}
}

func TestManifestInspectJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{"master.m3u8": inspectMaster, "v/720.m3u8": inspectMedia, "v/360.m3u8": inspectMedia})
	var out, errOut bytes.Buffer
	if code := run([]string{"manifest", "inspect", "--format", "json", filepath.Join(dir, "master.m3u8")}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got struct {
		Format         string  `json:"format"`
		Live           bool    `json:"live"`
		DurationS      float64 `json:"duration_s"`
		RenditionCount int     `json:"rendition_count"`
		SegmentCount   int     `json:"segment_count"`
		Steering       struct {
			ServerURI        string   `json:"server_uri"`
			DefaultPathwayID string   `json:"default_pathway_id"`
			Pathways         []string `json:"pathways"`
		} `json:"steering"`
		Periods []struct {
			Sets []struct {
				Renditions []struct {
					ID        string  `json:"id"`
					Bandwidth int     `json:"bandwidth"`
					Segments  int     `json:"segments"`
					SegmentsS float64 `json:"segments_duration_s"`
					PathwayID string  `json:"pathway_id"`
					Loaded    bool    `json:"loaded"`
				} `json:"renditions"`
			} `json:"sets"`
		} `json:"periods"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if got.Format != "hls" || got.Live || got.DurationS != 10 || got.RenditionCount != 2 || got.SegmentCount != 6 || len(got.Warnings) != 0 {
		t.Errorf("summary = %+v", got)
	}
	if got.Steering.DefaultPathwayID != "A" || len(got.Steering.Pathways) != 2 {
		t.Errorf("steering = %+v", got.Steering)
	}
	r := got.Periods[0].Sets[0].Renditions[1]
	if r.ID != "v1" || r.Bandwidth != 800000 || r.Segments != 3 || r.SegmentsS != 10 || r.PathwayID != "B" || !r.Loaded {
		t.Errorf("rendition v1 = %+v", r)
	}
}
