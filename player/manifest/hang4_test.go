package manifest

import (
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
)

func TestHang4(t *testing.T) {
	d := []byte("\\?xml version=\"1.0\"?>\n<Playlist/>")
	_, err := mpd.MPDFromBytes(d)
	t.Logf("%T %v", err, err)
	t.Log(locateXMLError(d, "u", err))
}
