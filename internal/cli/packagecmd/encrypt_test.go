package packagecmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

// TestNewCmdPackageEncrypt: the encryption flags reach the options, and
// contradictory ones are usage errors (exit 2).
func TestNewCmdPackageEncrypt(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    cmdutil.EncryptFlags
		wantErr string
	}{
		{name: "keys and systems", args: []string{"a.mp4", "-o", "out", "--encrypt", "cbcs", "--keys", "k.json", "--drm", "widevine,playready,fairplay", "--clear-lead", "10s"},
			want: cmdutil.EncryptFlags{Scheme: "cbcs", KeysFile: "k.json", DRM: []string{"widevine", "playready", "fairplay"}, ClearLead: 10 * time.Second}},
		{name: "cpix", args: []string{"a.mp4", "-o", "out", "--encrypt", "cenc", "--cpix", "k.xml", "--cpix-key", "me.pem"},
			want: cmdutil.EncryptFlags{Scheme: "cenc", CPIXFile: "k.xml", CPIXKey: "me.pem"}},
		{name: "fairplay with cenc", args: []string{"a.mp4", "-o", "out", "--encrypt", "cenc", "--keys", "k.json", "--drm", "fairplay"}, wantErr: "FairPlay"},
		{name: "keys without encrypt", args: []string{"a.mp4", "-o", "out", "--keys", "k.json"}, wantErr: "need --encrypt"},
		{name: "no key source", args: []string{"a.mp4", "-o", "out", "--encrypt", "cenc"}, wantErr: "needs keys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(cmdutil.EnvKey, "")
			t.Setenv(cmdutil.EnvKeys, "")
			ios, _, _, _ := cmdutil.Test()
			var got *PackageOptions
			cmd := NewCmdPackage(cmdutil.New(ios), func(_ context.Context, o *PackageOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Encrypt); diff != "" {
				t.Errorf("encryption flags (-want +got):\n%s", diff)
			}
		})
	}
}
