package packager

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

const audioGroup = "aud"

// masterPlaylist writes the HLS multivariant playlist. BANDWIDTH is the
// peak segment bitrate of the video plus the audio rendition,
// AVERAGE-BANDWIDTH their average, both over whole segment files.
func (p *Package) masterPlaylist() []byte {
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	audio := p.audio()
	if audio != nil {
		fmt.Fprintf(&b, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=%q,NAME=\"audio\",LANGUAGE=\"und\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=%q\n",
			audioGroup, audio.ID+"/"+MediaPlaylist)
	}
	for _, r := range p.rends {
		if r.Kind != Video {
			continue
		}
		peak, avg, codecs := r.PeakBandwidth, r.AverageBandwidth, r.Codecs
		if audio != nil {
			peak += audio.PeakBandwidth
			avg += audio.AverageBandwidth
			codecs += "," + audio.Codecs
		}
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=%q,FRAME-RATE=%.3f",
			peak, avg, r.Width, r.Height, codecs, r.FrameRate)
		if audio != nil {
			fmt.Fprintf(&b, ",AUDIO=%q", audioGroup)
		}
		fmt.Fprintf(&b, "\n%s/%s\n", r.ID, MediaPlaylist)
	}
	return b.Bytes()
}

func (p *Package) audio() *rend {
	for _, r := range p.rends {
		if r.Kind == Audio {
			return r
		}
	}
	return nil
}

// mediaPlaylist writes the VOD media playlist of r.
func (p *Package) mediaPlaylist(r *rend) []byte {
	var b bytes.Buffer
	target := 1
	for _, t := range r.SegmentTicks {
		target = max(target, int(math.Round(float64(t)/float64(r.timescale))))
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=%q\n",
		target, InitSegment)
	// After EXT-X-MAP, so the key applies to media segments only.
	switch pr := p.title.Protection; p.title.Encryption {
	case AES128:
		fmt.Fprintf(&b, "#EXT-X-KEY:METHOD=AES-128,URI=%q,IV=0x%x\n", pr.KeyURI, pr.IV)
	case CBCS:
		fmt.Fprintf(&b, "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=%q,KEYFORMAT=\"identity\",IV=0x%x\n", pr.KeyURI, pr.IV)
	}
	for k, t := range r.SegmentTicks {
		fmt.Fprintf(&b, "#EXTINF:%s,\n%s\n", seconds(t, r.timescale), SegmentName(k+1))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.Bytes()
}

// seconds formats ticks/timescale with at most six decimals.
func seconds(ticks uint64, timescale uint32) string {
	s := strconv.FormatFloat(float64(ticks)/float64(timescale), 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// mpd writes a static DASH manifest: one period, a video and an audio
// adaptation set, SegmentTemplate with $Number$ (from 1) and the exact
// nominal segment duration in the track timescale.
func (p *Package) mpd() []byte {
	var b bytes.Buffer
	total := p.tm.start(p.tm.nSegs)
	segTicks := uint64(p.tm.framesPerSeg) * uint64(p.tm.sampleDur)
	dur := "PT" + seconds(total, videoTimescale) + "S"
	maxSeg := "PT" + seconds(segTicks, videoTimescale) + "S"
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"%s profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" type="static" mediaPresentationDuration="%s" maxSegmentDuration="%s" minBufferTime="%s">
`, p.mpdNamespaces(), dur, maxSeg, maxSeg)
	p.period(&b, "")
	b.WriteString("</MPD>\n")
	return b.Bytes()
}

// period writes the one Period of an MPD; templateAttrs is added to each
// SegmentTemplate (e.g. availabilityTimeOffset for LL-DASH).
func (p *Package) period(b *bytes.Buffer, templateAttrs string) {
	segTicks := uint64(p.tm.framesPerSeg) * uint64(p.tm.sampleDur)
	b.WriteString("  <Period id=\"0\" start=\"PT0S\">\n")
	var maxW, maxH int
	for _, r := range p.rends {
		if r.Kind == Video {
			maxW, maxH = max(maxW, r.Width), max(maxH, r.Height)
		}
	}
	fr := frameRate(p.tm.sampleDur)
	if maxW > 0 {
		fmt.Fprintf(b, `    <AdaptationSet id="1" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="%d" maxHeight="%d" frameRate="%s">
%s      <SegmentTemplate timescale="%d" duration="%d" startNumber="1"%s initialization="$RepresentationID$/%s" media="$RepresentationID$/seg_$Number$.m4s"/>
`, maxW, maxH, fr, p.contentProtection(), videoTimescale, segTicks, templateAttrs, InitSegment)
		for _, r := range p.rends {
			if r.Kind == Video {
				fmt.Fprintf(b, `      <Representation id="%s" bandwidth="%d" width="%d" height="%d" sar="1:1" codecs="%s"/>
`, r.ID, r.Bandwidth, r.Width, r.Height, r.Codecs)
			}
		}
		b.WriteString("    </AdaptationSet>\n")
	}
	if a := p.audio(); a != nil {
		aTicks := (segTicks*aacSampleRate + videoTimescale/2) / videoTimescale
		fmt.Fprintf(b, `    <AdaptationSet id="2" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">
      <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
%s      <SegmentTemplate timescale="%d" duration="%d" startNumber="1"%s initialization="$RepresentationID$/%s" media="$RepresentationID$/seg_$Number$.m4s"/>
      <Representation id="%s" bandwidth="%d" audioSamplingRate="%d" codecs="%s"/>
    </AdaptationSet>
`, p.contentProtection(), aacSampleRate, aTicks, templateAttrs, InitSegment, a.ID, a.Bandwidth, aacSampleRate, a.Codecs)
	}
	b.WriteString("  </Period>\n")
}

// frameRate formats 90000/sampleDur as an integer or a fraction.
func frameRate(sampleDur uint32) string {
	if videoTimescale%sampleDur == 0 {
		return strconv.Itoa(int(videoTimescale / sampleDur))
	}
	g := gcd(videoTimescale, sampleDur)
	return fmt.Sprintf("%d/%d", videoTimescale/g, sampleDur/g)
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mpdNamespaces are the MPD root's namespace declarations for
// ContentProtection (none for a clear title).
func (p *Package) mpdNamespaces() string {
	if !p.title.Encryption.common() {
		return ""
	}
	return ` xmlns:cenc="urn:mpeg:cenc:2013" xmlns:dashif="https://dashif.org/CPS" xmlns:clearkey="http://dashif.org/guidelines/clearKey"`
}

// contentProtection is the ContentProtection elements of an adaptation
// set of a cenc or cbcs title: the scheme with the default key id, then ClearKey
// with its license URL (both the DASH-IF and the older dash.js/Shaka
// spelling) and the key id as W3C common-PSSH init data.
func (p *Package) contentProtection() string {
	pr := p.title.Protection
	if !p.title.Encryption.common() || pr == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "      <ContentProtection schemeIdUri=%q value=%q cenc:default_KID=%q/>\n", MP4ProtectionScheme, string(p.title.Encryption), pr.KIDString())
	fmt.Fprintf(&b, "      <ContentProtection schemeIdUri=\"urn:uuid:%s\" value=\"ClearKey1.0\">\n", ClearKeySystemID)
	if pr.LicenseURL != "" {
		u := xmlEscape(pr.LicenseURL)
		fmt.Fprintf(&b, "        <dashif:laurl>%s</dashif:laurl>\n        <clearkey:Laurl Lic_type=\"EME-1.0\">%s</clearkey:Laurl>\n", u, u)
	}
	b.WriteString("      </ContentProtection>\n")
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
