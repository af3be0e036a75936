package pushcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// runCmd runs `vpack push args...` as the CLI does, with the real store
// opener, and returns stdout, stderr and the error.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Flags.Quiet = true
	cmd := NewCmdPush(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestPushS3FromEnvironment configures S3 the standard way (AWS_* variables,
// endpoint from AWS_ENDPOINT_URL_S3, path style by default for a custom
// endpoint) against versitygw: a push lands; wrong credentials and a
// missing bucket fail with push.ErrFailed and say why, without the secret.
func TestPushS3FromEnvironment(t *testing.T) {
	gw := pushtest.StartVersityGW(t)
	gw.CreateBucket(t, "titles")
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	t.Setenv("AWS_ACCESS_KEY_ID", gw.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", gw.Secret)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_S3", gw.Endpoint)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	out, _, err := runCmd(t, dir, "--origin", "s3://titles/movie", "--retries", "1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "to s3://titles/movie: 30 objects, 30 uploaded") {
		t.Errorf("stdout %q", out)
	}
	check, err := push.NewS3(context.Background(), "s3://titles/movie", push.S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	pushtest.AssertMirror(t, dir, check)

	_, _, err = runCmd(t, dir, "--origin", "s3://nobucket/movie", "--retries", "1")
	if !errors.Is(err, push.ErrFailed) || !errors.Is(err, push.ErrNoBucket) {
		t.Errorf("missing bucket: err = %v", err)
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-value")
	_, _, err = runCmd(t, dir, "--origin", "s3://titles/movie", "--retries", "1")
	if !errors.Is(err, push.ErrFailed) || !errors.Is(err, push.ErrAccessDenied) || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("wrong secret: err = %v", err)
	}
}

// TestPushHTTPNetrc pushes to nginx with basic auth from a netrc file, and
// fails with a wrong password (push.ErrFailed, access denied).
func TestPushHTTPNetrc(t *testing.T) {
	ng := pushtest.StartNginx(t, pushtest.NginxOptions{User: "ingest", Password: "s3cret-pw"})
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine 127.0.0.1 login ingest password s3cret-pw\n"), 0o600)
	_, _, err := runCmd(t, dir, "--origin", ng.URL+"/live/movie", "--netrc-file", netrc)
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || !errors.Is(err, push.ErrInsecure) {
		t.Fatalf("credentials over http without --insecure: err = %v", err)
	}
	if _, _, err := runCmd(t, dir, "--origin", ng.URL+"/live/movie", "--netrc-file", netrc, "--insecure"); err != nil {
		t.Fatal(err)
	}
	pushtest.AssertMirror(t, dir, mustHTTP(t, ng.URL+"/live/movie", push.HTTPOptions{User: "ingest", Password: "s3cret-pw", Insecure: true}))

	os.WriteFile(netrc, []byte("machine 127.0.0.1 login ingest password wrong\n"), 0o600)
	_, _, err = runCmd(t, dir, "--origin", ng.URL+"/live/movie", "--netrc-file", netrc, "--insecure")
	if !errors.Is(err, push.ErrFailed) || !errors.Is(err, push.ErrAccessDenied) {
		t.Errorf("wrong password: err = %v", err)
	}
}

func mustHTTP(t *testing.T, url string, o push.HTTPOptions) push.Store {
	t.Helper()
	s, err := push.NewHTTP(url, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
