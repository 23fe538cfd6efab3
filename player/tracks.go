package player

import (
	"errors"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// ErrNoTrack is returned by SelectAudio for an ID that names no
// selectable audio track (see Tracks), and when the audio is muxed into
// the video renditions, so there is nothing to choose.
var ErrNoTrack = errors.New("player: no such track")

// TrackInfo describes one track of the presentation for track menus:
// a video adaptation set, an audio track (HLS EXT-X-MEDIA TYPE=AUDIO
// alternate, DASH audio AdaptationSet) or a text track.
type TrackInfo struct {
	ID       string   `json:"id"`                 // stable within the presentation; what SelectAudio takes
	Type     string   `json:"type"`               // "video", "audio" or "text"
	Lang     string   `json:"lang,omitempty"`     // BCP 47 (or ISO 639-2 as the packager wrote it)
	Name     string   `json:"name,omitempty"`     // HLS NAME, DASH Label
	Roles    []string `json:"roles,omitempty"`    // DASH Role values, HLS CHARACTERISTICS
	Codecs   string   `json:"codecs,omitempty"`   // RFC 6381
	Channels int      `json:"channels,omitempty"` // audio channels; 0 when not given
	Default  bool     `json:"default,omitempty"`  // HLS DEFAULT=YES, DASH Role main
	Selected bool     `json:"selected"`           // being played (text: shown, see SelectText)
	// Kind is "captions" for closed captions carried in the video
	// (CEA-608, IDs "CC1" to "CC4"); empty for the other tracks.
	Kind string `json:"kind,omitempty"`
}

// Tracks lists the video, audio and text tracks of the period being
// played, in manifest order, then the closed captions in the video (nil
// before the presentation is known). For
// HLS, the audio tracks are those of the audio group the video variants
// use.
func (c *Core) Tracks() []TrackInfo {
	if c.pres == nil || len(c.pres.Periods) == 0 {
		return nil
	}
	v, a := &c.tracks[0], &c.tracks[1]
	period := 0
	switch {
	case v.active:
		period = v.period
	case a.active:
		period = a.period
	}
	pd := &c.pres.Periods[period]
	var out []TrackInfo
	for i := range pd.Sets {
		s := &pd.Sets[i]
		if !c.listed(pd, i) {
			continue
		}
		ti := TrackInfo{ID: s.ID, Type: s.Type.String(), Lang: s.Lang, Name: s.Name, Roles: s.Roles,
			Codecs: s.Codecs, Channels: s.Channels, Default: s.Default}
		switch s.Type {
		case manifest.Video:
			ti.Selected = v.active && v.period == period && v.set == i
			if ti.Codecs == "" && len(s.Renditions) > 0 {
				ti.Codecs = s.Renditions[0].Codecs
			}
			ti.Codecs = videoCodecs(ti.Codecs)
		case manifest.Audio:
			ti.Selected = a.active && a.period == period && a.set == i
			if ti.Codecs == "" {
				ti.Codecs = audioCodecs(pd, s)
			}
		}
		out = append(out, ti)
	}
	for _, cc := range pd.Captions {
		out = append(out, TrackInfo{ID: captionID(cc.Channel), Type: "text", Kind: "captions", Lang: cc.Lang,
			Name: cc.Name, Default: cc.Default})
	}
	return out
}

// listed reports whether set i of pd is a track Tracks shows: playable
// video, audio that can be chosen (HLS: of the group in use, with its own
// playlist) and text.
func (c *Core) listed(pd *manifest.Period, i int) bool {
	s := &pd.Sets[i]
	switch s.Type {
	case manifest.Video:
		return hasPlayable(s)
	case manifest.Audio:
		return c.selectableAudio(pd, i, c.audioGroup(pd))
	case manifest.Text:
		return true
	}
	return false
}

// audioGroup is the HLS audio group of the video variants ("" for DASH or
// variants that name none).
func (c *Core) audioGroup(pd *manifest.Period) string {
	if c.pres.Format != manifest.FormatHLS {
		return ""
	}
	if a := &c.tracks[1]; a.active && a.set < len(pd.Sets) {
		return pd.Sets[a.set].GroupID
	}
	for i := range pd.Sets {
		if s := &pd.Sets[i]; s.Type == manifest.Video && hasPlayable(s) && len(s.Renditions) > 0 {
			return s.Renditions[0].AudioGroup
		}
	}
	return ""
}

// selectableAudio reports whether set i of pd is an audio track that can
// be played on its own (in group, for HLS, when group is not "").
func (c *Core) selectableAudio(pd *manifest.Period, i int, group string) bool {
	s := &pd.Sets[i]
	if s.Type != manifest.Audio || len(s.Renditions) == 0 {
		return false
	}
	if c.pres.Format == manifest.FormatDASH {
		return true
	}
	return (group == "" || s.GroupID == group) && s.Renditions[0].PlaylistURI != ""
}

// audioCodecs finds the audio codec of an HLS alternate in the CODECS of
// the variants that use its group.
func audioCodecs(pd *manifest.Period, s *manifest.AdaptationSet) string {
	if len(s.Renditions) > 0 && s.Renditions[0].Codecs != "" {
		return s.Renditions[0].Codecs
	}
	for i := range pd.Sets {
		for _, r := range pd.Sets[i].Renditions {
			if r.Type != manifest.Video || r.AudioGroup != s.GroupID || s.GroupID == "" {
				continue
			}
			for _, c := range strings.Split(r.Codecs, ",") {
				if c = strings.TrimSpace(c); isAudioCodec(c) {
					return c
				}
			}
		}
	}
	return ""
}

// isAudioCodec reports whether an RFC 6381 codec string names audio.
func isAudioCodec(c string) bool {
	for _, p := range []string{"mp4a", "ac-3", "ec-3", "ac-4", "opus", "Opus", "flac", "fLaC", "alac", "dts", "mp3"} {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// videoCodecs drops the audio codecs from a variant's CODECS.
func videoCodecs(codecs string) string {
	var keep []string
	for _, c := range strings.Split(codecs, ",") {
		if c = strings.TrimSpace(c); c != "" && !isAudioCodec(c) {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, ",")
}

// SelectAudio switches to the audio track id (a TrackInfo.ID of Tracks).
// The switch happens at the next segment boundary: the audio already
// buffered plays out, the segment being downloaded is kept, and the new
// track is loaded from the end of the buffer, so playback does not stall.
// Before the presentation is known it fails with ErrNotLoaded.
func (c *Core) SelectAudio(id string) error {
	if c.pres == nil {
		return ErrNotLoaded
	}
	a := &c.tracks[1]
	if !a.active {
		return ErrNoTrack
	}
	pd := &c.pres.Periods[a.period]
	group := c.audioGroup(pd)
	for i := range pd.Sets {
		if pd.Sets[i].ID != id || !c.selectableAudio(pd, i, group) {
			continue
		}
		c.user.audioPending, c.user.audioSet = i != a.set, i
		return nil
	}
	return ErrNoTrack
}

// SetPreferredAudioLanguage sets the language of the audio track chosen
// when the presentation loads (a later SelectAudio overrides it).
func (c *Core) SetPreferredAudioLanguage(lang string) { c.user.audioLang = lang }

// switchAudio applies a pending SelectAudio once the audio track has no
// request in flight: the track is bound to the new set, keeping its
// buffer, so the next request continues from the buffer's end.
func (c *Core) switchAudio(now time.Duration) {
	a := &c.tracks[1]
	if !c.user.audioPending || !a.active || a.req >= 0 || a.plReq >= 0 {
		return
	}
	c.user.audioPending = false
	if c.user.audioSet == a.set {
		return
	}
	from := c.pres.Periods[a.period].Sets[a.set].ID
	c.bind(now, 1, a.period, c.user.audioSet)
	a.retryAt, a.fails, a.ended = 0, 0, false
	to := &c.pres.Periods[a.period].Sets[a.set]
	c.emit(Event{Kind: EventTrackSwitch, Track: TrackAudio, FromTrackID: from, TrackID: to.ID, Reason: "select"})
}

// preferredAudio returns the audio set to start with: the first set in
// def's group whose language matches the preference (a default one
// first), else def.
func (c *Core) preferredAudio(pd *manifest.Period, def int) int {
	if c.user.audioLang == "" || def < 0 {
		return def
	}
	group := ""
	if c.pres.Format == manifest.FormatHLS {
		group = pd.Sets[def].GroupID
	}
	best := -1
	for i := range pd.Sets {
		if !c.selectableAudio(pd, i, group) || !langMatch(pd.Sets[i].Lang, c.user.audioLang) {
			continue
		}
		if best < 0 || (pd.Sets[i].Default && !pd.Sets[best].Default) {
			best = i
		}
	}
	if best < 0 {
		return def
	}
	return best
}

// langMatch reports whether a track language matches a wanted one:
// equal ignoring case, the same primary subtag ("fr-CA" and "fr"), or
// the ISO 639-1 and 639-2 codes of one language ("fr", "fra", "fre").
func langMatch(have, want string) bool {
	if have == "" || want == "" {
		return false
	}
	h, w := primaryLang(have), primaryLang(want)
	return h == w
}

// primaryLang is the lower-case primary subtag, two-letter where known.
func primaryLang(tag string) string {
	p, _, _ := strings.Cut(strings.ToLower(tag), "-")
	p, _, _ = strings.Cut(p, "_")
	if two, ok := iso639to1[p]; ok {
		return two
	}
	return p
}

// iso639to1 maps common ISO 639-2 (B and T) codes to ISO 639-1.
var iso639to1 = map[string]string{
	"eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
	"por": "pt", "nld": "nl", "dut": "nl", "jpn": "ja", "zho": "zh", "chi": "zh", "kor": "ko",
	"rus": "ru", "ara": "ar", "hin": "hi", "swe": "sv", "nor": "no", "dan": "da", "fin": "fi",
	"pol": "pl", "tur": "tr", "ces": "cs", "cze": "cs", "ell": "el", "gre": "el", "heb": "he",
	"hun": "hu", "ukr": "uk", "vie": "vi", "tha": "th", "ind": "id", "cat": "ca", "ron": "ro", "rum": "ro",
}

// Tracks lists the video, audio and text tracks of the presentation with
// the ones being played marked Selected (nil before Load returns).
func (p *Player) Tracks() []TrackInfo {
	p.mu.Lock()
	ts := p.core.Tracks()
	p.mu.Unlock()
	if id := p.TextTrack(); id != "" {
		for i := range ts {
			ts[i].Selected = ts[i].Selected || ts[i].Type == "text" && ts[i].ID == id
		}
	}
	return ts
}

// SelectAudio switches to the audio track id (a TrackInfo.ID of Tracks)
// at the next segment boundary: the buffered audio of the old track plays
// out and the new one is loaded from the end of the buffer, so playback
// does not stall; an EventTrackSwitch marks the moment. It returns
// ErrNotLoaded before Load returns and ErrNoTrack for an unknown ID or
// when the audio is muxed into the video.
func (p *Player) SelectAudio(id string) error {
	return p.locked(func(c *Core) error { return c.SelectAudio(id) })
}

// inLadder reports whether rendition i of set belongs on its ladder: not
// an I-frame rendition, and in a video set not an audio-only variant
// when the set has video ones (HLS packagers list the audio alternates as
// variants too; played as "video" they would duplicate the audio track).
func inLadder(set *manifest.AdaptationSet, i int) bool {
	r := &set.Renditions[i]
	if r.IFrameOnly {
		return false
	}
	if set.Type != manifest.Video || r.Type != manifest.Audio {
		return true
	}
	for j := range set.Renditions {
		if set.Renditions[j].Type == manifest.Video && !set.Renditions[j].IFrameOnly {
			return false
		}
	}
	return true
}
