package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// maxRecordedCues bounds the cues a play report lists.
const maxRecordedCues = 10000

// textFlags is play's subtitle flag.
type textFlags struct {
	lang *string
}

func addTextFlags(c *cobra.Command) textFlags {
	return textFlags{lang: c.Flags().String("text-lang", "", "show the subtitles in this language (e.g. en, eng) and list the cues shown; default: none")}
}

// recorder returns the cue recorder for a session and its options (none
// without --text-lang).
func (f textFlags) recorder() (*cueRecorder, []player.Option) {
	if *f.lang == "" {
		return nil, nil
	}
	r := &cueRecorder{}
	return r, []player.Option{player.WithTextLanguage(*f.lang), player.WithTextOutput(r)}
}

// shownCue is one cue as the player delivered it.
type shownCue struct {
	ShownAt float64 `json:"shown_at_seconds"` // playhead when it was delivered
	Start   float64 `json:"start_seconds"`
	End     float64 `json:"end_seconds"`
	Text    string  `json:"text"`
}

// cueRecorder is a TextOutput that keeps each cue the first time it is
// shown.
type cueRecorder struct {
	mu   sync.Mutex
	seen map[text.Cue]bool
	cues []shownCue
}

// ShowCues implements player.TextOutput.
func (r *cueRecorder) ShowCues(pos time.Duration, cues []text.Cue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[text.Cue]bool{}
	}
	for _, c := range cues {
		if r.seen[c] || len(r.cues) >= maxRecordedCues {
			continue
		}
		r.seen[c] = true
		r.cues = append(r.cues, shownCue{ShownAt: pos.Seconds(), Start: c.Start.Seconds(), End: c.End.Seconds(), Text: c.Text})
	}
}

// playText is the subtitle part of play's report.
type playText struct {
	TextTrack *player.TrackInfo `json:"text_track,omitempty"` // the text track shown (--text-lang)
	Cues      []shownCue        `json:"cues,omitempty"`       // the cues shown, in order
}

// fill reads the text track shown by p.
func (pt *playText) fill(p *player.Player) {
	for _, tr := range p.Tracks() {
		if tr.Type == "text" && tr.Selected {
			pt.TextTrack = &tr
		}
	}
}

// list returns the cues recorded (nil for a nil recorder).
func (r *cueRecorder) list() []shownCue {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]shownCue(nil), r.cues...)
}

// writeText writes the text track and the cues of the text report.
func (pt *playText) writeText(w io.Writer) error {
	if t := pt.TextTrack; t != nil {
		if _, err := fmt.Fprintf(w, "%-17s%s (lang %q, name %q)\n", "text track", t.ID, t.Lang, t.Name); err != nil {
			return err
		}
	}
	for _, c := range pt.Cues {
		if _, err := fmt.Fprintf(w, "%-17s%.3fs-%.3fs (shown at %.3fs) %s\n", "cue", c.Start, c.End, c.ShownAt,
			strings.ReplaceAll(c.Text, "\n", " / ")); err != nil {
			return err
		}
	}
	return nil
}
