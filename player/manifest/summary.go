package manifest

import (
	"fmt"
	"sync"
	"time"
)

// Summary is a compact, JSON-ready description of a presentation, as
// printed by `abrkit manifest inspect`. Field names are snake_case;
// durations are in seconds.
type Summary struct {
	URI                 string          `json:"uri"`
	Format              string          `json:"format"`
	Live                bool            `json:"live"`
	DurationS           float64         `json:"duration_s"`
	AvailabilityStart   string          `json:"availability_start_time,omitempty"`
	TimeShiftBufferS    float64         `json:"time_shift_buffer_depth_s,omitempty"`
	MinUpdatePeriodS    float64         `json:"min_update_period_s,omitempty"`
	SuggestedDelayS     float64         `json:"suggested_presentation_delay_s,omitempty"`
	MinBufferTimeS      float64         `json:"min_buffer_time_s,omitempty"`
	IndependentSegments bool            `json:"independent_segments"`
	Steering            *SteeringView   `json:"steering,omitempty"`
	Locations           []string        `json:"locations,omitempty"`
	SessionKeys         int             `json:"session_keys,omitempty"`
	Periods             []PeriodSummary `json:"periods"`
	RenditionCount      int             `json:"rendition_count"`
	SegmentCount        int             `json:"segment_count"`
	UnloadedRenditions  int             `json:"unloaded_renditions"`
	Warnings            []string        `json:"warnings"`
}

// SteeringView is the content-steering part of a Summary.
type SteeringView struct {
	ServerURI        string   `json:"server_uri"`
	DefaultPathwayID string   `json:"default_pathway_id,omitempty"`
	QueryBeforeStart bool     `json:"query_before_start,omitempty"`
	ProxyServerURL   string   `json:"proxy_server_url,omitempty"`
	Pathways         []string `json:"pathways,omitempty"` // HLS PATHWAY-IDs / DASH serviceLocations seen
}

// PeriodSummary describes one period.
type PeriodSummary struct {
	ID        string       `json:"id"`
	StartS    float64      `json:"start_s"`
	DurationS float64      `json:"duration_s"`
	Sets      []SetSummary `json:"sets"`
}

// SetSummary describes one adaptation set.
type SetSummary struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	GroupID    string             `json:"group_id,omitempty"`
	Lang       string             `json:"lang,omitempty"`
	Name       string             `json:"name,omitempty"`
	Default    bool               `json:"default,omitempty"`
	Renditions []RenditionSummary `json:"renditions"`
}

// RenditionSummary describes one rendition and its segments.
type RenditionSummary struct {
	ID               string   `json:"id"`
	Type             string   `json:"type"`
	Bandwidth        int      `json:"bandwidth"`
	AverageBandwidth int      `json:"average_bandwidth,omitempty"`
	Width            int      `json:"width,omitempty"`
	Height           int      `json:"height,omitempty"`
	FrameRate        float64  `json:"frame_rate,omitempty"`
	Codecs           string   `json:"codecs,omitempty"`
	IFrameOnly       bool     `json:"iframe_only,omitempty"`
	PlaylistURI      string   `json:"playlist_uri,omitempty"`
	AudioGroup       string   `json:"audio_group,omitempty"`
	SubtitlesGroup   string   `json:"subtitles_group,omitempty"`
	PathwayID        string   `json:"pathway_id,omitempty"`
	BaseURLs         []string `json:"base_urls,omitempty"`
	ServiceLocations []string `json:"service_locations,omitempty"`
	Loaded           bool     `json:"loaded"`
	Segments         int      `json:"segments"`
	SegmentsS        float64  `json:"segments_duration_s"`
	TargetDurationS  float64  `json:"target_duration_s,omitempty"`
	FirstNumber      uint64   `json:"first_segment_number"`
	InitURI          string   `json:"init_uri,omitempty"`
	IndexRange       string   `json:"index_range,omitempty"`
	Encrypted        string   `json:"encryption,omitempty"`  // key method of the first segment
	LowLatency       bool     `json:"low_latency,omitempty"` // LL-HLS parts present
}

// Summarize describes p. It does not modify p.
func Summarize(p *Presentation) Summary {
	s := Summary{
		URI:                 p.URI,
		Format:              p.Format.String(),
		Live:                p.Live,
		DurationS:           p.Duration.Seconds(),
		TimeShiftBufferS:    p.TimeShiftBufferDepth.Seconds(),
		MinUpdatePeriodS:    p.MinUpdatePeriod.Seconds(),
		SuggestedDelayS:     p.SuggestedDelay.Seconds(),
		MinBufferTimeS:      p.MinBufferTime.Seconds(),
		IndependentSegments: p.IndependentSegments,
		Locations:           p.Locations,
		SessionKeys:         len(p.SessionKeys),
		Warnings:            append([]string{}, p.Warnings...),
	}
	if !p.AvailabilityStart.IsZero() {
		s.AvailabilityStart = p.AvailabilityStart.UTC().Format(time.RFC3339Nano)
	}
	pathways := map[string]bool{}
	var pathwayList []string
	addPathway := func(id string) {
		if id != "" && !pathways[id] {
			pathways[id] = true
			pathwayList = append(pathwayList, id)
		}
	}
	for _, per := range p.Periods {
		ps := PeriodSummary{ID: per.ID, StartS: per.Start.Seconds(), DurationS: per.Duration.Seconds()}
		for _, set := range per.Sets {
			ss := SetSummary{ID: set.ID, Type: set.Type.String(), GroupID: set.GroupID, Lang: set.Lang, Name: set.Name, Default: set.Default}
			for i := range set.Renditions {
				r := &set.Renditions[i]
				rs := summarizeRendition(r)
				addPathway(r.PathwayID)
				for _, b := range r.BaseURLs {
					addPathway(b.ServiceLocation)
				}
				s.RenditionCount++
				s.SegmentCount += rs.Segments
				if !r.Loaded {
					s.UnloadedRenditions++
				}
				ss.Renditions = append(ss.Renditions, rs)
			}
			ps.Sets = append(ps.Sets, ss)
		}
		s.Periods = append(s.Periods, ps)
	}
	if p.Steering != nil {
		s.Steering = &SteeringView{
			ServerURI:        p.Steering.ServerURI,
			DefaultPathwayID: p.Steering.DefaultPathwayID,
			QueryBeforeStart: p.Steering.QueryBeforeStart,
			ProxyServerURL:   p.Steering.ProxyServerURL,
			Pathways:         pathwayList,
		}
	}
	return s
}

func summarizeRendition(r *Rendition) RenditionSummary {
	rs := RenditionSummary{
		ID: r.ID, Type: r.Type.String(), Bandwidth: r.Bandwidth, AverageBandwidth: r.AverageBandwidth,
		Width: r.Width, Height: r.Height, FrameRate: r.FrameRate, Codecs: r.Codecs, IFrameOnly: r.IFrameOnly,
		PlaylistURI: r.PlaylistURI, AudioGroup: r.AudioGroup, SubtitlesGroup: r.SubtitlesGroup, PathwayID: r.PathwayID,
		Loaded: r.Loaded, Segments: len(r.Segments), TargetDurationS: r.TargetDuration.Seconds(),
		LowLatency: r.PartTarget > 0 || len(r.PendingParts) > 0,
	}
	for _, b := range r.BaseURLs {
		rs.BaseURLs = append(rs.BaseURLs, b.URL)
		if b.ServiceLocation != "" {
			rs.ServiceLocations = append(rs.ServiceLocations, b.ServiceLocation)
		}
	}
	var d time.Duration
	for i := range r.Segments {
		d += r.Segments[i].Duration
	}
	rs.SegmentsS = d.Seconds()
	if len(r.Segments) > 0 {
		rs.FirstNumber = r.Segments[0].Number
		if k := r.Segments[0].Key; k != nil {
			rs.Encrypted = k.Method
		}
	}
	if r.Init != nil {
		rs.InitURI = r.Init.URI
	}
	if r.IndexRange != nil {
		rs.IndexRange = fmt.Sprintf("%d-%d", r.IndexRange.Offset, r.IndexRange.Offset+r.IndexRange.Length-1)
	}
	return rs
}

// Fetcher returns the bytes at uri (a URL or file path).
type Fetcher func(uri string) ([]byte, error)

// LoadMediaPlaylists fetches and applies the media playlist of every HLS
// rendition of p that is not loaded, with at most parallel fetches at a
// time. It modifies p, so it is for tools that own p (such as inspect),
// not for presentations shared between players. Renditions that cannot be
// fetched or parsed stay unloaded and are reported as warnings in
// p.Warnings. Afterwards p.Live and p.Duration reflect the media
// playlists (live if any is; duration of the longest).
func LoadMediaPlaylists(p *Presentation, fetch Fetcher, parallel int) {
	if p.Format != FormatHLS || len(p.Periods) == 0 {
		return
	}
	if parallel < 1 {
		parallel = 1
	}
	type job struct {
		r   *Rendition
		err error
		m   *MediaPlaylist
	}
	var jobs []*job
	for si := range p.Periods[0].Sets {
		set := &p.Periods[0].Sets[si]
		for ri := range set.Renditions {
			r := &set.Renditions[ri]
			if !r.Loaded && r.PlaylistURI != "" {
				jobs = append(jobs, &job{r: r})
			}
		}
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(j *job) {
			defer wg.Done()
			defer func() { <-sem }()
			data, err := fetch(j.r.PlaylistURI)
			if err != nil {
				j.err = fmt.Errorf("media playlist %s of rendition %s not loaded: %w", j.r.PlaylistURI, j.r.ID, err)
				return
			}
			j.m, j.err = ParseHLSMediaWithVars(data, j.r.PlaylistURI, p.Variables)
		}(j)
	}
	wg.Wait()
	live := false
	var longest time.Duration
	for _, j := range jobs {
		if j.err != nil {
			p.Warnings = append(p.Warnings, j.err.Error())
			continue
		}
		j.r.ApplyMedia(j.m)
		p.Warnings = append(p.Warnings, j.m.Warnings...)
		if !j.m.EndList {
			live = true
		}
		if j.m.Duration > longest && !j.r.IFrameOnly {
			longest = j.m.Duration
		}
		if j.m.IndependentSegments {
			p.IndependentSegments = true
		}
	}
	loaded := len(jobs) > 0
	for _, j := range jobs {
		if j.err != nil {
			loaded = false
		}
	}
	if loaded || live {
		p.Live = live
	}
	if !p.Live && longest > 0 {
		p.Duration = longest
		p.Periods[0].Duration = longest
	}
}
