package steering

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Manifest is a parsed HLS or DASH content-steering manifest.
type Manifest struct {
	Version int // VERSION; only 1 is defined
	// TTL is how long the manifest is valid; 0 when absent (the caller
	// then uses its default).
	TTL time.Duration
	// ReloadURI replaces the steering URI for the next reload when set
	// (may be relative to the URI the manifest came from).
	ReloadURI string
	// Priority is PATHWAY-PRIORITY (HLS) or SERVICE-LOCATION-PRIORITY
	// (DASH), best first.
	Priority []string
	Clones   []Clone // PATHWAY-CLONES, in manifest order
}

// Clone is one PATHWAY-CLONES entry: a new pathway made from BaseID by
// URI replacement.
type Clone struct {
	BaseID      string         // BASE-ID: the pathway the clone copies
	ID          string         // ID: the new pathway's ID
	Replacement URIReplacement // URI-REPLACEMENT: how its URIs are made
}

// URIReplacement says how URIs of the base pathway become the clone's.
// PerVariantURIs / PerRenditionURIs (by STABLE-VARIANT-ID /
// STABLE-RENDITION-ID) replace a URI whole; otherwise Host replaces the
// host. Params are then added, replacing parameters of the same name.
type URIReplacement struct {
	Host             string            // HOST: replaces the host of the base pathway's URIs; "" keeps it
	Params           []Param           // PARAMS, sorted by name
	PerVariantURIs   map[string]string // PER-VARIANT-URIS: STABLE-VARIANT-ID to URI
	PerRenditionURIs map[string]string // PER-RENDITION-URIS: STABLE-RENDITION-ID to URI
}

// Param is one query parameter: Name=Value (unescaped).
type Param struct{ Name, Value string }

// ManifestError says which field of a steering manifest is bad.
type ManifestError struct {
	Field string // JSON field, e.g. "PATHWAY-CLONES[0].ID"; "" for the document as a whole
	Err   error  // what is wrong with it
}

func (e *ManifestError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("steering manifest: %v", e.Err)
	}
	return fmt.Sprintf("steering manifest: field %s: %v", e.Field, e.Err)
}

// Unwrap returns both the cause and ErrBadManifest.
func (e *ManifestError) Unwrap() []error { return []error{ErrBadManifest, e.Err} }

// maxManifestBytes bounds the body a manifest may have.
const maxManifestBytes = 1 << 20

type rawReplacement struct {
	Host             *string           `json:"HOST"`
	Params           map[string]string `json:"PARAMS"`
	PerVariantURIs   map[string]string `json:"PER-VARIANT-URIS"`
	PerRenditionURIs map[string]string `json:"PER-RENDITION-URIS"`
}

type rawClone struct {
	BaseID      *string         `json:"BASE-ID"`
	ID          *string         `json:"ID"`
	Replacement *rawReplacement `json:"URI-REPLACEMENT"`
}

type rawManifest struct {
	Version         *int       `json:"VERSION"`
	TTL             *float64   `json:"TTL"`
	ReloadURI       *string    `json:"RELOAD-URI"`
	PathwayPriority []string   `json:"PATHWAY-PRIORITY"`
	ServicePriority []string   `json:"SERVICE-LOCATION-PRIORITY"`
	Clones          []rawClone `json:"PATHWAY-CLONES"`
}

// ParseManifest parses a steering manifest (HLS or DASH dialect). Unknown
// keys are ignored as the specifications require. VERSION must be 1.
// Errors are *ManifestError wrapping ErrBadManifest.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > maxManifestBytes {
		return nil, &ManifestError{Err: fmt.Errorf("%d bytes exceed the %d byte limit", len(data), maxManifestBytes)}
	}
	var raw rawManifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok {
			field = te.Field
		}
		return nil, &ManifestError{Field: field, Err: err}
	}
	if dec.More() {
		return nil, &ManifestError{Err: fmt.Errorf("trailing data after the JSON object")}
	}
	if raw.Version == nil {
		return nil, &ManifestError{Field: "VERSION", Err: fmt.Errorf("missing")}
	}
	if *raw.Version != 1 {
		return nil, &ManifestError{Field: "VERSION", Err: fmt.Errorf("unsupported version %d", *raw.Version)}
	}
	m := &Manifest{Version: *raw.Version}
	if raw.TTL != nil {
		ttl := *raw.TTL
		if ttl <= 0 || ttl > 86400*365 {
			return nil, &ManifestError{Field: "TTL", Err: fmt.Errorf("%v out of range (0, 31536000]", ttl)}
		}
		m.TTL = time.Duration(ttl * float64(time.Second))
	}
	if raw.ReloadURI != nil {
		m.ReloadURI = *raw.ReloadURI
	}
	prio := raw.PathwayPriority
	field := "PATHWAY-PRIORITY"
	if prio == nil {
		prio, field = raw.ServicePriority, "SERVICE-LOCATION-PRIORITY"
	}
	seen := make(map[string]bool, len(prio))
	for i, id := range prio {
		if id == "" {
			return nil, &ManifestError{Field: fmt.Sprintf("%s[%d]", field, i), Err: fmt.Errorf("empty ID")}
		}
		if seen[id] {
			continue // duplicates keep their first position
		}
		seen[id] = true
		m.Priority = append(m.Priority, id)
	}
	for i, rc := range raw.Clones {
		f := fmt.Sprintf("PATHWAY-CLONES[%d]", i)
		if rc.BaseID == nil || *rc.BaseID == "" {
			return nil, &ManifestError{Field: f + ".BASE-ID", Err: fmt.Errorf("missing")}
		}
		if rc.ID == nil || *rc.ID == "" {
			return nil, &ManifestError{Field: f + ".ID", Err: fmt.Errorf("missing")}
		}
		if rc.Replacement == nil {
			return nil, &ManifestError{Field: f + ".URI-REPLACEMENT", Err: fmt.Errorf("missing")}
		}
		c := Clone{BaseID: *rc.BaseID, ID: *rc.ID}
		r := rc.Replacement
		if r.Host != nil {
			c.Replacement.Host = *r.Host
		}
		c.Replacement.Params = sortedParams(r.Params)
		c.Replacement.PerVariantURIs = r.PerVariantURIs
		c.Replacement.PerRenditionURIs = r.PerRenditionURIs
		m.Clones = append(m.Clones, c)
	}
	return m, nil
}

func sortedParams(p map[string]string) []Param {
	if len(p) == 0 {
		return nil
	}
	out := make([]Param, 0, len(p))
	for k, v := range p {
		if k == "" {
			continue
		}
		out = append(out, Param{k, v})
	}
	// insertion sort: tiny maps
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Encode writes m as a steering manifest in the dialect of p
// (PATHWAY-PRIORITY for HLS, SERVICE-LOCATION-PRIORITY for DASH), e.g.
// for a steering server. TTL is written in whole seconds (at least 1).
func (m *Manifest) Encode(p Protocol) ([]byte, error) {
	type rep struct {
		Host             string            `json:"HOST,omitempty"`
		Params           map[string]string `json:"PARAMS,omitempty"`
		PerVariantURIs   map[string]string `json:"PER-VARIANT-URIS,omitempty"`
		PerRenditionURIs map[string]string `json:"PER-RENDITION-URIS,omitempty"`
	}
	type clone struct {
		BaseID      string `json:"BASE-ID"`
		ID          string `json:"ID"`
		Replacement rep    `json:"URI-REPLACEMENT"`
	}
	type out struct {
		Version         int      `json:"VERSION"`
		TTL             int64    `json:"TTL,omitempty"`
		ReloadURI       string   `json:"RELOAD-URI,omitempty"`
		PathwayPriority []string `json:"PATHWAY-PRIORITY,omitempty"`
		ServicePriority []string `json:"SERVICE-LOCATION-PRIORITY,omitempty"`
		Clones          []clone  `json:"PATHWAY-CLONES,omitempty"`
	}
	o := out{Version: 1, ReloadURI: m.ReloadURI}
	if m.TTL > 0 {
		o.TTL = max(1, int64((m.TTL+time.Second/2)/time.Second))
	}
	if p == ProtocolDASH {
		o.ServicePriority = m.Priority
	} else {
		o.PathwayPriority = m.Priority
	}
	for _, c := range m.Clones {
		r := rep{Host: c.Replacement.Host, PerVariantURIs: c.Replacement.PerVariantURIs, PerRenditionURIs: c.Replacement.PerRenditionURIs}
		if len(c.Replacement.Params) > 0 {
			r.Params = make(map[string]string, len(c.Replacement.Params))
			for _, p := range c.Replacement.Params {
				r.Params[p.Name] = p.Value
			}
		}
		o.Clones = append(o.Clones, clone{BaseID: c.BaseID, ID: c.ID, Replacement: r})
	}
	return json.Marshal(o)
}
