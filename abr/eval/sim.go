package eval

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/sabre"
	"github.com/abrkit/abrkit/abr/trace"
)

// Sentinel errors.
var (
	ErrUnknownPreset = errors.New("unknown preset")
	ErrDeadTrace     = errors.New("trace has no capacity")
	ErrNoVideo       = errors.New("video has no segments")
	ErrPlotFormat    = errors.New("plot file must end in .png or .svg")
	ErrNoPerTrace    = errors.New("report has no per-trace results")
)

// link walks a trace the way Pensieve's simulator does: sample i is the
// capacity between Time[i-1] and Time[i]; past the end it wraps to the
// interval ending at Time[1] with the clock at 0.
type link struct {
	tr   *trace.Trace
	ptr  int
	last float64 // s
}

func newLink(t *trace.Trace) link { return link{tr: t, ptr: 1, last: t.Time[0]} }

func (l *link) advance() {
	l.last = l.tr.Time[l.ptr]
	l.ptr++
	if l.ptr >= len(l.tr.Time) {
		l.ptr = 1
		l.last = 0
	}
}

// download returns the seconds to deliver size bytes.
func (l *link) download(size, payload float64) float64 {
	delay, sent := 0.0, 0.0
	for {
		thr := l.tr.Mbps[l.ptr] * 1e6 / 8
		dur := l.tr.Time[l.ptr] - l.last
		pkt := thr * dur * payload
		if sent+pkt > size {
			frac := (size - sent) / thr / payload
			delay += frac
			l.last += frac
			return delay
		}
		sent += pkt
		delay += dur
		l.advance()
	}
}

// downloadUpTo delivers at most size bytes within limit seconds and
// returns the bytes sent and the seconds spent.
func (l *link) downloadUpTo(size, payload, limit float64) (sent, elapsed float64) {
	for {
		thr := l.tr.Mbps[l.ptr] * 1e6 / 8
		dur := l.tr.Time[l.ptr] - l.last
		if elapsed+dur > limit {
			part := limit - elapsed
			if c := part * thr * payload; sent+c < size {
				l.last += part
				return sent + c, limit
			}
		}
		if pkt := thr * dur * payload; sent+pkt > size {
			frac := (size - sent) / thr / payload
			l.last += frac
			return size, elapsed + frac
		} else {
			sent += pkt
		}
		elapsed += dur
		l.advance()
	}
}

// sleep lets ms milliseconds pass (Pensieve's arithmetic).
func (l *link) sleep(ms float64) {
	for {
		dur := l.tr.Time[l.ptr] - l.last
		if dur > ms/1000 {
			l.last += ms / 1000
			return
		}
		ms -= dur * 1000
		l.last = l.tr.Time[l.ptr]
		l.ptr++
		if l.ptr >= len(l.tr.Time) {
			l.ptr = 1
			l.last = 0
		}
	}
}

// latencyMs returns the request latency at the link's position.
func (l *link) latencyMs(rtt time.Duration) float64 {
	if l.tr.LatencyMs != nil {
		return l.tr.LatencyMs[l.ptr]
	}
	return float64(rtt) / float64(time.Millisecond)
}

func checkTrace(t *trace.Trace) error {
	if len(t.Time) < 2 || len(t.Mbps) != len(t.Time) || (t.LatencyMs != nil && len(t.LatencyMs) != len(t.Time)) {
		return fmt.Errorf("trace %s: %w", t.Name, ErrDeadTrace)
	}
	bits := 0.0
	for i := 1; i < len(t.Time); i++ {
		if t.Time[i] < t.Time[i-1] || t.Mbps[i] < 0 || math.IsNaN(t.Mbps[i]) {
			return fmt.Errorf("trace %s: sample %d: %w", t.Name, i, trace.ErrRange)
		}
		bits += (t.Time[i] - t.Time[i-1]) * t.Mbps[i]
	}
	// Wrapping restarts at 0, so interval 1 spans from 0 to Time[1].
	bits += t.Time[0] * t.Mbps[1]
	if !(bits > 0) {
		return fmt.Errorf("trace %s: %w", t.Name, ErrDeadTrace)
	}
	return nil
}

// player is the simulated player's state between segments.
type player struct {
	cfg      *Config
	video    *trace.Video
	link     link
	bufferMs float64
	nowMs    float64
}

// step fetches one segment and returns its delay (ms, request to last
// byte), its stall (ms) and the bytes.
func (p *player) step(index, level int) (delayMs, rebufMs, size float64) {
	size = float64(p.video.Sizes[level][index])
	lat := p.link.latencyMs(p.cfg.RTT)
	delayMs = p.link.download(size, p.cfg.Payload)*1000 + lat
	return delayMs, p.arrive(delayMs), size
}

// drain plays ms of media and returns the part the buffer could not cover.
func (p *player) drain(ms float64) (rebufMs float64) {
	rebufMs = math.Max(ms-p.bufferMs, 0)
	p.bufferMs = math.Max(p.bufferMs-ms, 0)
	p.nowMs += ms
	return rebufMs
}

// arrive accounts a segment that took delayMs: the stall, the new media
// and, past the buffer's size, the player's sleep.
func (p *player) arrive(delayMs float64) (rebufMs float64) {
	rebufMs = p.drain(delayMs)
	p.bufferMs += float64(p.video.SegmentDuration) / float64(time.Millisecond)
	maxMs := float64(p.cfg.MaxBuffer) / float64(time.Millisecond)
	if p.cfg.MaxBuffer > 0 && p.bufferMs > maxMs {
		drain := p.bufferMs - maxMs
		sleep := drain
		if step := float64(p.cfg.SleepStep) / float64(time.Millisecond); step > 0 {
			sleep = math.Ceil(drain/step) * step
		}
		p.bufferMs -= sleep
		p.nowMs += sleep
		p.link.sleep(sleep)
	}
	return rebufMs
}

// abandonStep is the progress granularity of downloads that may be
// abandoned (Sabre's 50 ms).
const abandonStep = 0.05 // s

// stepAbandon is step with ab consulted every 50 ms of transfer: an
// abandoned download's time is played out of the buffer (stalling when
// it runs dry) and the segment is fetched again at the level ab names.
func (p *player) stepAbandon(index, level int, st abr.State, ab abr.Abandoner) (lvl int, delayMs, rebufMs, size float64, abandoned int) {
	for {
		size = float64(p.video.Sizes[level][index])
		lat := p.link.latencyMs(p.cfg.RTT)
		sent, elapsed := 0.0, 0.0
		gaveUp := false
		for sent < size {
			s, e := p.link.downloadUpTo(size-sent, p.cfg.Payload, abandonStep)
			sent, elapsed = sent+s, elapsed+e
			if sent >= size {
				break
			}
			spent := elapsed*1000 + lat
			st.Buffer = ms(math.Max(0, p.bufferMs-spent))
			to, ok := ab.Abandon(&st, abr.Progress{Level: level, BytesLoaded: int64(sent), BytesTotal: int64(size), Elapsed: ms(spent)})
			if ok && to >= 0 && to < level {
				rebufMs += p.drain(spent)
				level, gaveUp = to, true
				abandoned++
				break
			}
		}
		if !gaveUp {
			delayMs = elapsed*1000 + lat
			return level, delayMs, rebufMs + p.arrive(delayMs), size, abandoned
		}
	}
}

// ChunkLog is one simulated segment.
type ChunkLog struct {
	Level     int     `json:"level"`
	Bytes     int64   `json:"bytes"`
	DelayS    float64 `json:"delay_s"`
	RebufferS float64 `json:"rebuffer_s"`
	BufferS   float64 `json:"buffer_s"` // after the segment arrived (and any sleep)
	QoE       float64 `json:"qoe"`
}

// TraceResult is one algorithm on one trace.
type TraceResult struct {
	Trace       string  `json:"trace"`
	Subset      string  `json:"subset,omitempty"`
	QoE         float64 `json:"qoe"`
	BitrateKbps float64 `json:"bitrate_kbps"` // mean over scored segments
	RebufferS   float64 `json:"rebuffer_s"`   // total over scored segments
	Switches    int     `json:"switches"`     // level changes among scored segments
	Abandoned   int     `json:"abandoned"`    // downloads given up
	// Sabre holds Sabre's own metrics under RulesSabre.
	Sabre  *sabre.Metrics `json:"sabre,omitempty"`
	Chunks []ChunkLog     `json:"-"`
}

func ms(v float64) time.Duration { return time.Duration(math.Round(v * float64(time.Millisecond))) }

// Simulate plays the video over the trace with alg and scores it.
func Simulate(cfg Config, tr *trace.Trace, v *trace.Video, alg abr.Algorithm) (TraceResult, error) {
	if v.Segments() == 0 || len(v.Bitrates) == 0 || len(v.Sizes) != len(v.Bitrates) {
		return TraceResult{}, ErrNoVideo
	}
	if err := checkTrace(tr); err != nil {
		return TraceResult{}, err
	}
	cfg.defaults(v)
	est, err := abr.NewEstimator(cfg.Estimator)
	if err != nil {
		return TraceResult{}, err
	}
	p := player{cfg: &cfg, video: v, link: newLink(tr)}
	res := TraceResult{Trace: tr.Name, Chunks: make([]ChunkLog, 0, cfg.Chunks)}
	if cfg.Subset != nil {
		res.Subset = cfg.Subset(tr.Name)
	}
	st := abr.State{
		MaxBuffer: cfg.MaxBuffer, SegmentDuration: v.SegmentDuration, Bitrates: v.Bitrates,
		Last: -1, SegmentSize: v.Size, Startup: true,
	}
	level, prev := cfg.StartLevel, cfg.StartLevel
	scored, bitSum := 0, 0.0
	for k := range cfg.Chunks {
		if k > 0 {
			st.Index, st.Remaining = k, cfg.Chunks-k
			level = alg.Choose(&st)
			if level < 0 || level >= len(v.Bitrates) {
				return res, fmt.Errorf("%s chose level %d of %d at segment %d", alg.Name(), level, len(v.Bitrates), k)
			}
		}
		var delayMs, rebufMs, size float64
		if ab, ok := alg.(abr.Abandoner); ok && cfg.Abandon && k > 0 {
			var n int
			level, delayMs, rebufMs, size, n = p.stepAbandon(k, level, st, ab)
			res.Abandoned += n
		} else {
			delayMs, rebufMs, size = p.step(k, level)
		}
		q := cfg.QoE.Chunk(v.Bitrates[level], v.Bitrates[prev], 0) - cfg.QoE.RebufferPenalty*rebufMs/1000
		res.Chunks = append(res.Chunks, ChunkLog{Level: level, Bytes: int64(size), DelayS: delayMs / 1000,
			RebufferS: rebufMs / 1000, BufferS: p.bufferMs / 1000, QoE: q})
		if k > 0 || !cfg.SkipFirst {
			res.QoE += q
			res.RebufferS += rebufMs / 1000
			bitSum += float64(v.Bitrates[level]) / 1000
			if level != prev {
				res.Switches++
			}
			scored++
		}
		// The state the algorithm sees next.
		c := abr.Chunk{Level: level, Bytes: int64(size), Download: ms(delayMs), Rebuffer: ms(rebufMs)}
		st.History = append(st.History, c)
		if len(st.History) > 64 {
			st.History = st.History[1:]
		}
		est.Add(abr.Sample{Bytes: c.Bytes, Duration: c.Download})
		st.Estimate, st.EstimateOK = est.Estimate()
		st.Now = ms(p.nowMs)
		st.Buffer = ms(p.bufferMs)
		st.Last = level
		st.Startup = false
		st.Rebuffering = rebufMs > 0
		prev = level
	}
	if scored > 0 {
		res.BitrateKbps = bitSum / float64(scored)
	}
	return res, nil
}
