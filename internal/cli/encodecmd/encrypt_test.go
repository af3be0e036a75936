package encodecmd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

// TestNewCmdEncodeEncrypt: `vpack encode` takes the same encryption flags
// as `vpack package` and refuses FairPlay with cenc before encoding.
func TestNewCmdEncodeEncrypt(t *testing.T) {
	t.Setenv(cmdutil.EnvKey, "")
	t.Setenv(cmdutil.EnvKeys, "")
	run := func(args ...string) (*EncodeOptions, error) {
		ios, _, _, _ := cmdutil.Test()
		var got *EncodeOptions
		cmd := NewCmdEncode(cmdutil.New(ios), func(_ context.Context, o *EncodeOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(ios.Out)
		cmd.SetErr(ios.ErrOut)
		return got, cmd.Execute()
	}
	got, err := run("movie.mov", "-o", "out", "--encrypt", "cbcs", "--keys", "keys.json", "--drm", "widevine,playready,fairplay")
	if err != nil {
		t.Fatal(err)
	}
	want := cmdutil.EncryptFlags{Scheme: "cbcs", KeysFile: "keys.json", DRM: []string{"widevine", "playready", "fairplay"}}
	if diff := cmp.Diff(want, got.Encrypt); diff != "" {
		t.Errorf("encryption flags (-want +got):\n%s", diff)
	}
	_, err = run("movie.mov", "-o", "out", "--encrypt", "cenc", "--keys", "keys.json", "--drm", "fairplay")
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "FairPlay") {
		t.Errorf("fairplay with cenc: err = %v", err)
	}
	t.Setenv(cmdutil.EnvKey, "00112233445566778899aabbccddeeff:000102030405060708090a0b0c0d0e0f")
	if _, err := run("movie.mov", "-o", "out", "--encrypt", "cenc"); err != nil {
		t.Errorf("key from VPACK_KEY: %v", err)
	}
}
