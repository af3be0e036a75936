package push_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// The conformance suite, against every backend: mem, file, http (the
// in-process x/net/webdav server and nginx) and s3 (versitygw).

func TestMemConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Backend{
		New:    func(t *testing.T) push.Store { return push.NewMem("mem://test") },
		SHA256: true, Metadata: true, ChecksPut: true, ETag: true,
	})
}

func TestFileConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Backend{
		New: func(t *testing.T) push.Store {
			s, err := push.NewFile(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		ChecksPut: true, ETag: true,
	})
}

func TestWebDAVConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Backend{
		New: func(t *testing.T) push.Store {
			url, _ := pushtest.WebDAV(t)
			return newHTTP(t, url+"/titles/movie", push.HTTPOptions{})
		},
		ETag: true,
	})
}

func TestNginxConformance(t *testing.T) {
	ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
	n := 0
	pushtest.Run(t, pushtest.Backend{
		New: func(t *testing.T) push.Store {
			n++ // one fresh prefix per subtest, on one server
			return newHTTP(t, ng.URL+"/titles/"+string(rune('a'+n)), push.HTTPOptions{})
		},
		ETag: true,
	})
}

func TestNginxChunkedConformance(t *testing.T) {
	ng := pushtest.StartNginx(t, pushtest.NginxOptions{CreateFullPutPath: true})
	n := 0
	pushtest.Run(t, pushtest.Backend{
		New: func(t *testing.T) push.Store {
			n++
			return newHTTP(t, ng.URL+"/chunked/"+string(rune('a'+n)), push.HTTPOptions{Chunked: true})
		},
		ETag: true,
	})
}

func TestS3Conformance(t *testing.T) {
	gw := pushtest.StartVersityGW(t)
	gw.CreateBucket(t, "conformance")
	n := 0
	pushtest.Run(t, pushtest.Backend{
		New: func(t *testing.T) push.Store {
			n++
			return newS3(t, gw, "s3://conformance/run"+string(rune('a'+n)), push.S3Options{})
		},
		SHA256: true, Metadata: true, ChecksPut: true, ETag: true,
	})
}

func newHTTP(t testing.TB, url string, o push.HTTPOptions) push.Store {
	t.Helper()
	s, err := push.NewHTTP(url, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newS3(t testing.TB, gw *pushtest.VersityGW, url string, o push.S3Options) push.Store {
	t.Helper()
	if o.Endpoint == "" {
		o.Endpoint = gw.Endpoint
	}
	if o.AccessKeyID == "" {
		o.AccessKeyID, o.SecretAccessKey = gw.AccessKey, push.Secret(gw.Secret)
	}
	o.Region = "us-east-1"
	s, err := push.NewS3(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestS3Multipart: objects above the threshold go up in parts, land whole,
// keep their hash, and a body that does not match its hash is aborted
// before it becomes visible.
func TestS3Multipart(t *testing.T) {
	gw := pushtest.StartVersityGW(t)
	gw.CreateBucket(t, "big")
	s := newS3(t, gw, "s3://big/movie", push.S3Options{MultipartThreshold: 6 << 20, PartSize: 5 << 20})
	ctx := context.Background()
	data := pushtest.Bytes(11<<20+5, 11)
	obj := push.Object{Key: "video/r/media.mp4", Size: int64(len(data)), SHA256: pushtest.SHA256(data), ContentType: "video/mp4"}
	if err := s.Put(ctx, obj, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	got, err := pushtest.ReadAll(s, obj.Key)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), want %d identical", len(got), err, len(data))
	}
	st, err := s.Stat(ctx, obj.Key)
	if err != nil || st.SHA256 != obj.SHA256 || st.Size != obj.Size || st.ContentType != "video/mp4" {
		t.Fatalf("stat: %+v, %v", st, err)
	}
	bad := obj
	bad.Key, bad.SHA256 = "video/r/bad.mp4", pushtest.SHA256([]byte("other"))
	if err := s.Put(ctx, bad, bytes.NewReader(data)); !errors.Is(err, push.ErrChanged) {
		t.Fatalf("multipart put with a wrong hash: err = %v, want ErrChanged", err)
	}
	if _, err := s.Stat(ctx, bad.Key); !errors.Is(err, push.ErrNotFound) {
		t.Fatalf("aborted upload visible: %v", err)
	}
}
