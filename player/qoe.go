package player

import "time"

// QoE is the quality-of-experience account of one session. Durations are
// given both as Go durations (for code) and in JSON as seconds.
type QoE struct {
	StartupTime     time.Duration `json:"-"`
	StartupSeconds  float64       `json:"startup_seconds"` // from Load to the first frame
	Started         bool          `json:"started"`         // a first frame happened
	Stalls          int           `json:"stalls"`          // rebuffering events after start-up (seeks excluded)
	StallTime       time.Duration `json:"-"`               //
	StallSeconds    float64       `json:"stall_seconds"`   // total rebuffering time
	RebufferRatio   float64       `json:"rebuffer_ratio"`  // stall time / (play time + stall time)
	PlayTime        time.Duration `json:"-"`               //
	PlaySeconds     float64       `json:"play_seconds"`    // time the playhead advanced
	AvgBitrate      float64       `json:"avg_bitrate"`     // time-weighted video bitrate played, bits/s
	Switches        int           `json:"switches"`        // video rendition changes (start-up excluded)
	SwitchesUp      int           `json:"switches_up"`     //
	SwitchesDown    int           `json:"switches_down"`   //
	ServerChanges   int           `json:"server_changes"`  // steering/failover moves between servers
	Bytes           int64         `json:"bytes"`           // all bytes received, manifests included
	MediaBytes      int64         `json:"media_bytes"`     // init and media segment bytes
	Segments        int           `json:"segments"`        // media segments loaded
	Abandoned       int           `json:"abandoned"`       // downloads abandoned by ABR
	Errors          int           `json:"errors"`          // failed requests (retried or not)
	FatalError      string        `json:"fatal_error,omitempty"`
	Seeks           int           `json:"seeks"`        //
	Ended           bool          `json:"ended"`        // reached the end of the presentation
	LastBitrate     int           `json:"last_bitrate"` // video bitrate at the playhead, bits/s
	LastServer      string        `json:"last_server,omitempty"`
	PositionSeconds float64       `json:"position_seconds"` // playhead when the account was taken
}

// finish fills the derived fields.
func (q *QoE) finish(pos time.Duration) {
	q.StartupSeconds = q.StartupTime.Seconds()
	q.StallSeconds = q.StallTime.Seconds()
	q.PlaySeconds = q.PlayTime.Seconds()
	if t := q.PlayTime + q.StallTime; t > 0 {
		q.RebufferRatio = float64(q.StallTime) / float64(t)
	}
	q.PositionSeconds = pos.Seconds()
}
