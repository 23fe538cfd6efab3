package steering

import (
	"net/url"
	"strings"
)

// Resolve implements [Selector].
func (m *Manager) Resolve(uri string) string {
	return m.resolveTo(m.target(), uri, "", false)
}

// ResolveStable is Resolve for an HLS variant (rendition=false) or
// rendition (rendition=true) URI with its STABLE-VARIANT-ID /
// STABLE-RENDITION-ID, so PER-VARIANT-URIS / PER-RENDITION-URIS of a
// clone apply.
func (m *Manager) ResolveStable(uri, stableID string, rendition bool) string {
	return m.resolveTo(m.target(), uri, stableID, rendition)
}

// target is the current server, or the one Current would pick first.
func (m *Manager) target() int {
	if m.cur >= 0 {
		return m.cur
	}
	return m.pick(m.now)
}

// resolveTo maps uri onto entry t.
func (m *Manager) resolveTo(t int, uri, stableID string, rendition bool) string {
	if t < 0 || uri == "" {
		return uri
	}
	e := &m.entries[t]
	if e.origin == FromClone {
		// map onto the base pathway, then apply this clone's replacement
		u := m.resolveTo(int(e.cloneOf), uri, stableID, rendition)
		return replace(u, e.clone, stableID, rendition)
	}
	// 1. HLS variant playlists: the k-th variant of one pathway is the
	// k-th of another.
	if m.hls {
		if u, ok := m.mapVariant(uri, e.pathway); ok {
			return u
		}
	}
	// 2. base prefixes (API edges, DASH BaseURLs): longest match.
	owner, best := -1, -1
	for k, b := range m.bases {
		if strings.HasPrefix(uri, b.prefix) && (best < 0 || len(b.prefix) > len(m.bases[best].prefix)) {
			best, owner = k, int(b.entry)
		}
	}
	if best >= 0 {
		if owner == t {
			return uri
		}
		g := m.bases[best].group
		for _, b := range m.bases {
			if int(b.entry) == t && b.group == g {
				rest := uri[len(m.bases[best].prefix):]
				path, q := splitQuery(rest)
				if q == m.entries[owner].query || q == "" {
					// fast path: only the old signature (or none) to swap
					if e.query == "" {
						return b.prefix + path
					}
					return b.prefix + path + "?" + e.query
				}
				return withQuery(b.prefix+rest, m.entries[owner].query, e.query)
			}
		}
	}
	// 3. host match: swap scheme://host[:port].
	h := schemeHost(uri)
	if h == "" || h == e.host || e.host == "" {
		return uri
	}
	for i := range m.entries {
		o := &m.entries[i]
		if i == t || o.host != h {
			continue
		}
		u := e.host + uri[len(h):]
		drop := o.query
		if o.origin == FromClone && o.clone != nil {
			u = dropParams(u, o.clone.Replacement.Params)
		}
		return withQuery(u, drop, e.query)
	}
	return uri
}

// mapVariant finds uri among the HLS variant playlists and returns the
// variant at the same position on pathway key.
func (m *Manager) mapVariant(uri, key string) (string, bool) {
	from, pos := "", -1
	for k, v := range m.variants {
		if v.r.PlaylistURI == uri {
			from = v.key
			pos = 0
			for _, w := range m.variants[:k] {
				if w.key == from {
					pos++
				}
			}
			break
		}
	}
	if pos < 0 {
		return "", false
	}
	if from == key {
		return uri, true
	}
	n := 0
	for _, v := range m.variants {
		if v.key != key {
			continue
		}
		if n == pos {
			return v.r.PlaylistURI, true
		}
		n++
	}
	return "", false
}

// replace applies a clone's URI replacement (HLS rules: a per-variant or
// per-rendition URI replaces the URI whole; otherwise HOST replaces the
// host; then PARAMS are set).
func replace(uri string, c *Clone, stableID string, rendition bool) string {
	if c == nil {
		return uri
	}
	r := &c.Replacement
	per := r.PerVariantURIs
	if rendition {
		per = r.PerRenditionURIs
	}
	whole := false
	if stableID != "" {
		if v, ok := per[stableID]; ok && v != "" {
			uri, whole = v, true
		}
	}
	if (whole || r.Host == "") && len(r.Params) == 0 {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	if !whole && r.Host != "" {
		u.Host = r.Host
	}
	if len(r.Params) > 0 {
		q := u.Query()
		for _, p := range r.Params {
			q.Set(p.Name, p.Value)
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// withQuery removes the parameters of drop (the old server's signature)
// from uri's query and sets those of add (the new server's).
func withQuery(uri, drop, add string) string {
	if drop == "" && add == "" {
		return uri
	}
	base, raw := splitQuery(uri)
	q, err := url.ParseQuery(raw)
	if err != nil {
		return uri
	}
	if d, err := url.ParseQuery(drop); err == nil {
		for k := range d {
			q.Del(k)
		}
	}
	if a, err := url.ParseQuery(add); err == nil {
		for k, v := range a {
			q[k] = v
		}
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

func dropParams(uri string, ps []Param) string {
	if len(ps) == 0 {
		return uri
	}
	base, raw := splitQuery(uri)
	q, err := url.ParseQuery(raw)
	if err != nil {
		return uri
	}
	for _, p := range ps {
		q.Del(p.Name)
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// splitQuery splits uri at '?' (a fragment is dropped).
func splitQuery(uri string) (base, query string) {
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		return uri[:i], uri[i+1:]
	}
	return uri, ""
}

// schemeHost returns "scheme://host[:port]" of an absolute URI, "" otherwise.
func schemeHost(uri string) string {
	i := strings.Index(uri, "://")
	if i <= 0 {
		return ""
	}
	j := strings.IndexAny(uri[i+3:], "/?#")
	if j < 0 {
		return uri
	}
	return uri[:i+3+j]
}
