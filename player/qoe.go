package player

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

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
	// Live is set for live streams (abrkit play reports it at the top level).
	Live bool `json:"-"`
	// LiveLatencySeconds is the mean live latency while playing (the wall
	// clock minus the capture time of the frame played: DASH
	// availabilityStartTime plus presentation time, HLS
	// EXT-X-PROGRAM-DATE-TIME), weighted by play time; LiveLatencyP95Seconds
	// its 95th percentile (to 0.1 s). Zero for VOD and when the stream
	// carries no times.
	LiveLatencySeconds    float64 `json:"live_latency_seconds,omitempty"`
	LiveLatencyP95Seconds float64 `json:"live_latency_p95_seconds,omitempty"`
	// Telemetry beacons posted and dropped (endpoint down, slow or queue
	// full); set by the real-time Player with WithTelemetry.
	TelemetrySent    int `json:"telemetry_sent,omitempty"`
	TelemetryDropped int `json:"telemetry_dropped,omitempty"`
}

// finish fills the derived fields, rounded (seconds and ratios to 1e-6,
// bitrates to 1 bit/s) so that reports are stable.
func (q *QoE) finish(pos time.Duration) {
	q.StartupSeconds = round6(q.StartupTime.Seconds())
	q.StallSeconds = round6(q.StallTime.Seconds())
	q.PlaySeconds = round6(q.PlayTime.Seconds())
	if t := q.PlayTime + q.StallTime; t > 0 {
		q.RebufferRatio = round6(float64(q.StallTime) / float64(t))
	}
	q.PositionSeconds = round6(pos.Seconds())
	q.AvgBitrate = math.Round(q.AvgBitrate)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// WriteText writes the account as an aligned two-column table.
func (q QoE) WriteText(w io.Writer) error {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "started\t%s\n", yes(q.Started))
	fmt.Fprintf(tw, "startup time\t%.3f s\n", q.StartupSeconds)
	fmt.Fprintf(tw, "played\t%.1f s (position %.1f s)\n", q.PlaySeconds, q.PositionSeconds)
	if q.LiveLatencySeconds > 0 {
		fmt.Fprintf(tw, "live latency\t%.2f s mean, %.1f s p95\n", q.LiveLatencySeconds, q.LiveLatencyP95Seconds)
	}
	fmt.Fprintf(tw, "stalls\t%d (%.3f s, rebuffer ratio %.4f)\n", q.Stalls, q.StallSeconds, q.RebufferRatio)
	fmt.Fprintf(tw, "average bitrate\t%s\n", FormatBitrate(q.AvgBitrate))
	fmt.Fprintf(tw, "last bitrate\t%s\n", FormatBitrate(float64(q.LastBitrate)))
	fmt.Fprintf(tw, "switches\t%d (up %d, down %d)\n", q.Switches, q.SwitchesUp, q.SwitchesDown)
	fmt.Fprintf(tw, "server changes\t%d\n", q.ServerChanges)
	if q.LastServer != "" {
		fmt.Fprintf(tw, "server\t%s\n", q.LastServer)
	}
	fmt.Fprintf(tw, "bytes\t%d (media %d, %d segments)\n", q.Bytes, q.MediaBytes, q.Segments)
	fmt.Fprintf(tw, "abandoned\t%d\n", q.Abandoned)
	fmt.Fprintf(tw, "seeks\t%d\n", q.Seeks)
	fmt.Fprintf(tw, "errors\t%d\n", q.Errors)
	if q.TelemetrySent+q.TelemetryDropped > 0 {
		fmt.Fprintf(tw, "telemetry\t%d sent, %d dropped\n", q.TelemetrySent, q.TelemetryDropped)
	}
	if q.FatalError != "" {
		fmt.Fprintf(tw, "fatal error\t%s\n", q.FatalError)
	}
	fmt.Fprintf(tw, "ended\t%s\n", yes(q.Ended))
	return tw.Flush()
}
