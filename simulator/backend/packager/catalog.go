package packager

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults applied by [Title.WithDefaults] to fields left at their zero value.
const (
	DefaultFrameRate   = 25.0 // frames per second
	DefaultAudioKbps   = 128  // AAC-LC stereo 48 kHz
	DefaultVariability = 0.3  // coefficient of variation of segment sizes
)

// Limits checked by [Title.Validate].
const (
	MinKbps            = 16
	MaxKbps            = 200_000
	MaxDuration        = 48 * time.Hour
	MinSegmentDuration = 100 * time.Millisecond
	MaxSegmentBytes    = 100_000_000 // nominal size of one segment
	MaxSegmentDuration = 10 * time.Minute
	MaxFrameRate       = 120.0
	MaxVariability     = 2.0
	MaxWidth           = 4096
	MaxHeight          = 2304
)

// Sentinel errors; a [*CatalogError] wraps one of them.
var (
	ErrSyntax       = errors.New("syntax error")
	ErrUnknownField = errors.New("unknown field")
	ErrMissingField = errors.New("missing field")
	ErrInvalidValue = errors.New("invalid value")
	ErrEmptyCatalog = errors.New("catalog has no titles")
)

// CatalogError is a bad catalog entry. File and Line are set when the
// catalog came from YAML; Field is a path such as "titles[0].ladder_kbps[2]".
type CatalogError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *CatalogError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(":")
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *CatalogError) Unwrap() error { return e.Err }

// Catalog is the list of titles the origin serves.
type Catalog struct {
	Titles []Title
}

// Resolution is a picture size in pixels.
type Resolution struct {
	Width, Height int
}

func (r Resolution) String() string { return fmt.Sprintf("%dx%d", r.Width, r.Height) }

// Title describes one title: its length, segmenting and bitrate ladder.
// Zero values take defaults (see [Title.WithDefaults]).
type Title struct {
	ID              string        // directory name: letters, digits, '.', '_', '-'
	Duration        time.Duration // total length
	SegmentDuration time.Duration // rounded to whole frames; the last segment may be shorter
	LadderKbps      []int         // video bitrates; any order, unique; packaged ascending
	Seed            int64         // seeds the per-title scene complexity process
	FrameRate       float64       // defaults to DefaultFrameRate
	AudioKbps       int           // defaults to DefaultAudioKbps
	NoAudio         bool          // no audio rendition
	Resolutions     []Resolution  // per rung, parallel to LadderKbps; defaults by bitrate
	Variability     float64       // coefficient of variation of segment sizes; defaults to DefaultVariability
	Sidx            bool          // put a sidx box in each media segment
	// Encryption protects the title (AES128 for HLS, CENC for DASH);
	// Clear by default.
	Encryption Encryption
	// Protection holds the key and URLs of an encrypted title; Build
	// needs it when Encryption is set. It is never read from YAML.
	Protection *Protection
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// WithDefaults returns t with zero fields set to their defaults.
func (t Title) WithDefaults() Title {
	if t.FrameRate == 0 {
		t.FrameRate = DefaultFrameRate
	}
	if t.AudioKbps == 0 && !t.NoAudio {
		t.AudioKbps = DefaultAudioKbps
	}
	if t.Variability == 0 {
		t.Variability = DefaultVariability
	}
	if len(t.Resolutions) == 0 && len(t.LadderKbps) > 0 {
		t.Resolutions = make([]Resolution, len(t.LadderKbps))
		for i, k := range t.LadderKbps {
			t.Resolutions[i] = DefaultResolution(k)
		}
	}
	return t
}

// DefaultResolution is the picture size used for a rung of kbps when the
// catalog names none (close to common streaming ladders).
func DefaultResolution(kbps int) Resolution {
	switch {
	case kbps < 350:
		return Resolution{416, 234}
	case kbps < 700:
		return Resolution{640, 360}
	case kbps < 1100:
		return Resolution{768, 432}
	case kbps < 1800:
		return Resolution{960, 540}
	case kbps < 3500:
		return Resolution{1280, 720}
	default:
		return Resolution{1920, 1080}
	}
}

// Validate checks t after defaults; the error is a [*CatalogError] whose
// Field names the offending field.
func (t Title) Validate() error {
	bad := func(field string, sentinel error, format string, a ...any) error {
		return &CatalogError{Field: field, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))}
	}
	if t.ID == "" {
		return bad("id", ErrMissingField, "a title needs an id")
	}
	if !idPattern.MatchString(t.ID) {
		return bad("id", ErrInvalidValue, "%q: use letters, digits, '.', '_' or '-' (at most 128)", t.ID)
	}
	if t.Duration <= 0 {
		return bad("duration", ErrMissingField, "must be positive")
	}
	if t.Duration > MaxDuration {
		return bad("duration", ErrInvalidValue, "%v is longer than %v", t.Duration, MaxDuration)
	}
	if t.SegmentDuration <= 0 {
		return bad("segment_duration", ErrMissingField, "must be positive")
	}
	if t.SegmentDuration < MinSegmentDuration {
		return bad("segment_duration", ErrInvalidValue, "%v is shorter than %v", t.SegmentDuration, MinSegmentDuration)
	}
	if t.SegmentDuration > t.Duration {
		return bad("segment_duration", ErrInvalidValue, "%v is longer than the title (%v)", t.SegmentDuration, t.Duration)
	}
	if t.FrameRate < 1 || t.FrameRate > MaxFrameRate || math.IsNaN(t.FrameRate) {
		return bad("frame_rate", ErrInvalidValue, "%v outside 1..%v", t.FrameRate, MaxFrameRate)
	}
	frameDur := time.Duration(float64(time.Second) / t.FrameRate)
	if t.SegmentDuration < frameDur {
		return bad("segment_duration", ErrInvalidValue, "%v is shorter than one frame", t.SegmentDuration)
	}
	if t.SegmentDuration > MaxSegmentDuration {
		return bad("segment_duration", ErrInvalidValue, "%v is longer than %v", t.SegmentDuration, MaxSegmentDuration)
	}
	if t.Duration/t.SegmentDuration > 1_000_000 {
		return bad("segment_duration", ErrInvalidValue, "more than 1000000 segments")
	}
	if len(t.LadderKbps) == 0 {
		return bad("ladder_kbps", ErrMissingField, "at least one bitrate needed")
	}
	seen := map[int]bool{}
	for i, k := range t.LadderKbps {
		f := fmt.Sprintf("ladder_kbps[%d]", i)
		if k < MinKbps || k > MaxKbps {
			return bad(f, ErrInvalidValue, "%d outside %d..%d", k, MinKbps, MaxKbps)
		}
		if seen[k] {
			return bad(f, ErrInvalidValue, "%d appears twice", k)
		}
		seen[k] = true
	}
	if nominal := float64(slices.Max(t.LadderKbps)) * 125 * t.SegmentDuration.Seconds(); nominal > MaxSegmentBytes {
		return bad("segment_duration", ErrInvalidValue, "segments of %.0f MB at the top rung; at most %d MB", nominal/1e6, MaxSegmentBytes/1_000_000)
	}
	if !t.NoAudio && (t.AudioKbps < MinKbps || t.AudioKbps > 640) {
		return bad("audio_kbps", ErrInvalidValue, "%d outside %d..640", t.AudioKbps, MinKbps)
	}
	if len(t.Resolutions) != 0 && len(t.Resolutions) != len(t.LadderKbps) {
		return bad("resolutions", ErrInvalidValue, "%d entries for %d rungs", len(t.Resolutions), len(t.LadderKbps))
	}
	for i, r := range t.Resolutions {
		if r.Width < 16 || r.Height < 16 || r.Width > MaxWidth || r.Height > MaxHeight || r.Width%2 != 0 || r.Height%2 != 0 {
			return bad(fmt.Sprintf("resolutions[%d]", i), ErrInvalidValue, "%v: even sizes from 16x16 to %dx%d", r, MaxWidth, MaxHeight)
		}
	}
	if t.Variability < 0 || t.Variability > MaxVariability || math.IsNaN(t.Variability) {
		return bad("variability", ErrInvalidValue, "%v outside 0..%v", t.Variability, MaxVariability)
	}
	if !validEncryption(t.Encryption) {
		return bad("encryption", ErrInvalidValue, "%q: use %s, %s or %s", t.Encryption, AES128, CENC, CBCS)
	}
	return nil
}

// DefaultCatalog returns n titles "t1".."tn" of ten minutes each, 4 s
// segments and a six-rung ladder from 300 to 6000 kbps, seeded by index.
func DefaultCatalog(n int) *Catalog {
	c := &Catalog{}
	for i := 1; i <= n; i++ {
		c.Titles = append(c.Titles, Title{
			ID:              fmt.Sprintf("t%d", i),
			Duration:        10 * time.Minute,
			SegmentDuration: 4 * time.Second,
			LadderKbps:      []int{300, 750, 1200, 2400, 4000, 6000},
			Seed:            int64(i),
		})
	}
	return c
}

// Title returns the title with the given id.
func (c *Catalog) Title(id string) (Title, bool) {
	for _, t := range c.Titles {
		if t.ID == id {
			return t, true
		}
	}
	return Title{}, false
}

// Validate checks every title and that ids are unique.
func (c *Catalog) Validate() error {
	if len(c.Titles) == 0 {
		return &CatalogError{Field: "titles", Err: ErrEmptyCatalog}
	}
	ids := map[string]bool{}
	for i, t := range c.Titles {
		if err := t.WithDefaults().Validate(); err != nil {
			var ce *CatalogError
			if errors.As(err, &ce) {
				ce.Field = fmt.Sprintf("titles[%d].%s", i, ce.Field)
			}
			return err
		}
		if ids[t.ID] {
			return &CatalogError{Field: fmt.Sprintf("titles[%d].id", i), Err: fmt.Errorf("%w: %q appears twice", ErrInvalidValue, t.ID)}
		}
		ids[t.ID] = true
	}
	return nil
}

// LoadCatalog reads and parses a catalog file.
func LoadCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCatalog(data, path)
}

// ParseCatalog parses a YAML catalog strictly: unknown fields, duplicate
// keys and bad values are [*CatalogError]s naming name, the line and the field.
func ParseCatalog(data []byte, name string) (*Catalog, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return nil, &CatalogError{File: name, Line: line, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
	}
	p := parser{file: name}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, p.errf(1, "titles", ErrEmptyCatalog, "empty document")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, "", ErrInvalidValue, "the catalog must be a mapping with a titles list")
	}
	cat := &Catalog{}
	var titlesNode *yaml.Node
	err := p.fields(root, "", func(key string, v *yaml.Node) error {
		switch key {
		case "titles":
			titlesNode = v
			return p.titles(v, cat)
		}
		return p.errf(v.Line, key, ErrUnknownField, "%q (known: titles)", key)
	})
	if err != nil {
		return nil, err
	}
	if titlesNode == nil || len(cat.Titles) == 0 {
		line := root.Line
		if titlesNode != nil {
			line = titlesNode.Line
		}
		return nil, p.errf(line, "titles", ErrEmptyCatalog, "at least one title needed")
	}
	return cat, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError splits a yaml.v3 syntax error into its line and message.
func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, msg[len(m[0]):]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

type parser struct{ file string }

func (p *parser) errf(line int, field string, sentinel error, format string, a ...any) error {
	return &CatalogError{File: p.file, Line: line, Field: field, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))}
}

// fields walks a mapping, rejecting duplicate and non-scalar keys.
func (p *parser) fields(m *yaml.Node, prefix string, each func(key string, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errf(k.Line, prefix, ErrInvalidValue, "keys must be plain names")
		}
		if seen[k.Value] {
			return p.errf(k.Line, prefix+k.Value, ErrInvalidValue, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		if err := each(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) titles(v *yaml.Node, cat *Catalog) error {
	if v.Kind != yaml.SequenceNode {
		return p.errf(v.Line, "titles", ErrInvalidValue, "must be a list of titles")
	}
	ids := map[string]int{}
	for i, tn := range v.Content {
		prefix := fmt.Sprintf("titles[%d]", i)
		t, err := p.title(tn, prefix)
		if err != nil {
			return err
		}
		if prev, dup := ids[t.ID]; dup {
			return p.errf(tn.Line, prefix+".id", ErrInvalidValue, "%q already used by titles[%d]", t.ID, prev)
		}
		ids[t.ID] = i
		cat.Titles = append(cat.Titles, t)
	}
	return nil
}

var titleFields = []string{"id", "duration", "segment_duration", "ladder_kbps", "seed", "frame_rate",
	"audio_kbps", "no_audio", "resolutions", "variability", "sidx", "encryption"}

func (p *parser) title(n *yaml.Node, prefix string) (Title, error) {
	var t Title
	if n.Kind != yaml.MappingNode {
		return t, p.errf(n.Line, prefix, ErrInvalidValue, "a title must be a mapping")
	}
	lines := map[string]int{}
	err := p.fields(n, prefix+".", func(key string, v *yaml.Node) error {
		f := prefix + "." + key
		lines[key] = v.Line
		if v.Kind == yaml.SequenceNode {
			for i, e := range v.Content {
				lines[fmt.Sprintf("%s[%d]", key, i)] = e.Line
			}
		}
		var err error
		switch key {
		case "id":
			t.ID, err = p.str(v, f)
		case "duration":
			t.Duration, err = p.duration(v, f)
		case "segment_duration":
			t.SegmentDuration, err = p.duration(v, f)
		case "ladder_kbps":
			t.LadderKbps, err = p.ints(v, f)
		case "seed":
			err = p.scalar(v, f, &t.Seed, "an integer")
		case "frame_rate":
			err = p.scalar(v, f, &t.FrameRate, "a number")
		case "audio_kbps":
			err = p.scalar(v, f, &t.AudioKbps, "an integer")
		case "no_audio":
			err = p.scalar(v, f, &t.NoAudio, "true or false")
		case "resolutions":
			t.Resolutions, err = p.resolutions(v, f)
		case "variability":
			err = p.scalar(v, f, &t.Variability, "a number")
		case "sidx":
			err = p.scalar(v, f, &t.Sidx, "true or false")
		case "encryption":
			var e string
			e, err = p.str(v, f)
			t.Encryption = Encryption(e)
		default:
			err = p.errf(v.Line, f, ErrUnknownField, "%q (known: %s)", key, strings.Join(titleFields, ", "))
		}
		return err
	})
	if err != nil {
		return t, err
	}
	if err := t.WithDefaults().Validate(); err != nil {
		var ce *CatalogError
		if errors.As(err, &ce) {
			key, _, _ := strings.Cut(ce.Field, "[")
			ce.File = p.file
			ce.Line = n.Line
			if l, ok := lines[ce.Field]; ok {
				ce.Line = l
			} else if l, ok := lines[key]; ok {
				ce.Line = l
			}
			ce.Field = prefix + "." + ce.Field
		}
		return t, err
	}
	return t, nil
}

func (p *parser) scalar(v *yaml.Node, field string, out any, want string) error {
	if v.Kind != yaml.ScalarNode {
		return p.errf(v.Line, field, ErrInvalidValue, "want %s", want)
	}
	if err := v.Decode(out); err != nil {
		return p.errf(v.Line, field, ErrInvalidValue, "%q is not %s", v.Value, want)
	}
	return nil
}

func (p *parser) str(v *yaml.Node, field string) (string, error) {
	var s string
	err := p.scalar(v, field, &s, "a string")
	return s, err
}

// duration accepts Go durations ("4s", "1m30s") or plain seconds (4, 2.5).
func (p *parser) duration(v *yaml.Node, field string) (time.Duration, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, p.errf(v.Line, field, ErrInvalidValue, "want a duration such as 4s")
	}
	if d, err := time.ParseDuration(v.Value); err == nil {
		if d <= 0 {
			return 0, p.errf(v.Line, field, ErrInvalidValue, "%q must be positive", v.Value)
		}
		return d, nil
	}
	secs, err := strconv.ParseFloat(v.Value, 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return 0, p.errf(v.Line, field, ErrInvalidValue, "%q is not a duration such as 4s", v.Value)
	}
	if secs <= 0 || secs > MaxDuration.Seconds() {
		return 0, p.errf(v.Line, field, ErrInvalidValue, "%q outside 0..%v", v.Value, MaxDuration)
	}
	return time.Duration(math.Round(secs * float64(time.Second))), nil
}

func (p *parser) ints(v *yaml.Node, field string) ([]int, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, p.errf(v.Line, field, ErrInvalidValue, "want a list of integers")
	}
	out := make([]int, 0, len(v.Content))
	for i, e := range v.Content {
		var n int
		if err := p.scalar(e, fmt.Sprintf("%s[%d]", field, i), &n, "an integer"); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (p *parser) resolutions(v *yaml.Node, field string) ([]Resolution, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, p.errf(v.Line, field, ErrInvalidValue, "want a list such as [640x360, 1280x720]")
	}
	out := make([]Resolution, 0, len(v.Content))
	for i, e := range v.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, err := p.str(e, f)
		if err != nil {
			return nil, err
		}
		r, err := ParseResolution(s)
		if err != nil {
			return nil, p.errf(e.Line, f, ErrInvalidValue, "%v", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseResolution parses "WIDTHxHEIGHT".
func ParseResolution(s string) (Resolution, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return Resolution{}, fmt.Errorf("%q is not WIDTHxHEIGHT", s)
	}
	return Resolution{w, h}, nil
}

// sortedLadder returns the rung indexes of t ordered by ascending bitrate.
func sortedLadder(t Title) []int {
	idx := make([]int, len(t.LadderKbps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return t.LadderKbps[idx[a]] < t.LadderKbps[idx[b]] })
	return idx
}
