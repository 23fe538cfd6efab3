package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// selectText shows text track id ("" turns subtitles off).
func (s *session) selectText(id string) error {
	p, err := s.player()
	if err != nil {
		return err
	}
	return p.SelectText(id)
}

// cueJSON is one cue in abrkit_player_cues_json.
type cueJSON struct {
	Start float64 `json:"start_seconds"`
	End   float64 `json:"end_seconds"`
	Text  string  `json:"text"`
	ID    string  `json:"id,omitempty"`
	// Settings are WebVTT cue settings; Region the TTML or WebVTT region.
	Settings string `json:"settings,omitempty"`
	Region   string `json:"region,omitempty"`
}

// cuesJSON lists the cues of the shown text track active at pos (the
// playhead when pos < 0); [] before load or without subtitles.
func (s *session) cuesJSON(pos time.Duration) ([]byte, error) {
	out := []cueJSON{}
	p, err := s.player()
	switch err {
	case nil:
		if pos < 0 {
			pos = p.Position()
		}
		for _, c := range p.Cues(pos) {
			end := c.End
			if end == text.Unbounded {
				end = c.Start // open-ended: JSON has no infinity
			}
			out = append(out, cueJSON{Start: c.Start.Seconds(), End: end.Seconds(), Text: c.Text, ID: c.ID,
				Settings: c.Settings, Region: c.Region})
		}
	case errNotLoaded:
	default:
		return nil, err
	}
	return json.Marshal(out)
}

// thumbnail returns the seek-bar thumbnail of pos.
func (s *session) thumbnail(pos time.Duration) (player.Thumbnail, error) {
	p, err := s.player()
	if err != nil {
		return player.Thumbnail{}, err
	}
	return p.ThumbnailContext(context.Background(), pos)
}
