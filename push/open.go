package push

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// ErrUnknownScheme is wrapped by Open for a URL whose scheme no backend
// handles.
var ErrUnknownScheme = errors.New("unknown URL scheme (want s3://, https://, http:// or file://)")

// OpenOptions configure the backends Open builds.
type OpenOptions struct {
	// HTTPCredentials returns the credentials for an http(s) store URL
	// (nil: none). The CLI reads them from the environment or a netrc file.
	HTTPCredentials func(u *url.URL) (user string, password, token Secret)
	// HTTP is the template for http(s) stores (credentials are filled in
	// from HTTPCredentials).
	HTTP HTTPOptions
	// S3 configures s3 stores.
	S3 S3Options
	// Retry is the policy of the retry decorator every store is wrapped in.
	Retry RetryPolicy
	// NoRetry returns the bare backend.
	NoRetry bool
}

// Open returns the store for rawURL, wrapped in the retry decorator:
//
//	s3://bucket/prefix       S3 or any S3-compatible server (see NewS3)
//	https://host/prefix      HTTP PUT / WebDAV ingest (see NewHTTP)
//	http://host/prefix       the same; credentials need HTTPOptions.Insecure
//	file:///abs/folder       a local folder (see NewFile)
func Open(ctx context.Context, rawURL string, opts OpenOptions) (Store, error) {
	s, err := openBackend(ctx, rawURL, opts)
	if err != nil {
		return nil, err
	}
	if opts.NoRetry {
		return s, nil
	}
	return WithRetry(s, opts.Retry), nil
}

func openBackend(ctx context.Context, rawURL string, opts OpenOptions) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store URL: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "s3":
		return NewS3(ctx, rawURL, opts.S3)
	case "http", "https":
		ho := opts.HTTP
		if opts.HTTPCredentials != nil {
			ho.User, ho.Password, ho.Token = opts.HTTPCredentials(u)
		}
		return NewHTTP(rawURL, ho)
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%s: file URLs name a local folder: file:///path", rawURL)
		}
		if u.Path == "" || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("%s: file URLs need an absolute path: file:///path", rawURL)
		}
		return NewFile(filepath.Clean(u.Path))
	case "":
		return nil, fmt.Errorf("%q is not a URL: %w", rawURL, ErrUnknownScheme)
	}
	return nil, fmt.Errorf("%s: %q: %w", u.Redacted(), u.Scheme, ErrUnknownScheme)
}
