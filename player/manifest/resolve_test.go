package manifest

import "testing"

func TestResolve(t *testing.T) {
	tests := []struct {
		base, ref, want string
	}{
		// URL bases.
		{"http://a.example/b/c/master.m3u8", "v/720.m3u8", "http://a.example/b/c/v/720.m3u8"},
		{"http://a.example/b/c/master.m3u8", "../720.m3u8", "http://a.example/b/720.m3u8"},
		{"http://a.example/b/c/master.m3u8", "/root/720.m3u8", "http://a.example/root/720.m3u8"},
		{"http://a.example/b/c/master.m3u8", "//cdn.example/x.ts", "http://cdn.example/x.ts"},
		{"https://a.example/b/master.m3u8", "https://other.example/x.m3u8", "https://other.example/x.m3u8"},
		{"http://a.example/b/master.m3u8?token=1", "720.m3u8", "http://a.example/b/720.m3u8"},
		{"http://a.example/b/master.m3u8?token=1", "720.m3u8?sig=2", "http://a.example/b/720.m3u8?sig=2"},
		{"http://a.example/b/master.m3u8?token=1", "?token=2", "http://a.example/b/master.m3u8?token=2"},
		{"http://a.example/b/", "seg.mp4", "http://a.example/b/seg.mp4"},
		{"http://a.example/b", "seg.mp4", "http://a.example/seg.mp4"},
		{"http://a.example/b/c/", "../../../x", "http://a.example/x"},
		{"http://a.example/b/m.mpd", "", "http://a.example/b/m.mpd"},
		{"http://a.example/b/m.mpd", "data:text/plain,hi", "data:text/plain,hi"},
		{"file:///srv/t/master.m3u8", "a/b.m3u8", "file:///srv/t/a/b.m3u8"},
		// File path bases.
		{"testdata/hls/master.m3u8", "v/720.m3u8", "testdata/hls/v/720.m3u8"},
		{"testdata/hls/master.m3u8", "../720.m3u8", "testdata/720.m3u8"},
		{"master.m3u8", "720.m3u8", "720.m3u8"},
		{"../x/master.m3u8", "../y/720.m3u8", "../y/720.m3u8"},
		{"/srv/t/master.m3u8", "720.m3u8", "/srv/t/720.m3u8"},
		{"/srv/t/master.m3u8", "/abs/720.m3u8", "/abs/720.m3u8"},
		{"/srv/t/master.m3u8", "720.m3u8?x=1", "/srv/t/720.m3u8?x=1"},
		{"/srv/t/master.m3u8", "http://h/x.m3u8", "http://h/x.m3u8"},
		{"/srv/t/", "a/", "/srv/t/a/"},
		{"", "a.ts", "a.ts"},
		{"https://a.example", "x.m3u8", "https://a.example/x.m3u8"},
		{"https://a.example/b/m.m3u8#f", "x.m3u8", "https://a.example/b/x.m3u8"},
		{"https://a.example/b/m.m3u8", "my seg.ts", "https://a.example/b/my%20seg.ts"},
		{"https://a.example/my%20dir/m.m3u8", "x.ts", "https://a.example/my%20dir/x.ts"},
		{"https://u:p@a.example:8443/b/m.m3u8", "../x.ts", "https://u:p@a.example:8443/x.ts"},
		{"https://a.example/b/m.m3u8", "skd://key-1", "skd://key-1"},
		{`C:\t\master.m3u8`, "720.m3u8", `C:\t\720.m3u8`},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.base, tt.ref)
		if err != nil {
			t.Errorf("Resolve(%q, %q) error %v", tt.base, tt.ref, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Resolve(%q, %q) = %q; want %q", tt.base, tt.ref, got, tt.want)
		}
		// The fast path used for segment lists must agree.
		if fast, err := newResolver(tt.base).resolve(tt.ref); err != nil || fast != got {
			t.Errorf("resolver(%q).resolve(%q) = %q, %v; want %q", tt.base, tt.ref, fast, err, got)
		}
	}
}

func TestResolveError(t *testing.T) {
	if _, err := Resolve("http://a.example/m.m3u8", "a%zz.ts"); err == nil {
		t.Errorf("Resolve(base, %q) = nil error; want one", "a%zz.ts")
	}
}
