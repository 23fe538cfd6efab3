package transport

// Filter changes a request before each attempt is sent: sign the URL, add
// an auth header, rewrite the host. Filters run in order on a copy of the
// caller's Request (so a retry is re-signed); an error aborts the fetch
// without retry and is wrapped with ErrFilter.
type Filter func(req *Request) error

// HeaderFilter returns a filter that sets header name to value.
func HeaderFilter(name, value string) Filter {
	return func(req *Request) error {
		req.setHeader(name, value)
		return nil
	}
}

func (r *Request) setHeader(name, value string) {
	if r.Header == nil {
		r.Header = make(map[string][]string, 1)
	}
	r.Header.Set(name, value)
}
