package download

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// itemKind tells how an item is verified.
type itemKind uint8

const (
	kindInit  itemKind = iota + 1 // fMP4 init segment
	kindMedia                     // media segment; fMP4 when its track has an init
	kindTS                        // MPEG-TS media segment
	kindOther                     // subtitles and anything else: size only
)

// item is one file of a download.
type item struct {
	Key    string        `json:"k"`           // local path, relative to the download folder
	URL    string        `json:"u"`           // remote URL (current signature)
	Offset int64         `json:"o,omitempty"` // byte range in the remote resource
	Length int64         `json:"l,omitempty"` // 0: to the end
	Kind   itemKind      `json:"t"`
	Dur    time.Duration `json:"d,omitempty"`  // media duration from the manifest
	Init   string        `json:"i,omitempty"`  // key of the init segment that describes it
	Track  int           `json:"r"`            // index into plan.Tracks
	KeyURI string        `json:"ku,omitempty"` // HLS AES-128, SAMPLE-AES: the key URI; stored encrypted
	IV     string        `json:"iv,omitempty"` // HLS AES-128: the IV, 32 hex digits
	Method string        `json:"km,omitempty"` // HLS key method when not AES-128 (SAMPLE-AES of fMP4)
}

// size is the exact size when the manifest gives it (byte ranges), else 0.
func (it *item) size() int64 { return it.Length }

// planTrack is one selected rendition as the offline manifest needs it.
type planTrack struct {
	ID        string             `json:"id"`
	Type      manifest.MediaType `json:"type"`
	Bandwidth int                `json:"bandwidth"`
	Width     int                `json:"width,omitempty"`
	Height    int                `json:"height,omitempty"`
	FrameRate float64            `json:"frame_rate,omitempty"`
	Codecs    string             `json:"codecs,omitempty"`
	Lang      string             `json:"lang,omitempty"`
	Name      string             `json:"name,omitempty"`
	Default   bool               `json:"default,omitempty"`
	Target    time.Duration      `json:"target"`
	Items     []int              `json:"items"` // indexes into plan.Items, init first when present
	Disc      []int              `json:"disc,omitempty"`
}

// plan is the list of files a download consists of. It is stored in the
// index so that a resumed download needs no manifest until a signature
// expires.
type plan struct {
	ManifestURL string        `json:"manifest_url"`
	Format      string        `json:"format"`
	Duration    time.Duration `json:"duration"`
	Tracks      []planTrack   `json:"tracks"`
	Items       []item        `json:"items"`
	Estimate    int64         `json:"estimate"`              // bytes: exact ranges plus bandwidth×duration for the rest
	LicenseURL  string        `json:"license_url,omitempty"` // DASH ContentProtection dashif:Laurl
	// Captions are the CEA-608 services the video carries (kept with
	// it), listed again in the offline master playlist.
	Captions []manifest.Captions `json:"captions,omitempty"`
}

// choose picks renditions from the first period according to sel.
func choose(p *manifest.Presentation, sel Selection) (video *manifest.Rendition, audio, text []*manifest.Rendition, err error) {
	if len(p.Periods) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no periods: %w", redact(p.URI), ErrNoTracks)
	}
	if len(p.Periods) > 1 {
		return nil, nil, nil, fmt.Errorf("%s: %d periods: %w (one period only)", redact(p.URI), len(p.Periods), ErrUnsupported)
	}
	var videos []*manifest.Rendition
	audioSets := map[string][]*manifest.Rendition{} // lang (or group) -> renditions
	var audioOrder []string
	// HLS packagers (ffmpeg) list each audio alternate's playlist again as
	// an audio-only variant; kept twice, its files would be written twice
	// at once. The alternate, which has the language, is kept.
	alternates := map[string]bool{}
	for _, set := range p.Periods[0].Sets {
		for _, r := range set.Renditions {
			if set.GroupID != "" && r.PlaylistURI != "" {
				alternates[r.PlaylistURI] = true
			}
		}
	}
	for si := range p.Periods[0].Sets {
		set := &p.Periods[0].Sets[si]
		for ri := range set.Renditions {
			r := &set.Renditions[ri]
			typ := r.Type
			if typ == 0 {
				typ = set.Type
			}
			switch typ {
			case manifest.Video:
				if !r.IFrameOnly {
					videos = append(videos, r)
				}
			case manifest.Audio:
				if set.GroupID == "" && alternates[r.PlaylistURI] {
					continue
				}
				lang := r.Lang
				if lang == "" {
					lang = set.Lang
				}
				key := lang + "\x00\x00" + set.GroupID
				if _, ok := audioSets[key]; !ok {
					audioOrder = append(audioOrder, key)
				}
				audioSets[key] = append(audioSets[key], r)
			case manifest.Text:
				if sel.Subtitles && langMatch(firstNonEmpty(r.Lang, set.Lang), sel.SubtitleLangs) {
					text = append(text, r)
				}
			}
		}
	}
	if len(videos) > 0 {
		video = pickVideo(videos, sel)
	}
	for _, key := range audioOrder {
		rs := audioSets[key]
		parts := strings.SplitN(key, "\x00", 3)
		lang, setGroup := parts[0], parts[2]
		if !langMatch(lang, sel.AudioLangs) {
			continue
		}
		// HLS: keep only the audio group the chosen variant refers to.
		if video != nil && video.AudioGroup != "" && setGroup != "" && setGroup != video.AudioGroup {
			continue
		}
		best := rs[0]
		for _, r := range rs[1:] {
			if r.Bandwidth > best.Bandwidth {
				best = r
			}
		}
		if best.PlaylistURI == "" && len(best.Segments) == 0 && best.IndexRange == nil && best.Template == nil {
			continue // HLS audio muxed into the variant
		}
		audio = append(audio, best)
	}
	if video == nil && len(audio) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: %w", redact(p.URI), ErrNoTracks)
	}
	if len(sel.AudioLangs) > 0 && len(audio) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no audio in %v: %w", redact(p.URI), sel.AudioLangs, ErrNoTracks)
	}
	return video, audio, text, nil
}

func pickVideo(vs []*manifest.Rendition, sel Selection) *manifest.Rendition {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Bandwidth < vs[j].Bandwidth })
	var fit []*manifest.Rendition
	for _, r := range vs {
		if sel.MaxHeight > 0 && r.Height > sel.MaxHeight {
			continue
		}
		if sel.MaxBitrate > 0 && r.Bandwidth > sel.MaxBitrate {
			continue
		}
		fit = append(fit, r)
	}
	if len(fit) == 0 {
		return vs[0] // nothing fits the limits: the smallest there is
	}
	if sel.Lowest {
		return fit[0]
	}
	return fit[len(fit)-1]
}

func langMatch(lang string, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if strings.EqualFold(lang, w) || strings.HasPrefix(strings.ToLower(lang), strings.ToLower(w)+"-") {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// buildPlan maps the chosen, loaded renditions to items with safe local paths.
func buildPlan(manifestURL string, p *manifest.Presentation, rs []*manifest.Rendition) (*plan, error) {
	pm, err := newPathMapper(manifestURL)
	if err != nil {
		return nil, err
	}
	b := &planBuilder{pm: pm, pl: &plan{ManifestURL: manifestURL, Format: p.Format.String()}, initKeys: map[string]int{}}
	for ti, r := range rs {
		if err := b.track(ti, r); err != nil {
			return nil, err
		}
	}
	pl := b.pl
	if len(p.Periods) > 0 && slices.ContainsFunc(rs, func(r *manifest.Rendition) bool { return r.Type == manifest.Video }) {
		pl.Captions = p.Periods[0].Captions
	}
	for _, per := range p.Periods {
		for _, s := range per.Sets {
			for _, pr := range s.Protection {
				if pl.LicenseURL == "" {
					pl.LicenseURL = pr.LicenseURL
				}
			}
		}
	}
	for i := range pl.Items {
		pl.Estimate += pl.estimateOf(&pl.Items[i]).n
	}
	return pl, nil
}

// planBuilder adds renditions to a plan.
type planBuilder struct {
	pm       *pathMapper
	pl       *plan
	initKeys map[string]int // key -> item index
}

// track adds rendition r as track ti: its init segments and segments.
func (b *planBuilder) track(ti int, r *manifest.Rendition) error {
	pm, pl, initKeys := b.pm, b.pl, b.initKeys
	var err error
	if !r.Loaded && len(r.Segments) == 0 {
		return fmt.Errorf("rendition %s has no segments: %w", r.ID, ErrUnsupported)
	}
	if r.Template != nil && len(r.Segments) == 0 {
		return fmt.Errorf("rendition %s: live template: %w", r.ID, ErrUnsupported)
	}
	tr := planTrack{
		ID: r.ID, Type: r.Type, Bandwidth: r.Bandwidth, Width: r.Width, Height: r.Height,
		FrameRate: r.FrameRate, Codecs: r.Codecs, Lang: r.Lang, Target: r.TargetDuration,
	}
	var dur time.Duration
	addInit := func(in *manifest.InitSegment, field string) (string, error) {
		off, length := rangeOf(in.Range)
		key, err := pm.local(field, in.URI, rangeName(off, length))
		if err != nil {
			return "", err
		}
		if idx, ok := initKeys[key]; ok {
			if pl.Items[idx].Track == ti {
				return key, nil
			}
		}
		initKeys[key] = len(pl.Items)
		tr.Items = append(tr.Items, len(pl.Items))
		pl.Items = append(pl.Items, item{Key: key, URL: in.URI, Offset: off, Length: length, Kind: kindInit, Track: ti})
		return key, nil
	}
	curInit := ""
	if r.Init != nil {
		if curInit, err = addInit(r.Init, "init of rendition "+r.ID); err != nil {
			return err
		}
	}
	for si := range r.Segments {
		s := &r.Segments[si]
		if s.Gap {
			return fmt.Errorf("rendition %s segment %d is a gap: %w", r.ID, s.Number, ErrUnsupported)
		}
		var keyURI, iv, method string
		if s.Key != nil && s.Key.Method != "" && !strings.EqualFold(s.Key.Method, "NONE") {
			identity := s.Key.KeyFormat == "" || s.Key.KeyFormat == "identity"
			switch {
			case s.Key.Method == "AES-128" && identity:
				if iv, err = segmentIV(s.Key.IV, s.Number); err != nil {
					return fmt.Errorf("rendition %s segment %d: %w", r.ID, s.Number, err)
				}
			case strings.HasPrefix(s.Key.Method, "SAMPLE-AES") && identity && curInit != "":
				method = s.Key.Method // CENC in fMP4: stored and verified as fMP4
			default:
				return fmt.Errorf("rendition %s segment %d is encrypted (%s): %w", r.ID, s.Number, s.Key.Method, ErrUnsupported)
			}
			keyURI = s.Key.URI
		}
		if s.Init != nil && (r.Init == nil || s.Init.URI != r.Init.URI || !sameRange(s.Init.Range, r.Init.Range)) {
			if curInit, err = addInit(s.Init, fmt.Sprintf("init of segment %d of rendition %s", s.Number, r.ID)); err != nil {
				return err
			}
		}
		off, length := rangeOf(s.Range)
		key, err := pm.local(fmt.Sprintf("segment %d of rendition %s", s.Number, r.ID), s.URI, rangeName(off, length))
		if err != nil {
			return err
		}
		kind := kindOther
		switch {
		case curInit != "":
			kind = kindMedia
		case r.Type == manifest.Text:
			kind = kindOther
		case strings.EqualFold(path.Ext(strings.SplitN(s.URI, "?", 2)[0]), ".ts"):
			kind = kindTS
		}
		if keyURI != "" && method == "" {
			kind = kindOther // AES-128: ciphertext, only its size can be checked
		}
		if s.Discontinuity {
			tr.Disc = append(tr.Disc, len(tr.Items))
		}
		tr.Items = append(tr.Items, len(pl.Items))
		pl.Items = append(pl.Items, item{Key: key, URL: s.URI, Offset: off, Length: length, Kind: kind, Dur: s.Duration, Init: curInit, Track: ti, KeyURI: keyURI, IV: iv, Method: method})
		dur += s.Duration
	}
	if tr.Target == 0 {
		for _, i := range tr.Items {
			tr.Target = max(tr.Target, pl.Items[i].Dur)
		}
	}
	if r.Type != manifest.Text {
		pl.Duration = max(pl.Duration, dur)
	}
	pl.Tracks = append(pl.Tracks, tr)
	return nil
}

func rangeOf(br *manifest.ByteRange) (int64, int64) {
	if br == nil {
		return 0, 0
	}
	return br.Offset, br.Length
}

func sameRange(a, b *manifest.ByteRange) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
