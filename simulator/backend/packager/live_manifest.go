package packager

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"
)

// pdtLayout is the EXT-X-PROGRAM-DATE-TIME and MPD date format.
const pdtLayout = "2006-01-02T15:04:05.000Z"

// partSegments is how many complete segments keep their EXT-X-PART tags.
const partSegments = 3

// openPlaylist answers a media playlist request, holding it while it
// names (with _HLS_msn and _HLS_part) a segment or part that is not
// complete yet.
func (c *Channel) openPlaylist(ctx context.Context, r *rend, q url.Values) ([]byte, error) {
	now := c.clk.Now()
	if ms := q.Get("_HLS_msn"); ms != "" {
		msn, err := strconv.Atoi(ms)
		if err != nil || msn < 0 {
			return nil, fmt.Errorf("%w: _HLS_msn=%q", ErrBadRequest, ms)
		}
		part := -1
		if ps := q.Get("_HLS_part"); ps != "" {
			if part, err = strconv.Atoi(ps); err != nil || part < 0 {
				return nil, fmt.Errorf("%w: _HLS_part=%q", ErrBadRequest, ps)
			}
		}
		if !c.HasParts() {
			part = -1
		}
		if part >= c.pps { // past the segment's last part: the next segment's first
			msn, part = msn+1, 0
		}
		last, _ := c.Edge(now)
		if msn > last+2 {
			return nil, fmt.Errorf("%w: _HLS_msn=%d is more than two segments past %d", ErrBadRequest, msn, last)
		}
		ready := c.partReady(max(msn, 1), c.pps-1)
		if part >= 0 {
			ready = c.partReady(max(msn, 1), part)
		}
		if err := c.hold(ctx, now, ready); err != nil {
			return nil, err
		}
		if now = c.clk.Now(); now.Before(ready) {
			now = ready
		}
	} else if q.Get("_HLS_part") != "" {
		return nil, fmt.Errorf("%w: _HLS_part without _HLS_msn", ErrBadRequest)
	}
	skip := q.Get("_HLS_skip") == "YES" || q.Get("_HLS_skip") == "v2"
	return c.mediaPlaylist(r, now, skip), nil
}

// canSkipUntil is the CAN-SKIP-UNTIL of the playlists: six target durations.
func (c *Channel) canSkipUntil() time.Duration { return 6 * c.targetDuration() }

func (c *Channel) targetDuration() time.Duration {
	return time.Duration(math.Ceil(c.cfg.SegmentDuration.Seconds())) * time.Second
}

// mediaPlaylist writes the live media playlist of r at now; skip asks for
// a delta update (EXT-X-SKIP) when the window is long enough.
func (c *Channel) mediaPlaylist(r *rend, now time.Time, skip bool) []byte {
	var b bytes.Buffer
	last, partial := c.Edge(now)
	first := max(1, last-c.wsegs+1)
	target := int(c.targetDuration() / time.Second)
	segDur, partDur := seconds(c.segTicks(), videoTimescale), seconds(c.partTicks(), videoTimescale)
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:%d\n", target)
	fmt.Fprintf(&b, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=%s", seconds(uint64(c.canSkipUntil()/time.Millisecond), 1000))
	if c.HasParts() {
		phb := max(c.cfg.LatencyTarget, 2*c.cfg.PartDuration)
		fmt.Fprintf(&b, ",PART-HOLD-BACK=%s\n#EXT-X-PART-INF:PART-TARGET=%s\n", seconds(uint64(phb/time.Millisecond), 1000), partDur)
	} else {
		fmt.Fprintf(&b, ",HOLD-BACK=%d\n", 3*target)
	}
	fmt.Fprintf(&b, "#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=%q\n", first, InitSegment)
	if skip && last >= first {
		keep := int(c.canSkipUntil() / c.cfg.SegmentDuration)
		if n := (last - first + 1) - keep; n > 0 {
			fmt.Fprintf(&b, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%d\n", n)
			first += n
		}
	}
	independent := func(j int) string {
		if j == 0 || r.Kind == Audio {
			return ",INDEPENDENT=YES"
		}
		return ""
	}
	for n := first; n <= last+1; n++ {
		if n == last+1 && partial == 0 {
			break
		}
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", c.at(uint64(n-1)*c.segTicks()).UTC().Format(pdtLayout))
		if c.HasParts() && n > last-partSegments {
			upto := c.pps
			if n == last+1 {
				upto = partial
			}
			for j := 0; j < upto; j++ {
				fmt.Fprintf(&b, "#EXT-X-PART:DURATION=%s,URI=%q%s\n", partDur, PartName(n, j), independent(j))
			}
		}
		if n <= last {
			fmt.Fprintf(&b, "#EXTINF:%s,\n%s\n", segDur, SegmentName(n))
		}
	}
	lastMSN, lastPart := last, c.pps-1
	if partial > 0 {
		lastMSN, lastPart = last+1, partial-1
	}
	if c.HasParts() {
		fmt.Fprintf(&b, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=%q%s\n", PartName(last+1, partial), independent(partial))
	}
	for _, o := range c.pkg.rends {
		if o == r {
			continue
		}
		fmt.Fprintf(&b, "#EXT-X-RENDITION-REPORT:URI=\"../%s/%s\",LAST-MSN=%d", o.ID, MediaPlaylist, lastMSN)
		if c.HasParts() {
			fmt.Fprintf(&b, ",LAST-PART=%d", lastPart)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// mpd writes the dynamic DASH manifest at now: SegmentTemplate with
// $Number$ from availabilityStartTime. ll adds availabilityTimeOffset (a
// segment may be asked for once its first chunk exists; the request is
// sent chunk by chunk as it is made) and a ServiceDescription.
func (c *Channel) mpd(now time.Time, ll bool) []byte {
	var b bytes.Buffer
	dur := func(d time.Duration) string { return "PT" + seconds(uint64(d/time.Millisecond), 1000) + "S" }
	seg := c.cfg.SegmentDuration
	delay := 3 * seg
	if ll {
		delay = max(c.cfg.LatencyTarget, 2*c.cfg.PartDuration) // chunks are sent as they are made
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" type="dynamic" availabilityStartTime="%s" publishTime="%s" minimumUpdatePeriod="%s" timeShiftBufferDepth="%s" maxSegmentDuration="%s" minBufferTime="%s" suggestedPresentationDelay="%s">
`, c.start.UTC().Format(pdtLayout), now.UTC().Format(pdtLayout), dur(seg), dur(c.cfg.Window), dur(seg), dur(seg), dur(delay))
	attrs := ""
	if ll {
		ms := delay.Milliseconds()
		fmt.Fprintf(&b, `  <ServiceDescription id="0">
    <Latency referenceId="0" target="%d" min="%d" max="%d"/>
    <PlaybackRate min="0.96" max="1.04"/>
  </ServiceDescription>
`, ms, ms/2, 2*ms)
		attrs = fmt.Sprintf(` availabilityTimeOffset="%s" availabilityTimeComplete="false"`,
			seconds(c.segTicks()-c.partTicks(), videoTimescale))
	}
	c.pkg.period(&b, attrs)
	fmt.Fprintf(&b, "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" value=\"%s\"/>\n</MPD>\n", now.UTC().Format(pdtLayout))
	return b.Bytes()
}
