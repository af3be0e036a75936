package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// httpSource reads the resources of a package over HTTP(S). Its root is
// the folder of the URL given to Target/URL: resources are fetched only
// from that scheme, host and path prefix. Requests carry a timeout (the
// client's) and byte limits, and at most sem requests run at once.
type httpSource struct {
	client *http.Client
	root   *url.URL // scheme://host/dir/ with a trailing slash
	sem    chan struct{}
	total  atomic.Int64
}

// newHTTPSource returns the source for the package around u and the name
// of u relative to its root.
func newHTTPSource(u *url.URL, opts Options) (*httpSource, string) {
	root := *u
	root.RawQuery, root.Fragment = "", ""
	dir := root.Path[:strings.LastIndexByte(root.Path, '/')+1]
	if dir == "" {
		dir = "/"
	}
	name := strings.TrimPrefix(root.Path, dir)
	if u.RawQuery != "" {
		name += "?" + u.RawQuery
	}
	root.Path, root.RawPath = dir, ""
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{
			Timeout: opts.HTTPTimeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("too many redirects")
				}
				if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
					return fmt.Errorf("redirect to another host %s: %w", req.URL.Host, errEscape)
				}
				return nil
			},
		}
	}
	return &httpSource{client: client, root: &root, sem: make(chan struct{}, opts.Concurrency)}, name
}

func (s *httpSource) url(name string) string {
	p, q, _ := strings.Cut(name, "?")
	ref := &url.URL{Path: p, RawQuery: q}
	return s.root.ResolveReference(ref).String()
}

func (s *httpSource) display(name string) string { return s.url(name) }
func (s *httpSource) remote() bool               { return true }
func (s *httpSource) bytesRead() int64           { return s.total.Load() }
func (s *httpSource) close() error               { s.client.CloseIdleConnections(); return nil }

func (s *httpSource) read(ctx context.Context, name string, off, n, limit int64) ([]byte, int64, error) {
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url(name), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", errBadURI, err)
	}
	if n >= 0 {
		if n > limit {
			return nil, 0, fmt.Errorf("%d bytes to read, limit %d: %w", n, limit, errTooLarge)
		}
		if n == 0 {
			n = 1 // still learn the size
		}
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	} else if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	size := int64(-1)
	skip := int64(0)
	switch resp.StatusCode {
	case http.StatusOK: // the server ignored the range
		size = resp.ContentLength
		skip = off
	case http.StatusPartialContent:
		first, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || first != off {
			return nil, 0, fmt.Errorf("bad Content-Range %q for bytes %d-", resp.Header.Get("Content-Range"), off)
		}
		size = total
	case http.StatusRequestedRangeNotSatisfiable:
		_, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok {
			total = 0
		}
		return nil, total, nil
	case http.StatusNotFound, http.StatusGone, http.StatusForbidden, http.StatusUnauthorized:
		return nil, 0, fmt.Errorf("HTTP %s: %w", resp.Status, errNotFound)
	default:
		return nil, 0, fmt.Errorf("HTTP %s", resp.Status)
	}
	if n < 0 && size >= 0 && size-off > limit {
		return nil, size, fmt.Errorf("%d bytes, limit %d: %w", size-off, limit, errTooLarge)
	}
	if skip > 0 {
		if _, err := io.CopyN(io.Discard, resp.Body, skip); err != nil {
			return nil, size, nil // shorter than off
		}
	}
	want := limit + 1
	if n >= 0 {
		want = n
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, want))
	s.total.Add(int64(len(data)))
	if err != nil {
		return nil, size, fmt.Errorf("read body: %w", err)
	}
	if n < 0 && int64(len(data)) > limit {
		return nil, size, fmt.Errorf("more than %d bytes: %w", limit, errTooLarge)
	}
	if size < 0 { // chunked 200 without a length: count the rest, within the limit
		rest, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, limit))
		size = skip + int64(len(data)) + rest
	}
	return data, size, nil
}

// parseContentRange parses "bytes first-last/total" or "bytes */total".
func parseContentRange(s string) (first, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	total, err := strconv.ParseInt(tot, 10, 64)
	if err != nil || total < 0 {
		return 0, 0, false
	}
	if rng == "*" {
		return 0, total, true
	}
	a, _, found := strings.Cut(rng, "-")
	first, err = strconv.ParseInt(a, 10, 64)
	return first, total, found && err == nil
}
