package download

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseQuality(t *testing.T) {
	tests := []struct {
		in   string
		want Selection
		err  bool
	}{
		{"", Selection{}, false},
		{"best", Selection{}, false},
		{"worst", Selection{Lowest: true}, false},
		{"720p", Selection{MaxHeight: 720}, false},
		{"1500k", Selection{MaxBitrate: 1500000}, false},
		{"2.5M", Selection{MaxBitrate: 2500000}, false},
		{"800000", Selection{MaxBitrate: 800000}, false},
		{"hd", Selection{}, true},
		{"-3p", Selection{}, true},
	}
	for _, tt := range tests {
		got, err := ParseQuality(tt.in)
		if (err != nil) != tt.err || !tt.err && (got.MaxHeight != tt.want.MaxHeight || got.MaxBitrate != tt.want.MaxBitrate || got.Lowest != tt.want.Lowest) {
			t.Errorf("ParseQuality(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"100", 100, false}, {"2GB", 2e9, false}, {"1.5 MB", 1.5e6, false}, {"1GiB", 1 << 30, false},
		{"512MiB", 512 << 20, false}, {"10k", 1e4, false}, {"x", 0, true}, {"-1", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSelection(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	tests := []struct {
		name  string
		sel   Selection
		video string // folder of the chosen video rendition
		err   error
	}{
		{"best", Selection{}, "v600", nil},
		{"worst", Selection{Lowest: true}, "v200", nil},
		{"by height", Selection{MaxHeight: 300}, "v200", nil},
		{"by bitrate", Selection{MaxBitrate: 700000}, "v200", nil},
		{"nothing fits takes the smallest", Selection{MaxHeight: 100}, "v200", nil},
		{"audio language", Selection{AudioLangs: []string{"und"}}, "v600", nil},
		{"missing language", Selection{AudioLangs: []string{"fr"}}, "", ErrNoTracks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := loadPlan(context.Background(), NewFetcher(nil), o.url("master.m3u8"), tt.sel, DefaultMaxFiles)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("loadPlan = %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var video, audio int
			for _, it := range pl.Items {
				switch {
				case strings.HasPrefix(it.Key, "media/"+tt.video+"/"):
					video++
				case strings.HasPrefix(it.Key, "media/a128/"):
					audio++
				default:
					t.Errorf("unexpected file %s", it.Key)
				}
			}
			if video != 3 || audio != 3 {
				t.Errorf("files: video %d audio %d; want 3 and 3", video, audio)
			}
		})
	}
}

// Subtitles are downloaded only when asked for, filtered by language, and
// appear in the offline master playlist.
func TestSubtitleSelection(t *testing.T) {
	pkg := testTitle(t, 4*time.Second)
	o := newOrigin(t, pkg)
	master, _ := pkg.Open("master.m3u8")
	withSubs := strings.Replace(string(master), "#EXT-X-STREAM-INF:", `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",URI="subs/de.m3u8"
#EXT-X-STREAM-INF:`, 1)
	withSubs = strings.ReplaceAll(withSubs, `AUDIO="aud"`, `AUDIO="aud",SUBTITLES="subs"`)
	o.extra["subs.m3u8"] = []byte(withSubs)
	for _, lang := range []string{"en", "de"} {
		o.extra["subs/"+lang+".m3u8"] = []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.0,\n" + lang + ".vtt\n#EXT-X-ENDLIST\n")
		o.extra["subs/"+lang+".vtt"] = []byte("WEBVTT\n\n00:00.000 --> 00:02.000\nhello " + lang + "\n")
	}
	tests := []struct {
		name string
		sel  Selection
		want []string // subtitle files expected
	}{
		{"none by default", Selection{}, nil},
		{"all", Selection{Subtitles: true}, []string{"media/subs/en.vtt", "media/subs/de.vtt"}},
		{"german", Selection{Subtitles: true, SubtitleLangs: []string{"de"}}, []string{"media/subs/de.vtt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startManager(t, testConfig(t))
			id, _ := m.Add(Request{URL: o.url("subs.m3u8"), Selection: tt.sel})
			d := await(t, m, id)
			if d.State != StateCompleted {
				t.Fatalf("state %s %q", d.State, d.Err)
			}
			pl, _ := m.idx.plan(id)
			var got []string
			for _, it := range pl.Items {
				if strings.HasPrefix(it.Key, "media/subs/") {
					got = append(got, it.Key)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("subtitle files = %v; want %v", got, tt.want)
			}
			off, err := m.Offline(id)
			if err != nil {
				t.Fatal(err)
			}
			defer off.Close()
			data, _ := os.ReadFile(filepath.Join(off.Dir, OfflineManifest))
			if has := strings.Contains(string(data), "TYPE=SUBTITLES"); has != (len(tt.want) > 0) {
				t.Errorf("offline master has subtitles = %v; want %v\n%s", has, len(tt.want) > 0, data)
			}
		})
	}
}
