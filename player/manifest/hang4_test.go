package manifest

import (
	"testing"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
)

func TestHang4(t *testing.T) {
	for _, s := range []string{"\\?xml version=\"1.0\"?>\n<Playlist/>", "x<MPD/>", "<Playlist/>", "x<Playlist/>", "x", "\\", "\\<MPD/>", "<?xml version=\"1.0\"?>\\<MPD/>", "<MPD/>x", "<MPD>\\</MPD>"} {
		done := make(chan error, 1)
		go func() { _, err := mpd.MPDFromBytes([]byte(s)); done <- err }()
		select {
		case err := <-done:
			t.Logf("%q: %v", s, err)
		case <-time.After(time.Second):
			t.Logf("%q: HANG", s)
		}
	}
}
