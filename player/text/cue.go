// Package text parses subtitles into timed cues: WebVTT (with the HLS
// X-TIMESTAMP-MAP), IMSC1/TTML documents and TTML carried in fMP4
// ('stpp' samples).
package text

import (
	"errors"
	"sort"
	"time"
)

// Limits bound what a parser accepts from one document.
const (
	MaxDocumentBytes = 4 << 20 // bytes of one subtitle file or segment
	MaxCues          = 20000   // cues of one document
	MaxCueText       = 8 << 10 // bytes of one cue's text
)

var (
	// ErrTooLarge is returned for a document over MaxDocumentBytes or with
	// more than MaxCues cues.
	ErrTooLarge = errors.New("text: document too large")
	// ErrSyntax is wrapped by the errors for documents that are not
	// WebVTT or TTML at all.
	ErrSyntax = errors.New("text: syntax error")
)

// Cue is one subtitle shown from Start until End (media time, the
// timeline the player's position is counted in).
type Cue struct {
	Start time.Duration `json:"start_ns"`
	End   time.Duration `json:"end_ns"`
	ID    string        `json:"id,omitempty"`
	// Text is the plain text: markup removed, entities decoded, lines
	// joined with "\n".
	Text string `json:"text"`
	// Settings are the WebVTT cue settings as written ("line:90%
	// align:center"); empty for TTML.
	Settings string `json:"settings,omitempty"`
	// Region is the TTML region (or WebVTT region setting) the cue is in.
	Region string `json:"region,omitempty"`
}

// Active reports whether c is shown at media time at.
func (c Cue) Active(at time.Duration) bool { return at >= c.Start && at < c.End }

// Shift returns cues with d added to their times (Unbounded ends stay
// unbounded).
func Shift(cues []Cue, d time.Duration) []Cue {
	if d == 0 {
		return cues
	}
	out := make([]Cue, len(cues))
	for i, c := range cues {
		c.Start += d
		if c.End != Unbounded {
			c.End += d
		}
		out[i] = c
	}
	return out
}

// Sort orders cues by start, then end, keeping the document order of
// equal ones.
func Sort(cues []Cue) {
	sort.SliceStable(cues, func(i, j int) bool {
		if cues[i].Start != cues[j].Start {
			return cues[i].Start < cues[j].Start
		}
		return cues[i].End < cues[j].End
	})
}
