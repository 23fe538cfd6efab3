package manifest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// ParseDASH parses a DASH MPD. uri is the MPD's location, the base for
// relative BaseURLs.
//
// SegmentTemplate and SegmentList renditions get their segments (for
// dynamic templates without a SegmentTimeline only with [WithNow]);
// SegmentBase renditions get Init, MediaURI and IndexRange and no segments
// until the sidx is fetched and read with [ParseSidx]. Media files without
// any segment information become one segment.
func ParseDASH(data []byte, uri string, opts ...Option) (*Presentation, error) {
	o := buildOptions(opts)
	if err := checkDASHCounts(data, uri, o.limits); err != nil {
		return nil, err
	}
	if i := findDeclaration(data); i >= 0 {
		return nil, &ParseError{URI: uri, Line: 1 + bytes.Count(data[:i], []byte("\n")), Path: "MPD",
			Msg: "markup declarations (DOCTYPE, ENTITY) are not supported in an MPD"}
	}
	data = escapeTextGT(data)
	m, err := mpd.MPDFromBytes(data)
	if err != nil {
		return nil, locateXMLError(data, uri, err)
	}
	b := &dashBuilder{uri: uri, data: data, opt: o}
	return b.build(m)
}

type dashBuilder struct {
	uri      string
	data     []byte
	opt      options
	p        *Presentation
	segCount int // segments of all renditions, against opt.limits.TotalSegments

	clearKeyLaurl *string // the first clearkey:Laurl of the document; read once
}

// ClearKey names of DASH-IF's ClearKey guidelines.
const (
	ClearKeySystem    = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" // its ContentProtection @schemeIdUri
	clearKeyNamespace = "http://dashif.org/guidelines/clearKey"         // of the older clearkey:Laurl element
)

// isLaurl tells a license URL element the MPD model misses: ClearKey's
// clearkey:Laurl, or DASH-IF's element spelt dashif:laurl (the model
// reads dashif:Laurl only).
func isLaurl(n xml.Name) bool {
	return n.Space == clearKeyNamespace && n.Local == "Laurl" || n.Space == "https://dashif.org/CPS" && n.Local == "laurl"
}

// clearKeyLicenseURL is the text of the document's first clearkey:Laurl
// element ("" when none): the pre-IOP 5 way to give a ClearKey license
// URL, which the MPD model does not keep.
func (b *dashBuilder) clearKeyLicenseURL() string {
	if b.clearKeyLaurl != nil {
		return *b.clearKeyLaurl
	}
	found := ""
	d := xml.NewDecoder(bytes.NewReader(b.data))
	for found == "" {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && isLaurl(se.Name) {
			var v string
			if d.DecodeElement(&v, &se) == nil {
				found = strings.TrimSpace(v)
			}
			if found == "" {
				break
			}
		}
	}
	b.clearKeyLaurl = &found
	return found
}

func (b *dashBuilder) err(path, field, msg string, cause error) error {
	return &ParseError{URI: b.uri, Line: b.lineOf(path), Path: path, Field: field, Msg: msg, Err: cause}
}

// lineOf finds the line of the element at path (best effort, 0 if unknown).
func (b *dashBuilder) lineOf(path string) int {
	if path == "" {
		return 0
	}
	return elementLine(b.data, path)
}

func (b *dashBuilder) warn(path, msg string) {
	b.p.Warnings = append(b.p.Warnings, (&ParseError{URI: b.uri, Path: path, Msg: msg}).Error())
}

func durPtr(d *mpd.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

func parseDateTimeAttr(s mpd.DateTime) (time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return time.Time{}, nil
	}
	return parseDateTime(v)
}

func (b *dashBuilder) build(m *mpd.MPD) (*Presentation, error) {
	p := &Presentation{Format: FormatDASH, URI: b.uri}
	b.p = p
	const root = "MPD"
	switch m.GetType() {
	case "static":
	case "dynamic":
		p.Live = true
	default:
		return nil, b.err(root, "type", "want static or dynamic, not "+quote(m.GetType()), nil)
	}
	var err error
	if p.AvailabilityStart, err = parseDateTimeAttr(m.AvailabilityStartTime); err != nil {
		return nil, b.err(root, "availabilityStartTime", "", err)
	}
	if p.PublishTime, err = parseDateTimeAttr(m.PublishTime); err != nil {
		return nil, b.err(root, "publishTime", "", err)
	}
	if p.Live && p.AvailabilityStart.IsZero() {
		return nil, b.err(root, "availabilityStartTime", "required for a dynamic MPD", nil)
	}
	p.Duration = durPtr(m.MediaPresentationDuration)
	p.TimeShiftBufferDepth = durPtr(m.TimeShiftBufferDepth)
	p.MinUpdatePeriod = durPtr(m.MinimumUpdatePeriod)
	p.SuggestedDelay = durPtr(m.SuggestedPresentationDelay)
	p.MinBufferTime = durPtr(m.MinBufferTime)

	for i, l := range m.Location {
		u := strings.TrimSpace(l.Value)
		if u == "" {
			continue
		}
		r, err := Resolve(b.uri, u)
		if err != nil {
			return nil, b.err(fmt.Sprintf("MPD/Location[%d]", i), "", "", err)
		}
		p.Locations = append(p.Locations, r)
	}
	for _, ut := range m.UTCTimings {
		if ut != nil {
			p.UTCTiming = append(p.UTCTiming, b.utcTiming(ut))
		}
	}
	// Relative BaseURLs resolve against the MPD's URL, or its first
	// Location when the MPD says where it lives.
	docBase := b.uri
	if len(p.Locations) > 0 && hasScheme(p.Locations[0]) {
		docBase = p.Locations[0]
	}
	bases, err := b.baseURLs(root, []BaseURL{{URL: docBase}}, m.BaseURL)
	if err != nil {
		return nil, err
	}
	if p.Steering, err = b.steering(m.ContentSteering, docBase); err != nil {
		return nil, err
	}
	if err := b.periodTimes(m); err != nil {
		return nil, err
	}
	pi := 0
	for i, per := range m.Periods {
		if per.XlinkHref != "" && len(per.AdaptationSets) == 0 {
			continue
		}
		if err := b.period(fmt.Sprintf("MPD/Period[%d]", i), per, &p.Periods[pi], bases); err != nil {
			return nil, err
		}
		pi++
	}
	if len(p.Periods) == 0 {
		if !p.Live || len(p.Locations) == 0 {
			return nil, b.err(root, "Period", "no periods", nil)
		}
		b.warn(root, "no periods: reload the MPD from its Location")
	}
	return p, nil
}

// utcTiming reads one UTCTiming element; the value of an HTTP scheme may
// list several URLs separated by spaces, of which the first is kept.
func (b *dashBuilder) utcTiming(d *mpd.DescriptorType) UTCTiming {
	scheme := strings.TrimSpace(string(d.SchemeIdUri))
	u := UTCTiming{Value: strings.TrimSpace(d.Value)}
	switch strings.TrimSuffix(strings.TrimSuffix(scheme, ":2014"), ":2012") {
	case "urn:mpeg:dash:utc:http-xsdate":
		u.Scheme = TimingHTTPXSDate
	case "urn:mpeg:dash:utc:http-iso":
		u.Scheme = TimingHTTPISO
	case "urn:mpeg:dash:utc:direct":
		u.Scheme = TimingDirect
	case "urn:mpeg:dash:utc:none":
		u.Scheme = TimingNone
	}
	if u.Scheme == TimingHTTPXSDate || u.Scheme == TimingHTTPISO {
		if f := strings.Fields(u.Value); len(f) > 0 {
			u.Value = f[0]
		}
		if r, err := Resolve(b.uri, u.Value); err == nil {
			u.Value = r
		} else {
			u.Scheme = TimingUnknown
		}
	}
	return u
}

// ParseTime reads the body of a UTCTiming time source (an xs:dateTime or
// ISO 8601 time, surrounding space ignored).
func ParseTime(body []byte) (time.Time, error) {
	v := strings.TrimSpace(string(body))
	if len(v) > 64 {
		return time.Time{}, fmt.Errorf("manifest: time source answer of %d bytes is not a time", len(v))
	}
	return parseDateTime(v)
}

// steering reads the MPD's ContentSteering element (nil when absent).
func (b *dashBuilder) steering(cs *mpd.ContentSteeringType, docBase string) (*ContentSteering, error) {
	if cs == nil {
		return nil, nil
	}
	s := &ContentSteering{
		DefaultPathwayID: cs.DefaultServiceLocation,
		QueryBeforeStart: cs.QueryBeforeStart,
		ProxyServerURL:   proxyServerURL(b.data),
	}
	v := strings.TrimSpace(cs.Value)
	if v == "" {
		return nil, b.err("MPD/ContentSteering", "", "missing steering server URL", nil)
	}
	var err error
	if s.ServerURI, err = Resolve(docBase, v); err != nil {
		return nil, b.err("MPD/ContentSteering", "", "", err)
	}
	return s, nil
}

// periodTimes adds the periods with their start and duration: from their
// attributes, else from the previous period's end, the next period's start
// or the presentation's end.
func (b *dashBuilder) periodTimes(m *mpd.MPD) error {
	p := b.p
	var start time.Duration
	for i, per := range m.Periods {
		path := fmt.Sprintf("MPD/Period[%d]", i)
		if per.XlinkHref != "" && len(per.AdaptationSets) == 0 {
			b.warn(path, "remote period (xlink) not resolved; skipped")
			continue
		}
		pp := Period{ID: per.Id}
		if per.Start != nil {
			pp.Start = time.Duration(*per.Start)
		} else {
			pp.Start = start
		}
		if per.Duration != nil {
			pp.Duration = time.Duration(*per.Duration)
		}
		p.Periods = append(p.Periods, pp)
		start = pp.Start + pp.Duration
	}
	// Durations from the next period's start or the presentation end.
	for i := range p.Periods {
		pp := &p.Periods[i]
		if pp.Duration != 0 {
			continue
		}
		if i+1 < len(p.Periods) {
			pp.Duration = p.Periods[i+1].Start - pp.Start
		} else if p.Duration > 0 {
			pp.Duration = p.Duration - pp.Start
		}
		if pp.Duration < 0 {
			return b.err(fmt.Sprintf("MPD/Period[%d]", i), "start", "periods out of order", nil)
		}
	}
	if !p.Live && p.Duration == 0 && len(p.Periods) > 0 {
		last := p.Periods[len(p.Periods)-1]
		p.Duration = last.Start + last.Duration
	}
	return nil
}

// baseURLs applies a level's BaseURL elements to the parent's list: each
// child resolves against the parent's preferred (first) base; a child
// without serviceLocation keeps its parent's. No BaseURL keeps the parent list.
func (b *dashBuilder) baseURLs(path string, parent []BaseURL, elems []*mpd.BaseURLType) ([]BaseURL, error) {
	if len(elems) == 0 {
		return parent, nil
	}
	var out []BaseURL
	for i, e := range elems {
		v := strings.TrimSpace(string(e.Value))
		for _, pb := range parent {
			u, err := Resolve(pb.URL, v)
			if err != nil {
				return nil, b.err(fmt.Sprintf("%s/BaseURL[%d]", path, i), "", "", err)
			}
			sl := e.ServiceLocation
			if sl == "" {
				sl = pb.ServiceLocation
			}
			out = append(out, BaseURL{URL: u, ServiceLocation: sl})
			if hasScheme(v) || strings.HasPrefix(v, "//") {
				break // absolute: the parent does not matter
			}
		}
		if len(out) >= maxBaseURLs {
			out = out[:maxBaseURLs]
			break
		}
	}
	return out, nil
}

// cea608Scheme is the DASH Accessibility scheme of CEA-608 captions in
// the video (SCTE 214-1).
const cea608Scheme = "urn:scte:dash:cc:cea-608:2015"

// parseCEA608Accessibility reads a cea-608 Accessibility value:
// "CC1=eng;CC3=swe", or languages alone ("eng;swe"), given to CC1, CC2,
// ... in order. Entries it cannot read are skipped.
func parseCEA608Accessibility(v string) []Captions {
	var out []Captions
	for i, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" && v != "" {
			continue
		}
		ch, lang := i+1, part
		if k, l, ok := strings.Cut(part, "="); ok {
			if len(k) != 3 || !strings.HasPrefix(k, "CC") {
				continue
			}
			ch, lang = int(k[2]-'0'), l
		}
		if ch < 1 || ch > 4 {
			continue
		}
		out = append(out, Captions{Channel: ch, Lang: lang})
	}
	return out
}

// maxBaseURLs caps the combinations of BaseURLs across levels.
const maxBaseURLs = 16

func (b *dashBuilder) period(path string, per *mpd.Period, pp *Period, bases []BaseURL) error {
	bases, err := b.baseURLs(path, bases, per.BaseURLs)
	if err != nil {
		return err
	}
	for i, as := range per.AdaptationSets {
		apath := fmt.Sprintf("%s/AdaptationSet[%d]", path, i)
		set, err := b.adaptationSet(apath, per, as, pp, bases)
		if err != nil {
			return err
		}
		for _, acc := range as.Accessibilities {
			if acc != nil && string(acc.SchemeIdUri) == cea608Scheme {
				for _, c := range parseCEA608Accessibility(acc.Value) {
					pp.Captions = addCaptions(pp.Captions, c)
				}
			}
		}
		if set != nil {
			pp.Sets = append(pp.Sets, *set)
		}
	}
	return nil
}

func (b *dashBuilder) adaptationSet(path string, per *mpd.Period, as *mpd.AdaptationSetType, pp *Period, bases []BaseURL) (*AdaptationSet, error) {
	bases, err := b.baseURLs(path, bases, as.BaseURLs)
	if err != nil {
		return nil, err
	}
	set := &AdaptationSet{
		Lang:     as.Lang,
		MimeType: as.MimeType,
		Codecs:   as.Codecs,
	}
	if as.Id != nil {
		set.ID = strconv.FormatUint(uint64(*as.Id), 10)
	} else {
		set.ID = strconv.Itoa(len(pp.Sets))
	}
	if len(as.Labels) > 0 {
		set.Name = strings.TrimSpace(as.Labels[0].Value)
	}
	for _, r := range as.Roles {
		if r.Value == "main" {
			set.Default = true
		}
		if r.Value != "" {
			set.Roles = append(set.Roles, r.Value)
		}
	}
	set.Channels = audioChannels(as)
	for _, cp := range as.ContentProtections {
		pr := Protection{Scheme: string(cp.SchemeIdUri), Value: cp.Value, DefaultKID: cp.DefaultKID}
		laurl := ""
		switch {
		case cp.LaURL != nil && cp.LaURL.Value != "":
			laurl = strings.TrimSpace(string(cp.LaURL.Value))
		case strings.EqualFold(pr.Scheme, ClearKeySystem):
			laurl = b.clearKeyLicenseURL()
		}
		if laurl != "" {
			base := b.uri
			if len(bases) > 0 {
				base = bases[0].URL
			}
			if pr.LicenseURL, err = Resolve(base, laurl); err != nil {
				return nil, b.err(path+"/ContentProtection", "Laurl", "", err)
			}
		}
		set.Protection = append(set.Protection, pr)
	}
	trick := false
	for _, d := range as.EssentialProperties {
		if d.SchemeIdUri == "http://dashif.org/guidelines/trickmode" {
			trick = true
		}
	}
	firstRep := ""
	if len(as.Representations) > 0 {
		firstRep = as.Representations[0].MimeType + " " + as.Representations[0].Codecs
	}
	set.Type = mediaTypeOf(string(as.ContentType), as.MimeType, as.Codecs, firstRep)
	if len(as.Representations) == 0 {
		b.warn(path, "no Representation; skipped")
		return nil, nil
	}
	for i, rep := range as.Representations {
		rpath := fmt.Sprintf("%s/Representation[%d]", path, i)
		r, err := b.representation(rpath, per, as, rep, pp, bases)
		if err != nil {
			return nil, err
		}
		r.IFrameOnly = trick
		r.Tiles = thumbnailTiles(as.EssentialProperties, rep.EssentialProperties)
		if r.Lang == "" {
			r.Lang = set.Lang
		}
		if set.Type == 0 {
			set.Type = r.Type
		}
		set.Renditions = append(set.Renditions, *r)
	}
	if set.Type == 0 {
		set.Type = Video
	}
	for i := range set.Renditions {
		if set.Renditions[i].Type == 0 {
			set.Renditions[i].Type = set.Type
		}
	}
	return set, nil
}

// thumbnailTiles is the value of the DASH-IF thumbnail_tile
// EssentialProperty ("10x1"), the Representation's before the
// AdaptationSet's; "" when there is none.
func thumbnailTiles(sets ...[]*mpd.DescriptorType) string {
	v := ""
	for _, ds := range sets {
		for _, d := range ds {
			if d != nil && (d.SchemeIdUri == "http://dashif.org/thumbnail_tile" || d.SchemeIdUri == "http://dashif.org/guidelines/thumbnail_tile") {
				v = strings.TrimSpace(d.Value)
			}
		}
	}
	return v
}

// mediaTypeOf guesses the media type from contentType, mimeType and codecs.
func mediaTypeOf(contentType, mime, codecs, extra string) MediaType {
	for _, s := range []string{contentType, mime, extra} {
		s = strings.ToLower(s)
		switch {
		case strings.HasPrefix(s, "video"):
			return Video
		case strings.HasPrefix(s, "audio"):
			return Audio
		case strings.HasPrefix(s, "text"), strings.HasPrefix(s, "application/ttml"), strings.HasPrefix(s, "application/mp4 stpp"),
			strings.HasPrefix(s, "application/mp4 wvtt"):
			return Text
		case strings.HasPrefix(s, "image"):
			return Image
		}
	}
	switch c := strings.ToLower(codecs); {
	case strings.HasPrefix(c, "stpp"), strings.HasPrefix(c, "wvtt"):
		return Text
	case c != "" && onlyAudioCodecs(codecs):
		return Audio
	}
	return 0
}

func parseFrameRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	n, d, ok := strings.Cut(s, "/")
	num, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return 0, fmt.Errorf("bad frame rate %q", s)
	}
	if ok {
		den, err := strconv.ParseFloat(d, 64)
		if err != nil || den == 0 {
			return 0, fmt.Errorf("bad frame rate %q", s)
		}
		num /= den
	}
	if math.IsNaN(num) || math.IsInf(num, 0) || num < 0 {
		return 0, fmt.Errorf("bad frame rate %q", s)
	}
	return num, nil
}

func (b *dashBuilder) representation(path string, per *mpd.Period, as *mpd.AdaptationSetType, rep *mpd.RepresentationType, pp *Period, bases []BaseURL) (*Rendition, error) {
	bases, err := b.baseURLs(path, bases, rep.BaseURLs)
	if err != nil {
		return nil, err
	}
	r := &Rendition{
		ID:        rep.Id,
		Bandwidth: int(rep.Bandwidth),
		Width:     int(firstNonZero(rep.Width, as.Width)),
		Height:    int(firstNonZero(rep.Height, as.Height)),
		Codecs:    firstString(rep.Codecs, as.Codecs),
		MimeType:  firstString(rep.MimeType, as.MimeType),
		BaseURLs:  bases,
		Loaded:    true,
	}
	fr := string(rep.FrameRate)
	if fr == "" {
		fr = string(as.FrameRate)
	}
	if r.FrameRate, err = parseFrameRate(fr); err != nil {
		return nil, b.err(path, "frameRate", "", err)
	}
	r.Type = mediaTypeOf(string(as.ContentType), r.MimeType, r.Codecs, "")
	if err := b.segments(path, per, as, rep, pp, r); err != nil {
		return nil, err
	}
	if b.segCount += len(r.Segments); b.segCount > b.opt.limits.TotalSegments {
		return nil, &ParseError{URI: b.uri, Line: b.lineOf(path), Path: path, Field: "Representation",
			Msg: fmt.Sprintf("renditions expand to more than %d segments together", b.opt.limits.TotalSegments), Err: ErrLimit}
	}
	return r, nil
}

func firstNonZero(a, b uint32) uint32 {
	if a != 0 {
		return a
	}
	return b
}

func firstString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// proxyServerURL reads ContentSteering@proxyServerURL, which dash-mpd
// does not model.
func proxyServerURL(data []byte) string {
	i := bytes.Index(data, []byte("<ContentSteering"))
	if i < 0 {
		return ""
	}
	d := xml.NewDecoder(bytes.NewReader(data[i:]))
	d.Strict = false
	tok, err := d.Token()
	if err != nil {
		return ""
	}
	if se, ok := tok.(xml.StartElement); ok {
		for _, a := range se.Attr {
			if a.Name.Local == "proxyServerURL" {
				return a.Value
			}
		}
	}
	return ""
}

// audioChannels reads the AudioChannelConfiguration of a set, else of its
// first Representation (the 23003-3 scheme's value is the count; other
// schemes' values are taken when they are plain numbers); 0 when unknown.
func audioChannels(as *mpd.AdaptationSetType) int {
	acc := as.AudioChannelConfigurations
	if len(acc) == 0 && len(as.Representations) > 0 && as.Representations[0] != nil {
		acc = as.Representations[0].AudioChannelConfigurations
	}
	for _, d := range acc {
		if d == nil {
			continue
		}
		if n, err := strconv.Atoi(d.Value); err == nil && n > 0 {
			return n
		}
	}
	return 0
}
