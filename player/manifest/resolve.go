package manifest

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Resolve resolves ref against base the way players do.
//
// base may be an absolute URL (http, https, file, ...) or a file path,
// relative or absolute. ref may be absolute (with a scheme), scheme-relative
// (//host/p), root-relative (/p), relative (a/b, ../b) or only a query
// (?q). For URL bases RFC 3986 section 5 applies; for file-path bases ref is
// joined to the directory of base (a root-relative ref stays as is).
func Resolve(base, ref string) (string, error) {
	if ref == "" {
		return base, nil
	}
	if hasScheme(ref) {
		return ref, nil
	}
	if base == "" {
		return ref, nil
	}
	if hasScheme(base) {
		b, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("base URI %q: %w", base, err)
		}
		r, err := url.Parse(ref)
		if err != nil {
			return "", fmt.Errorf("URI %q: %w", ref, err)
		}
		return b.ResolveReference(r).String(), nil
	}
	// File path base.
	if strings.HasPrefix(ref, "//") {
		return ref, nil
	}
	q := ""
	p := ref
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		p, q = ref[:i], ref[i:]
	}
	if p == "" {
		// Query or fragment only: keep base's path, replace its query.
		bp := base
		if i := strings.IndexAny(base, "?#"); i >= 0 {
			bp = base[:i]
		}
		return bp + q, nil
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p) + q, nil
	}
	bp := base
	if i := strings.IndexAny(base, "?#"); i >= 0 {
		bp = base[:i]
	}
	dir := ""
	if i := strings.LastIndexAny(bp, `/\`); i >= 0 {
		dir = bp[:i+1]
	}
	joined := path.Clean(dir + p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(joined, "/") {
		joined += "/"
	}
	return joined + q, nil
}

// hasScheme reports whether s starts with "scheme:" (RFC 3986 section 3.1).
// A one-letter scheme is taken as a Windows drive letter (C:\x), not a scheme.
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return false
			}
		case c == ':':
			return i > 1
		default:
			return false
		}
	}
	return false
}
