package push

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ErrInsecure is wrapped when credentials would be sent over plain http
// without HTTPOptions.Insecure (the CLI's --insecure).
var ErrInsecure = errors.New("credentials over plain http need --insecure")

// HTTPOptions configure the HTTP/WebDAV backend.
type HTTPOptions struct {
	// Client sends the requests; nil means a client built from
	// http.DefaultTransport with a response-header timeout. Per-attempt
	// deadlines come from the context (see RetryPolicy).
	Client *http.Client
	// Basic authentication, or a bearer Token. Never logged (Secret).
	User     string
	Password Secret
	Token    Secret
	// Insecure allows credentials over http:// URLs.
	Insecure bool
	// Chunked sends every body with Transfer-Encoding: chunked instead of a
	// Content-Length, for ingest points that expect chunked uploads. A Put
	// of an Object with Size -1 is always chunked.
	Chunked bool
}

// StatusError is an HTTP response with an unexpected status.
type StatusError struct {
	Method string
	Code   int
	Status string // "503 Service Unavailable"
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s: http %s", e.Method, e.Status) }

// HTTP is the backend for HTTP ingest points and WebDAV servers (nginx
// dav, Apache mod_dav, x/net/webdav): PUT, GET, HEAD and DELETE on the
// prefix URL plus the key. When a PUT answers 409 Conflict or 404 because
// the parent collection is missing (WebDAV without create_full_put_path),
// it creates the collections with MKCOL, top down, and tries once more.
//
// Plain HTTP has no place for a content hash, so Stat and Get report no
// SHA256: callers verify by reading back (Publish does, with
// VerifyHash). What the server returns for Content-Type and Cache-Control
// is up to its configuration; Put sends both.
type HTTP struct {
	base   *url.URL
	opts   HTTPOptions
	client *http.Client
	dirs   sync.Map // collection URL → struct{}: created or known to exist

	mkcolMu sync.Mutex
}

// NewHTTP returns the store at rawURL (http:// or https://).
func NewHTTP(rawURL string, opts HTTPOptions) (*HTTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("http store: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("http store: %q: %w", u.Scheme, ErrUnknownScheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("http store %s: credentials in the URL are not accepted (use VPACK_HTTP_USER/VPACK_HTTP_PASSWORD, VPACK_HTTP_TOKEN or a netrc file)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("http store %s: a query or fragment is not part of a prefix", u.Redacted())
	}
	if u.Scheme == "http" && (opts.User != "" || opts.Token != "") && !opts.Insecure {
		return nil, fmt.Errorf("http store %s: %w", u, ErrInsecure)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	client := opts.Client
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 60 * time.Second
		tr.MaxIdleConnsPerHost = 16
		client = &http.Client{Transport: tr}
	}
	return &HTTP{base: u, opts: opts, client: client}, nil
}

func (h *HTTP) String() string { return h.base.String() }

func (h *HTTP) url(key string) string {
	return h.base.JoinPath(strings.Split(key, "/")...).String()
}

func (h *HTTP) newRequest(ctx context.Context, method, target string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "vpack")
	// The backend compares sizes and hashes, so bytes must come back as
	// stored: no transparent gzip.
	req.Header.Set("Accept-Encoding", "identity")
	switch {
	case h.opts.Token != "":
		req.Header.Set("Authorization", "Bearer "+h.opts.Token.Reveal())
	case h.opts.User != "":
		req.SetBasicAuth(h.opts.User, h.opts.Password.Reveal())
	}
	return req, nil
}

func (h *HTTP) do(req *http.Request) (*http.Response, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func statusErr(resp *http.Response) error {
	err := &StatusError{Method: resp.Request.Method, Code: resp.StatusCode, Status: resp.Status}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w (%w)", ErrAccessDenied, err)
	}
	return err
}

// Put implements Store.
func (h *HTTP) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	if err := CheckKey(obj.Key); err != nil {
		return opErr("put", obj.Key, err)
	}
	code, err := h.put(ctx, obj, body)
	if err == nil {
		return nil
	}
	// WebDAV servers answer a PUT into a missing folder with 409 Conflict
	// (RFC 4918 §9.7.1), some with 404, and nginx without
	// create_full_put_path with 500. Create the folders (those not known
	// to exist: another writer may just have made them) and try again.
	if code != http.StatusConflict && code != http.StatusNotFound && code != http.StatusInternalServerError {
		return opErr("put", obj.Key, err)
	}
	if err := h.mkcols(ctx, obj.Key); err != nil {
		return opErr("put", obj.Key, err)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return opErr("put", obj.Key, err)
	}
	_, err = h.put(ctx, obj, body)
	return opErr("put", obj.Key, err)
}

func (h *HTTP) put(ctx context.Context, obj Object, body io.ReadSeeker) (int, error) {
	g := guard(body)
	defer g.release()
	var rd io.Reader = g // not a *bytes.Reader etc.: net/http guesses no length
	if obj.Size == 0 && !h.opts.Chunked {
		rd = http.NoBody
	}
	req, err := h.newRequest(ctx, http.MethodPut, h.url(obj.Key), rd)
	if err != nil {
		return 0, err
	}
	req.ContentLength = obj.Size
	if h.opts.Chunked || obj.Size < 0 {
		req.ContentLength = -1
	}
	if obj.ContentType != "" {
		req.Header.Set("Content-Type", obj.ContentType)
	}
	if obj.CacheControl != "" {
		req.Header.Set("Cache-Control", obj.CacheControl)
	}
	resp, err := h.do(req)
	if err != nil {
		return 0, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return resp.StatusCode, nil
	}
	return resp.StatusCode, statusErr(resp)
}

// mkcols creates the collections above key with MKCOL, top down, starting
// at the first segment of the URL's path: a fresh WebDAV root may lack the
// prefix too. Failures above the prefix are ignored (those folders may be
// outside the DAV location, and exist); under it they are returned.
func (h *HTTP) mkcols(ctx context.Context, key string) error {
	h.mkcolMu.Lock() // one writer creates a folder; the others find it made
	defer h.mkcolMu.Unlock()
	basePath := strings.Trim(h.base.Path, "/")
	var segs []string
	if basePath != "" {
		segs = strings.Split(basePath, "/")
	}
	nBase := len(segs)
	keySegs := strings.Split(key, "/")
	segs = append(segs, keySegs[:len(keySegs)-1]...)
	for i := range segs {
		u := *h.base
		u.Path = "/" + strings.Join(segs[:i+1], "/") + "/"
		target := u.String()
		if _, ok := h.dirs.Load(target); ok {
			continue
		}
		req, err := h.newRequest(ctx, "MKCOL", target, nil)
		if err != nil {
			return err
		}
		resp, err := h.do(req)
		if err != nil {
			return err
		}
		drain(resp)
		switch {
		case resp.StatusCode == http.StatusCreated, resp.StatusCode == http.StatusMethodNotAllowed,
			resp.StatusCode/100 == 2, resp.StatusCode == http.StatusMovedPermanently:
			h.dirs.Store(target, struct{}{})
		case i < nBase:
			// above the prefix: maybe outside the DAV location
		default:
			return opErr("mkcol", strings.Join(segs[nBase:i+1], "/"), statusErr(resp))
		}
	}
	return nil
}

// Get implements Store.
func (h *HTTP) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := CheckKey(key); err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	req, err := h.newRequest(ctx, http.MethodGet, h.url(key), nil)
	if err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	resp, err := h.do(req)
	if err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	if resp.StatusCode != http.StatusOK {
		drain(resp)
		return nil, Object{}, opErr("get", key, notFoundStatus(resp))
	}
	return resp.Body, httpObject(key, resp), nil
}

// Stat implements Store with HEAD.
func (h *HTTP) Stat(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, opErr("stat", key, err)
	}
	req, err := h.newRequest(ctx, http.MethodHead, h.url(key), nil)
	if err != nil {
		return Object{}, opErr("stat", key, err)
	}
	resp, err := h.do(req)
	if err != nil {
		return Object{}, opErr("stat", key, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK {
		return Object{}, opErr("stat", key, notFoundStatus(resp))
	}
	return httpObject(key, resp), nil
}

func notFoundStatus(resp *http.Response) error {
	err := statusErr(resp)
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return fmt.Errorf("%w (%w)", ErrNotFound, err)
	}
	return err
}

func httpObject(key string, resp *http.Response) Object {
	return Object{
		Key: key, Size: resp.ContentLength, ETag: resp.Header.Get("ETag"),
		ContentType: resp.Header.Get("Content-Type"), CacheControl: resp.Header.Get("Cache-Control"),
	}
}

// Delete implements Store.
func (h *HTTP) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return opErr("delete", key, err)
	}
	req, err := h.newRequest(ctx, http.MethodDelete, h.url(key), nil)
	if err != nil {
		return opErr("delete", key, err)
	}
	resp, err := h.do(req)
	if err != nil {
		return opErr("delete", key, err)
	}
	drain(resp)
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil
	}
	return opErr("delete", key, statusErr(resp))
}

// IsPermanent implements Store: 4xx answers (except 408 Request Timeout,
// 423 Locked, 425 Too Early and 429 Too Many Requests), certificate errors and unknown
// hosts are permanent; 5xx answers and network errors (refused or reset
// connections, timeouts, truncated bodies) are transient.
func (h *HTTP) IsPermanent(err error) bool {
	if p, known := isPermanentCommon(err); known {
		return p
	}
	var se *StatusError
	if errors.As(err, &se) {
		switch se.Code {
		case http.StatusRequestTimeout, http.StatusLocked, http.StatusTooEarly, http.StatusTooManyRequests:
			return false
		}
		return se.Code >= 400 && se.Code < 500
	}
	var (
		certErr    *x509.CertificateInvalidError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		dnsErr     *net.DNSError
		invalidURL *url.Error
	)
	switch {
	case errors.Is(err, ErrInsecure), errors.Is(err, ErrAccessDenied), errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return true
	case errors.As(err, &dnsErr):
		return dnsErr.IsNotFound
	case errors.As(err, &invalidURL) && invalidURL.Err != nil && strings.Contains(invalidURL.Err.Error(), "unsupported protocol"):
		return true
	}
	return false
}
