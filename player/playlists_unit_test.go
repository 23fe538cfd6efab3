package player

import "testing"

// Equal bytes share one parse whatever URL they came from; live lists,
// keys and URIs outside the playlist's directory are not shared; the
// oldest playlist goes once the cache is full.
func TestPlaylistCacheShareable(t *testing.T) {
	vod := []byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\na.m4s\n#EXTINF:2,\nsub/b.m4s?x=1\n#EXTINF:2,\nhttp://other/c.m4s\n#EXT-X-ENDLIST\n")
	c := NewPlaylistCache(2)
	m := c.parse(vod)
	if m == nil || c.parse(append([]byte(nil), vod...)) != m {
		t.Fatalf("equal VOD playlists not shared")
	}
	l := levelState{shared: urlDir(m.URI), base: urlDir("http://edge/s/1/sig/t1/v400/media.m3u8?tok=1")}
	for i, want := range []string{"http://edge/s/1/sig/t1/v400/a.m4s", "http://edge/s/1/sig/t1/v400/sub/b.m4s?x=1", "http://other/c.m4s"} {
		if got := l.abs(m.Segments[i].URI); got != want {
			t.Errorf("segment %d: %q; want %q", i, got, want)
		}
	}
	if got := l.abs(m.Init.URI); got != "http://edge/s/1/sig/t1/v400/init.mp4" {
		t.Errorf("init: %q", got)
	}
	for name, body := range map[string]string{
		"live":   "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.m4s\n",
		"key":    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
		"up":     "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n../a.ts\n#EXT-X-ENDLIST\n",
		"rooted": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/a.ts\n#EXT-X-ENDLIST\n",
		"junk":   "junk",
	} {
		if c.parse([]byte(body)) != nil {
			t.Errorf("%s: shared", name)
		}
	}
	if len(c.m) != 2 {
		t.Errorf("cache of two holds %d playlists", len(c.m))
	}
	if hits, parses := c.Stats(); hits != 1 || parses != 6 {
		t.Errorf("stats %d hits %d parses; want 1, 6", hits, parses)
	}
}
