package player

import (
	"fmt"
	"io"

	"github.com/abrkit/abrkit/player/transport"
)

// Body size limits of the real-time driver: a hostile or broken server
// cannot make the player hold more than this per response.
const (
	// MaxManifestBytes caps manifests, media playlists, steering
	// manifests and segment indexes.
	MaxManifestBytes = 32 << 20
	// MinSegmentCap is the least a media or init segment may be, whatever
	// its declared bitrate says.
	MinSegmentCap = 16 << 20
	// SegmentCapFactor: a segment may be this many times its expected
	// size (declared bandwidth x duration, or its byte range).
	SegmentCapFactor = 4
)

// bodyCap is the most bytes the response to a may carry.
func bodyCap(a *Action) int64 {
	if a.Index || (a.Kind != transport.KindMedia && a.Kind != transport.KindInit) {
		return MaxManifestBytes
	}
	return max(MinSegmentCap, SegmentCapFactor*max(a.Size, a.Length))
}

// capWriter passes writes to w (nil: discards them) and fails once more
// than limit bytes arrive.
type capWriter struct {
	w     io.Writer
	n     int64
	limit int64
	kind  transport.Kind
}

func (c *capWriter) Write(p []byte) (int, error) {
	if c.n+int64(len(p)) > c.limit {
		return 0, fmt.Errorf("%w: %s body over %d bytes", ErrTooLarge, c.kind, c.limit)
	}
	c.n += int64(len(p))
	if c.w == nil {
		return len(p), nil
	}
	return c.w.Write(p)
}
