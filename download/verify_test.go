package download

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func segmentFixture(t testing.TB) (init, seg []byte, dur time.Duration) {
	t.Helper()
	p, err := packager.Build(packager.Title{ID: "f", Duration: 4 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{200}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	init, err = p.Open("v200/init.mp4")
	if err != nil {
		t.Fatal(err)
	}
	seg, err = p.Open("v200/seg_1.m4s")
	if err != nil {
		t.Fatal(err)
	}
	return init, seg, p.Renditions()[0].SegmentDuration(0)
}

// check runs the streaming checker over data written in chunks of step bytes.
func check(info *initInfo, kind itemKind, size int64, dur time.Duration, data []byte, step int) error {
	ck := newChecker(kind, info, size, dur)
	for len(data) > 0 {
		k := min(step, len(data))
		if _, err := ck.Write(data[:k]); err != nil {
			return err
		}
		data = data[k:]
	}
	return ck.Finish()
}

func TestChecker(t *testing.T) {
	initData, seg, dur := segmentFixture(t)
	info, err := parseInit(initData)
	if err != nil {
		t.Fatal(err)
	}
	corruptMdat := bytes.Clone(seg)
	// Shrink the mdat's size field so the moof promises more than it holds.
	if i := bytes.Index(corruptMdat, []byte("mdat")); i >= 4 {
		n := binary.BigEndian.Uint32(corruptMdat[i-4:])
		binary.BigEndian.PutUint32(corruptMdat[i-4:], n-100)
		corruptMdat = corruptMdat[:len(corruptMdat)-100]
	}
	garbage := bytes.Clone(seg)
	copy(garbage[4:8], "\x00\x01\x02\x03")
	tests := []struct {
		name string
		kind itemKind
		size int64
		dur  time.Duration
		data []byte
		want string // substring of the error; "" for success
	}{
		{"good", kindMedia, 0, dur, seg, ""},
		{"good with size", kindMedia, int64(len(seg)), dur, seg, ""},
		{"truncated", kindMedia, 0, dur, seg[:len(seg)-1], "truncated"},
		{"truncated in header", kindMedia, 0, dur, seg[:3], "truncated"},
		{"size mismatch", kindMedia, int64(len(seg)) + 1, dur, seg, "expected"},
		{"longer than range", kindMedia, int64(len(seg)) - 1, dur, seg, "longer"},
		{"duration mismatch", kindMedia, 0, 3 * dur, seg, "manifest says"},
		{"mdat too small", kindMedia, 0, dur, corruptMdat, "mdat"},
		{"bad box type", kindMedia, 0, dur, garbage, "box"},
		{"empty", kindMedia, 0, dur, nil, "empty"},
		{"init ok", kindInit, 0, 0, initData, ""},
		{"init truncated", kindInit, 0, 0, initData[:len(initData)/2], "init"},
		{"ts ok", kindTS, 0, 0, bytes.Repeat(append([]byte{0x47}, make([]byte, 187)...), 3), ""},
		{"ts sync", kindTS, 0, 0, make([]byte, 188), "sync"},
		{"ts partial packet", kindTS, 0, 0, append([]byte{0x47}, make([]byte, 100)...), "inside a packet"},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 7, 4096, 1 << 20} {
			err := check(info, tt.kind, tt.size, tt.dur, tt.data, step)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s/step %d: check = %v; want ok", tt.name, step, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%s/step %d: check = %v; want error containing %q", tt.name, step, err, tt.want)
			}
		}
	}
}

func TestPathMapper(t *testing.T) {
	tests := []struct {
		uri, rng string
		want     string // "" means refused
	}{
		{"seg_1.m4s", "", "media/seg_1.m4s"},
		{"v1/seg_1.m4s?sig=abc", "", "media/v1/seg_1.m4s"},
		{"http://h/s/1/t1/v1/init.mp4", "", "media/v1/init.mp4"},
		{"v1/../v2/a.m4s", "", "media/v2/a.m4s"},
		{"file.mp4", "100-200", "media/file.mp4~100-200"},
		{"../x.m4s", "", ""},
		{"../../../../etc/passwd", "", ""},
		{"/etc/passwd", "", ""},
		{"http://other/s/1/t1/a.m4s", "", ""},
		{"https://h/s/1/t1/a.m4s", "", ""},
		{"v1/", "", ""},
		{"a\\b.m4s", "", ""},
		{"a%00b.m4s", "", ""},
		{"x.m4s.part", "", ""},
		{"a%3Ab.m4s", "", ""},
	}
	for _, tt := range tests {
		pm, err := newPathMapper("http://h/s/1/t1/master.m3u8?x=1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := pm.local("segment", tt.uri, tt.rng)
		if tt.want == "" {
			if !errors.Is(err, ErrUnsafePath) {
				t.Errorf("local(%q) = %q, %v; want ErrUnsafePath", tt.uri, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("local(%q) = %q, %v; want %q", tt.uri, got, err, tt.want)
		}
	}
	pm, _ := newPathMapper("http://h/t/master.m3u8")
	if _, err := pm.local("a", "x.m4s?n=1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := pm.local("b", "x.m4s?n=2", ""); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("two URIs on one path = %v; want ErrUnsafePath", err)
	}
}

func FuzzChecker(f *testing.F) {
	initData, seg, dur := segmentFixture(f)
	info, err := parseInit(initData)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seg, uint16(7))
	f.Add(seg[:200], uint16(1))
	f.Add([]byte("\x00\x00\x00\x08moof\x00\x00\x00\x08mdat"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, step uint16) {
		s := int(step%4096) + 1
		whole := check(info, kindMedia, 0, dur, data, len(data)+1)
		chunked := check(info, kindMedia, 0, dur, data, s)
		if (whole == nil) != (chunked == nil) {
			t.Fatalf("verdict depends on chunking: whole %v, step %d %v", whole, s, chunked)
		}
		_ = check(info, kindInit, 0, 0, data, s)
		_ = check(info, kindTS, 0, 0, data, s)
	})
}

func FuzzPathMapper(f *testing.F) {
	for _, s := range []string{"seg.m4s", "../x", "/etc/passwd", "a/./b", "http://h/t/x", "%2e%2e/x", "a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		pm, err := newPathMapper("http://h/t/master.m3u8")
		if err != nil {
			t.Fatal(err)
		}
		got, err := pm.local("f", uri, "")
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, mediaDir+"/") || strings.Contains("/"+got+"/", "/../") || strings.Contains(got, "//") || strings.Contains(got, "\x00") {
			t.Fatalf("local(%q) = %q escapes or is odd", uri, got)
		}
	})
}
