package keyscmd

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

func TestNewCmdGenerate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    GenerateOptions
		wantErr string
	}{
		{name: "defaults", args: []string{"-o", "keys.json"},
			want: GenerateOptions{Tracks: []string{"all"}, Output: "keys.json", Format: "json"}},
		{name: "classes", args: []string{"--tracks", "audio,SD,hd", "-o", "k.json", "--force"},
			want: GenerateOptions{Tracks: []string{"audio", "sd", "hd"}, Output: "k.json", Format: "json", Force: true}},
		{name: "cpix by name", args: []string{"--tracks", "audio,video", "-o", "k.cpix.xml", "--scheme", "cbcs", "--content-id", "m1"},
			want: GenerateOptions{Tracks: []string{"audio", "video"}, Output: "k.cpix.xml", Format: "cpix", Scheme: "cbcs", ContentID: "m1"}},
		{name: "no output", args: []string{}, wantErr: "--output"},
		{name: "bad class", args: []string{"--tracks", "4k", "-o", "k"}, wantErr: "not a track class"},
		{name: "class twice", args: []string{"--tracks", "hd,hd", "-o", "k"}, wantErr: "twice"},
		{name: "bad format", args: []string{"-o", "k", "--format", "yaml"}, wantErr: "json or cpix"},
		{name: "scheme for json", args: []string{"-o", "k.json", "--scheme", "cenc"}, wantErr: "CPIX"},
		{name: "argument", args: []string{"-o", "k", "extra"}, wantErr: "no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *GenerateOptions
			cmd := NewCmdGenerate(cmdutil.New(ios), func(_ context.Context, o *GenerateOptions) error { got = o; return nil })
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
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(GenerateOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// counter is a deterministic "random" source.
type counter byte

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		*c++
		p[i] = byte(*c)
	}
	return len(p), nil
}

func TestGenerateRun(t *testing.T) {
	dir := t.TempDir()
	ios, _, out, _ := cmdutil.Test()
	path := filepath.Join(dir, "keys.json")
	opts := &GenerateOptions{IO: ios, Tracks: []string{"audio", "sd", "hd"}, Output: path, Format: "json", Rand: new(counter)}
	if err := generateRun(opts); err != nil {
		t.Fatal(err)
	}
	if out.String() != path+"\n" {
		t.Errorf("stdout %q", out.String())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	ks, err := drm.ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	var classes []string
	for _, k := range ks.Keys {
		classes = append(classes, k.Classes...)
		if k.KID[6]>>4 != 4 || k.KID[8]>>6 != 2 {
			t.Errorf("key ID %s is not a version 4 UUID", k.KID)
		}
	}
	if diff := cmp.Diff([]string{"audio", "sd", "hd"}, classes); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if ks.Keys[0].Key.Equal(ks.Keys[1].Key) || ks.Keys[0].KID == ks.Keys[1].KID {
		t.Error("keys repeat")
	}

	// Existing keys are kept without --force.
	err = generateRun(opts)
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwrite: err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(data) {
		t.Error("the existing key file changed")
	}
	opts.Force = true
	if err := generateRun(opts); err != nil {
		t.Fatal(err)
	}

	// --json names key IDs and classes, never keys.
	ios, _, out, _ = cmdutil.Test()
	cpixPath := filepath.Join(dir, "keys.cpix.xml")
	opts = &GenerateOptions{IO: ios, JSON: true, Tracks: []string{"all"}, Output: cpixPath, Format: "cpix", Scheme: "cbcs"}
	if err := generateRun(opts); err != nil {
		t.Fatal(err)
	}
	var res GenerateResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(cpixPath)
	ks, err = drm.ParseCPIX(doc, drm.CPIXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Keys) != 1 || res.Keys[0].KID != ks.Keys[0].KID.String() || ks.Keys[0].Scheme != drm.CBCS {
		t.Errorf("result %+v, document key %v", res, ks.Keys[0].KID)
	}
	keyB64 := string(doc[strings.Index(string(doc), "<pskc:PlainValue>")+17 : strings.Index(string(doc), "</pskc:PlainValue>")])
	if strings.Contains(out.String(), keyB64) || strings.Contains(strings.ToLower(out.String()), "key\":") {
		t.Errorf("--json output holds key material: %s", out.String())
	}
	if st, _ := os.Stat(cpixPath); st.Mode().Perm() != 0o600 {
		t.Errorf("CPIX mode %v", st.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestNewCmdKeys(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	cmd := NewCmdKeys(cmdutil.New(ios))
	cmd.SetArgs([]string{})
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	var fe *cmdutil.FlagError
	if err := cmd.Execute(); !errors.As(err, &fe) {
		t.Errorf("no subcommand: err = %v, want a FlagError", err)
	}
	if sub, _, err := cmd.Find([]string{"generate"}); err != nil || sub.Name() != "generate" {
		t.Errorf("generate: %v %v", sub, err)
	}
}
