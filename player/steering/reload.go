package steering

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NextReload implements [Selector].
func (m *Manager) NextReload(now time.Duration) (Reload, bool) {
	now = m.advance(now)
	if m.steerURI == "" || m.stopped || m.inFlight {
		return Reload{}, false
	}
	r := Reload{At: m.reloadAt}
	if now >= m.reloadAt {
		r.Due = true
		r.URI = m.reloadURI()
		m.inFlight = true
		// the pathways reported now start a new report period
		for i := range m.entries {
			m.entries[i].selected = i == m.cur
		}
	}
	return r, true
}

// reloadURI adds the pathway and throughput query parameters.
func (m *Manager) reloadURI() string {
	u, err := url.Parse(m.steerURI)
	if err != nil {
		return m.steerURI
	}
	pk, tk := "_HLS_pathway", "_HLS_throughput"
	if m.cfg.Protocol == ProtocolDASH {
		pk, tk = "_DASH_pathway", "_DASH_throughput"
	}
	q := u.Query()
	q.Del(pk)
	q.Del(tk)
	if m.cfg.Protocol == ProtocolDASH {
		// DASH: every pathway selected since the last reload, with its
		// throughput (empty when unknown), positionally paired
		var ids, tps []string
		for _, i := range m.order {
			if e := &m.entries[i]; e.selected || i == m.cur {
				ids = append(ids, e.id)
				tp := ""
				if e.fast > 0 {
					tp = strconv.FormatInt(int64(e.fast), 10)
				}
				tps = append(tps, tp)
			}
		}
		if t := m.target(); len(ids) == 0 && t >= 0 {
			ids, tps = append(ids, m.entries[t].id), append(tps, "")
		}
		if len(ids) > 0 {
			q.Set(pk, strings.Join(ids, ","))
			if strings.Join(tps, "") != "" {
				q.Set(tk, strings.Join(tps, ","))
			}
		}
	} else {
		if t := m.target(); t >= 0 {
			q.Set(pk, m.entries[t].id)
		}
		if m.tput > 0 {
			q.Set(tk, strconv.FormatInt(int64(m.tput), 10))
		}
	}
	u.RawQuery = q.Encode()
	uri := u.String()
	if m.proxy != "" {
		// DASH proxyServerURL: the steering request goes to the proxy
		// with the steering URI in its url parameter
		sep := "?"
		if strings.Contains(m.proxy, "?") {
			sep = "&"
		}
		return m.proxy + sep + "url=" + url.QueryEscape(uri)
	}
	return uri
}

// ReloadDone implements [Selector].
func (m *Manager) ReloadDone(now time.Duration, resp ReloadResponse) error {
	now = m.advance(now)
	m.inFlight = false
	if m.stopped || m.steerURI == "" {
		return nil
	}
	switch {
	case resp.Err != nil || resp.Status == 0:
		m.reloadAt = now + m.ttl
		return nil
	case resp.Status == 410:
		m.stopped = true
		return nil
	case resp.Status == 429:
		d := resp.RetryAfter
		if d <= 0 {
			d = m.ttl
		}
		m.reloadAt = now + d
		return nil
	case resp.Status < 200 || resp.Status > 299:
		m.reloadAt = now + m.ttl
		return nil
	}
	mf, err := ParseManifest(resp.Body)
	if err != nil {
		m.reloadAt = now + m.ttl
		return err
	}
	m.apply(now, mf)
	return nil
}

// apply takes a parsed steering manifest: TTL, RELOAD-URI, clones and the
// priority order.
func (m *Manager) apply(now time.Duration, mf *Manifest) {
	if mf.TTL > 0 {
		m.ttl = mf.TTL
	} else {
		m.ttl = m.cfg.DefaultTTL
	}
	m.reloadAt = now + m.ttl
	if mf.ReloadURI != "" {
		if base, err := url.Parse(m.steerURI); err == nil {
			if ref, err := url.Parse(mf.ReloadURI); err == nil {
				m.steerURI = base.ResolveReference(ref).String()
			}
		}
	}
	for k := range mf.Clones {
		c := &mf.Clones[k]
		if len(m.entries) >= maxEntries || m.find(c.ID) >= 0 {
			continue // an existing ID is never redefined
		}
		b := m.find(c.BaseID)
		if b < 0 {
			continue
		}
		base := m.entries[b]
		cc := *c
		m.entries = append(m.entries, entry{
			id:      c.ID,
			origin:  FromClone,
			pathway: base.pathway,
			host:    cloneHost(base.host, c.Replacement.Host),
			clone:   &cc,
			cloneOf: int32(b),
		})
		m.order = append(m.order, len(m.entries)-1)
	}
	if len(mf.Priority) == 0 {
		return
	}
	// listed known servers first, in the manifest's order; the rest keep
	// their relative order behind them as last resorts
	order := make([]int, 0, len(m.order))
	listed := 0
	for _, id := range mf.Priority {
		if i := m.find(id); i >= 0 {
			order = append(order, i)
			listed++
		}
	}
	if listed == 0 {
		return // nothing we know: keep the current order
	}
	for _, i := range m.order {
		if !contains(order[:listed], i) {
			order = append(order, i)
		}
	}
	changed := !slices.Equal(order, m.order)
	m.order = order
	if changed {
		m.pinned = -1 // the steering server overrides the probe choice
		m.pending = ReasonSteering
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func cloneHost(baseHost, host string) string {
	if host == "" {
		return baseHost
	}
	scheme := "https"
	if j := strings.Index(baseHost, "://"); j > 0 {
		scheme = baseHost[:j]
	}
	return scheme + "://" + host
}
