package probecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

func TestNewCmdProbe(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Flags.JSON = true
	var got *ProbeOptions
	cmd := NewCmdProbe(f, func(_ context.Context, o *ProbeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"movie.mov"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Input != "movie.mov" || !got.JSON {
		t.Errorf("options = %+v", got)
	}
}

// fixtureRunner answers ffprobe with a captured fixture, like the real tool.
type fixtureRunner struct{ json []byte }

func (r fixtureRunner) Run(_ context.Context, _ encode.Tool, args []string, stdout io.Writer) error {
	if strings.Contains(strings.Join(args, " "), "packet=") {
		_, err := stdout.Write([]byte(`{"packets": []}`))
		return err
	}
	_, err := stdout.Write(r.json)
	return err
}

func TestProbeRun(t *testing.T) {
	fixture, err := os.ReadFile("../../../encode/testdata/probe/rotated_cw90.json")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "phone.mp4")
	if err := os.WriteFile(in, []byte("not read: the runner is a fake"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, asJSON := range []bool{false, true} {
		ios, _, out, _ := cmdutil.Test()
		opts := &ProbeOptions{IO: ios, JSON: asJSON, Input: in,
			FFmpeg: func() (encode.Runner, error) { return fixtureRunner{fixture}, nil }}
		if err := probeRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if asJSON {
			var p encode.Probe
			if err := json.Unmarshal(out.Bytes(), &p); err != nil {
				t.Fatalf("--json output is not a Probe: %v\n%s", err, out)
			}
			if len(p.Video) != 1 || p.Video[0].Rotation != 90 {
				t.Errorf("probe = %+v", p)
			}
			continue
		}
		if !bytes.Contains(out.Bytes(), []byte("rotation 90°")) {
			t.Errorf("table lacks the rotation:\n%s", out)
		}
	}
}
