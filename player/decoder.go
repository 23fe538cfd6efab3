package player

import "time"

// Media is a downloaded init or media segment handed to a Decoder.
type Media struct {
	Track    Track
	Init     bool // an initialisation segment
	Level    int  // rung of the track's ladder, ascending bitrate
	Bitrate  int
	Number   uint64
	Start    time.Duration // on the presentation timeline
	Duration time.Duration
	Data     []byte // valid during the call only
}

// Decoder receives segment bytes in download order per track: the init
// segment before the media that need it. Without a Decoder the player is
// headless: media is counted, not kept, and the playhead advances at
// playback rate by the core's model. A Decoder that renders reads the
// playhead with Player.Position.
type Decoder interface {
	Decode(m Media) error
}

// DecoderFunc adapts a function to a Decoder.
type DecoderFunc func(m Media) error

// Decode calls f(m).
func (f DecoderFunc) Decode(m Media) error { return f(m) }

var _ Decoder = DecoderFunc(nil)
