package push_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// TestPublishBadOrigin: origins that cannot take a push fail with an
// error that wraps ErrFailed and says why; permanent causes fail at once.
func TestPublishBadOrigin(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	ng := pushtest.StartNginx(t, pushtest.NginxOptions{User: "vpack", Password: "right"})
	gw := pushtest.StartVersityGW(t)
	gw.CreateBucket(t, "exists")
	creds := func(user, pass string) func(*url.URL) (string, push.Secret, push.Secret) {
		return func(*url.URL) (string, push.Secret, push.Secret) { return user, push.Secret(pass), "" }
	}
	tests := []struct {
		name    string
		url     string
		opts    push.OpenOptions
		is      error
		wantErr string
	}{
		{name: "unreachable", url: closed + "/movie", is: push.ErrFailed, wantErr: "connection refused (gave up after 3 attempts)"},
		{name: "http wrong password", url: ng.URL + "/movie",
			opts: push.OpenOptions{HTTPCredentials: creds("vpack", "wrong"), HTTP: push.HTTPOptions{Insecure: true}},
			is:   push.ErrAccessDenied, wantErr: "access denied"},
		{name: "http no credentials", url: ng.URL + "/movie", is: push.ErrAccessDenied, wantErr: "401 Unauthorized"},
		{name: "s3 wrong secret", url: "s3://exists/movie",
			opts: push.OpenOptions{S3: push.S3Options{AccessKeyID: gw.AccessKey, SecretAccessKey: "wrong"}},
			is:   push.ErrAccessDenied, wantErr: "SignatureDoesNotMatch"},
		{name: "s3 unknown key", url: "s3://exists/movie",
			opts: push.OpenOptions{S3: push.S3Options{AccessKeyID: "nobody", SecretAccessKey: "wrong"}},
			is:   push.ErrAccessDenied, wantErr: "access denied"},
		{name: "s3 bucket missing", url: "s3://missing/movie", is: push.ErrNoBucket, wantErr: `"missing": bucket does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Retry = fastRetry
			opts.Retry.Attempts = 3
			if strings.HasPrefix(tc.url, "s3:") {
				opts.S3.Endpoint, opts.S3.Region = gw.Endpoint, "us-east-1"
				if opts.S3.AccessKeyID == "" {
					opts.S3.AccessKeyID, opts.S3.SecretAccessKey = gw.AccessKey, push.Secret(gw.Secret)
				}
			}
			origin, err := push.Open(ctx, tc.url, opts)
			if err != nil {
				t.Fatal(err)
			}
			counter := &countingStore{Store: origin}
			_, err = push.Publish(ctx, dir, counter, push.PublishOptions{})
			if !errors.Is(err, push.ErrFailed) || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v\nwant ErrFailed, %v and %q", err, tc.is, tc.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "push to ") {
				t.Errorf("err = %q, want it to start with the store", err)
			}
			if tc.is != push.ErrFailed && counter.gets != 1 {
				t.Errorf("%d reads for a permanent error, want 1 (no retries, no uploads)", counter.gets)
			}
		})
	}
	// The right password works.
	origin, err := push.Open(ctx, ng.URL+"/movie", push.OpenOptions{HTTPCredentials: creds("vpack", "right"),
		HTTP: push.HTTPOptions{Insecure: true}, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := push.Publish(ctx, dir, origin, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
}

// countingStore counts the Gets that reach it (the retry decorator is
// inside it, so one Get is one retried operation).
type countingStore struct {
	push.Store
	gets int
}

func (c *countingStore) Get(ctx context.Context, key string) (io.ReadCloser, push.Object, error) {
	c.gets++
	return c.Store.Get(ctx, key)
}

// TestOpen: URLs vpack refuses before any request.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	withCreds := push.OpenOptions{HTTPCredentials: func(*url.URL) (string, push.Secret, push.Secret) { return "", "", "tok" }}
	tests := []struct {
		url     string
		opts    push.OpenOptions
		is      error
		wantErr string
	}{
		{url: "ftp://host/movie", is: push.ErrUnknownScheme, wantErr: `ftp://host/movie: "ftp": unknown URL scheme`},
		{url: "out/movie", is: push.ErrUnknownScheme, wantErr: `"out/movie" is not a URL`},
		{url: "http://ingest.example/movie", opts: withCreds, is: push.ErrInsecure, wantErr: "credentials over plain http need --insecure"},
		{url: "https://user:pw@ingest.example/movie", wantErr: "credentials in the URL are not accepted"},
		{url: "file://relative/path", wantErr: "file URLs name a local folder"},
		{url: "s3:///prefix", wantErr: "no bucket"},
	}
	for _, tc := range tests {
		_, err := push.Open(ctx, tc.url, tc.opts)
		if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Open(%q) = %v, want %q (%v)", tc.url, err, tc.wantErr, tc.is)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("Open(%q) error shows the password: %v", tc.url, err)
		}
	}
	// https with credentials is fine, and so is http with --insecure.
	for _, u := range []string{"https://ingest.example/movie"} {
		if _, err := push.Open(ctx, u, withCreds); err != nil {
			t.Errorf("Open(%q): %v", u, err)
		}
	}
	o := withCreds
	o.HTTP.Insecure = true
	if s, err := push.Open(ctx, "http://ingest.example/movie", o); err != nil || fmt.Sprint(s) != "http://ingest.example/movie" {
		t.Errorf("Open with --insecure: %v, %v", s, err)
	}
}
