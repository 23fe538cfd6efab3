package download

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// mediaDir is the folder (inside a download's folder) segments are stored under.
const mediaDir = "media"

// pathMapper maps remote URIs from an untrusted manifest to local paths.
// A URI must resolve below the folder of the top manifest, on the same
// scheme and host; "..", absolute paths, other hosts, empty or odd path
// elements are refused with an *UnsafePathError. The mapping is stable
// across signed-URL refreshes because the query is not part of it.
type pathMapper struct {
	manifest string
	base     *url.URL // scheme + host + directory path of the top manifest
	used     map[string]string
}

func newPathMapper(manifestURL string) (*pathMapper, error) {
	u, err := url.Parse(manifestURL)
	if err != nil {
		return nil, fmt.Errorf("manifest URL %q: %w", redact(manifestURL), err)
	}
	b := *u
	b.RawQuery, b.Fragment, b.RawPath = "", "", ""
	dir := path.Dir(u.Path)
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	b.Path = dir
	return &pathMapper{manifest: redact(manifestURL), base: &b, used: make(map[string]string)}, nil
}

// local returns the path for uri, relative to the download folder.
// rng, when not empty, makes byte ranges of one file distinct files.
func (m *pathMapper) local(field, uri, rng string) (string, error) {
	bad := func(reason string) error {
		return &UnsafePathError{Manifest: m.manifest, Field: field, URI: redact(uri), Reason: reason}
	}
	if strings.ContainsAny(uri, "\\\x00") {
		return "", bad("backslash or NUL in URI")
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", bad(err.Error())
	}
	if !u.IsAbs() {
		u = m.base.ResolveReference(u)
	}
	if u.Scheme != m.base.Scheme || u.Host != m.base.Host {
		return "", bad("not on the manifest's server " + m.base.Scheme + "://" + m.base.Host)
	}
	// Raw ".." elements are refused even when they stay inside after
	// resolution only if they escape; url.ResolveReference removed them, so
	// check the cleaned path against the base folder.
	p := u.Path
	if strings.Contains(p, "\x00") {
		return "", bad("NUL in path")
	}
	if !strings.HasPrefix(p, m.base.Path) {
		return "", bad("outside the manifest's folder " + m.base.Path)
	}
	rel := strings.TrimPrefix(p, m.base.Path)
	if rel == "" || strings.HasSuffix(rel, "/") {
		return "", bad("names a folder, not a file")
	}
	for _, el := range strings.Split(rel, "/") {
		switch {
		case el == "" || el == "." || el == "..":
			return "", bad("empty, '.' or '..' path element")
		case len(el) > 200:
			return "", bad("path element longer than 200 bytes")
		case strings.HasSuffix(el, partSuffix):
			return "", bad("reserved suffix " + partSuffix)
		}
		for _, r := range el {
			if r < 0x20 || r == 0x7f || r == ':' {
				return "", bad("control character or ':' in path")
			}
		}
	}
	if rng != "" {
		rel += "~" + rng
	}
	key := mediaDir + "/" + rel
	// Within one manifest a path with two different queries names two
	// resources we cannot store apart: refuse rather than lose one.
	full := u.String()
	if prev, ok := m.used[key]; ok && prev != full {
		return "", bad("two different URIs map to " + key)
	}
	m.used[key] = full
	return key, nil
}

// rangeName names a byte range for a local file name.
func rangeName(off, length int64) string {
	if off == 0 && length == 0 {
		return ""
	}
	return fmt.Sprintf("%d-%d", off, length)
}
