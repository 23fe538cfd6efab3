package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/player"
)

// trackFlags are play's quality-control and track flags.
type trackFlags struct {
	audioLang  *string
	level      *string
	minBitrate *string
	maxWidth   *int
	maxHeight  *int
}

func addTrackFlags(c *cobra.Command) trackFlags {
	return trackFlags{
		audioLang:  c.Flags().String("audio-lang", "", "play the audio track in this language (e.g. fr, fra, fr-CA); default: the first"),
		level:      c.Flags().String("level", "auto", "video level: auto (the ABR chooses) or a ladder index held for the whole session (0: lowest bitrate)"),
		minBitrate: c.Flags().String("min-bitrate", "", "keep the ABR at or above this video bitrate, bits/s with optional k/M/G suffix"),
		maxWidth:   c.Flags().Int("max-width", 0, "keep the ABR to renditions at most this wide, pixels (0: no bound)"),
		maxHeight:  c.Flags().Int("max-height", 0, "keep the ABR to renditions at most this tall, pixels (0: no bound)"),
	}
}

// options turns the flags into player options.
func (f trackFlags) options() ([]player.Option, error) {
	var opts []player.Option
	if *f.audioLang != "" {
		opts = append(opts, player.WithPreferredAudioLanguage(*f.audioLang))
	}
	if *f.level != "auto" {
		n, err := strconv.Atoi(*f.level)
		if err != nil || n < 0 {
			return nil, usageErrorf("--level %q: want auto or a level index >= 0", *f.level)
		}
		opts = append(opts, player.WithFixedLevel(n))
	}
	if *f.minBitrate != "" {
		bps, err := player.ParseBitrate(*f.minBitrate)
		if err != nil {
			return nil, usageErrorf("--min-bitrate: %v", err)
		}
		opts = append(opts, player.WithMinBitrate(bps))
	}
	if *f.maxWidth < 0 || *f.maxHeight < 0 {
		return nil, usageErrorf("--max-width and --max-height must not be negative")
	}
	if *f.maxWidth > 0 || *f.maxHeight > 0 {
		opts = append(opts, player.WithMaxResolution(*f.maxWidth, *f.maxHeight))
	}
	return opts, nil
}

// playTracks is the track and quality part of play's report.
type playTracks struct {
	AudioTrack  *player.TrackInfo  `json:"audio_track,omitempty"` // the audio track played last; none when muxed
	Tracks      []player.TrackInfo `json:"tracks,omitempty"`      // every track of the presentation
	Levels      []player.Level     `json:"levels,omitempty"`      // the video ladder, with what the constraints allow
	FixedLevel  *int               `json:"fixed_level,omitempty"` // --level N (clamped to the ladder)
	Constraints player.Constraints `json:"constraints"`           // --min-bitrate, --max-bitrate, --max-width, --max-height
}

// fill reads the tracks, levels and quality control of p.
func (pt *playTracks) fill(p *player.Player) {
	pt.Tracks, pt.Levels, pt.Constraints = p.Tracks(), p.Levels(), p.Constraints()
	for i := range pt.Tracks {
		if tr := pt.Tracks[i]; tr.Type == "audio" && tr.Selected {
			pt.AudioTrack = &tr
		}
	}
	if lvl, ok := p.FixedLevel(); ok {
		if len(pt.Levels) > 0 {
			lvl = min(lvl, len(pt.Levels)-1)
		}
		pt.FixedLevel = &lvl
	}
}

// writeText writes the audio track and fixed level lines of the text report.
func (pt *playTracks) writeText(w io.Writer) error {
	if a := pt.AudioTrack; a != nil {
		if _, err := fmt.Fprintf(w, "%-17s%s (lang %q, name %q)\n", "audio track", a.ID, a.Lang, a.Name); err != nil {
			return err
		}
	}
	if pt.FixedLevel != nil {
		if _, err := fmt.Fprintf(w, "%-17s%d\n", "fixed level", *pt.FixedLevel); err != nil {
			return err
		}
	}
	return nil
}
