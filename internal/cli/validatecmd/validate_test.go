package validatecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/validate"
)

func TestNewCmdValidate(t *testing.T) {
	t.Setenv("VPACK_MPD_SCHEMA", "/s/DASH-MPD.xsd")
	tests := []struct {
		name    string
		args    []string
		json    bool
		want    ValidateOptions
		wantErr string
	}{
		{name: "folder", args: []string{"out/"},
			want: ValidateOptions{Target: "out/", MPDSchema: "/s/DASH-MPD.xsd", HTTPTimeout: 30 * time.Second}},
		{name: "everything", args: []string{"https://cdn.example/t/manifest.mpd", "--strict", "--junit", "r.xml", "--keys", "k.json",
			"--mpd-schema", "", "--concurrency", "4", "--http-timeout", "5s"}, json: true,
			want: ValidateOptions{Target: "https://cdn.example/t/manifest.mpd", JSON: true, Strict: true, JUnit: "r.xml", Keys: "k.json",
				Concurrency: 4, HTTPTimeout: 5 * time.Second}},
		{name: "rules", args: []string{"--rules"}, want: ValidateOptions{Rules: true, MPDSchema: "/s/DASH-MPD.xsd", HTTPTimeout: 30 * time.Second}},
		{name: "no target", args: nil, wantErr: "expected one folder, manifest or URL"},
		{name: "two targets", args: []string{"a", "b"}, wantErr: "expected one folder, manifest or URL, got 2"},
		{name: "rules with a target", args: []string{"--rules", "out"}, wantErr: "--rules takes no target"},
		{name: "negative concurrency", args: []string{"out", "--concurrency", "-1"}, wantErr: "--concurrency must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			f := cmdutil.New(ios)
			f.Flags.JSON = tc.json
			var got *ValidateOptions
			cmd := NewCmdValidate(f, func(_ context.Context, o *ValidateOptions) error { got = o; return nil })
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
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(ValidateOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// brokenPackage writes a package whose only problems need no media: a
// variant whose audio group and media playlist do not exist.
func brokenPackage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	master := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=1500000,AVERAGE-BANDWIDTH=1200000,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO=\"aac\"\nvideo/720p/index.m3u8\n"
	if err := os.WriteFile(filepath.Join(dir, "master.m3u8"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, opts *ValidateOptions) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	opts.IO = ios
	opts.Factory = cmdutil.New(ios)
	err := validateRun(context.Background(), opts)
	return out.String(), err
}

func TestValidateRun(t *testing.T) {
	t.Run("rules", func(t *testing.T) {
		out, err := run(t, &ValidateOptions{Rules: true})
		if err != nil || !strings.HasPrefix(out, "RULE ") || !regexp.MustCompile(`\nHLS-TARGETDURATION +error +an EXTINF`).MatchString(out) {
			t.Errorf("err %v, output:\n%s", err, out)
		}
		out, err = run(t, &ValidateOptions{Rules: true, JSON: true})
		var rules []validate.Rule
		if err != nil || json.Unmarshal([]byte(out), &rules) != nil || len(rules) != len(validate.Rules()) {
			t.Errorf("--rules --json: err %v, %d rules:\n%s", err, len(rules), out)
		}
	})
	t.Run("findings", func(t *testing.T) {
		dir := brokenPackage(t)
		junit := filepath.Join(t.TempDir(), "report.xml")
		out, err := run(t, &ValidateOptions{Target: dir, JUnit: junit})
		if !errors.Is(err, validate.ErrFailed) {
			t.Fatalf("err = %v, want ErrFailed", err)
		}
		for _, s := range []string{"error HLS-GROUP-MISSING master.m3u8:3: ", "error REF-MISSING master.m3u8:4: ", ": 2 errors, 0 warnings"} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q:\n%s", s, out)
			}
		}
		b, err := os.ReadFile(junit)
		if err != nil || !bytes.Contains(b, []byte(`<failure message="1 finding(s); RFC 8216 §4.3.4.2" type="error">`)) {
			t.Errorf("JUnit report (%v):\n%s", err, b)
		}
	})
	t.Run("json", func(t *testing.T) {
		out, err := run(t, &ValidateOptions{Target: brokenPackage(t), JSON: true})
		if !errors.Is(err, validate.ErrFailed) {
			t.Fatalf("err = %v", err)
		}
		var r struct {
			Errors   int
			Findings []validate.Finding
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil || r.Errors != 2 || r.Findings[0].Rule != "HLS-GROUP-MISSING" {
			t.Errorf("--json (%v):\n%s", err, out)
		}
	})
	t.Run("missing target", func(t *testing.T) {
		_, err := run(t, &ValidateOptions{Target: filepath.Join(t.TempDir(), "nope")})
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %#v, want a FileError wrapping ErrNotExist", err)
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		keys := filepath.Join(t.TempDir(), "keys.json")
		os.WriteFile(keys, []byte(`{"0123456789abcdef0123456789abcdef":"SECRETSECRET"}`), 0o600)
		_, err := run(t, &ValidateOptions{Target: brokenPackage(t), Keys: keys})
		var fe *FileError
		if !errors.As(err, &fe) || fe.InputFile() != keys || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("err = %v, want a FileError without the key", err)
		}
	})
}

// TestValidateRunFFmpegDASH validates what ffmpeg's dash muxer writes:
// warnings only (no CMAF brands), so it passes, and fails with --strict.
func TestValidateRunFFmpegDASH(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	in := mediatest.Clip(t, dir, "3")
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	mediatest.Generate(t, out, "manifest.mpd", "-i", in, "-c", "copy", "-f", "dash", "-seg_duration", "2")
	text, err := run(t, &ValidateOptions{Target: out})
	if err != nil || !strings.Contains(text, "warning CMAF-BRAND") {
		t.Errorf("err %v, output:\n%s", err, text)
	}
	if _, err := run(t, &ValidateOptions{Target: out, Strict: true}); !errors.Is(err, validate.ErrFailed) {
		t.Errorf("--strict: err = %v, want ErrFailed", err)
	}
}
