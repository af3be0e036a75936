package ladder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	td := testdataDir(t) // before t.Chdir below
	dir := t.TempDir()
	// A file named like a built-in: the built-in wins unless the path says
	// otherwise.
	if err := os.WriteFile(filepath.Join(dir, AppleH264), []byte(`{"name": "shadow", "video": [{"width": 640, "height": 360, "bitrate_kbps": 500}]}`), 0o644); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
	tests := []struct {
		name     string
		spec     string
		wantName string // ladder name when it resolves
		wantErr  string
		wantIs   error
	}{
		{name: "built-in h264", spec: AppleH264, wantName: AppleH264},
		{name: "built-in hevc", spec: AppleHEVC, wantName: AppleHEVC},
		{name: "file", spec: filepath.Join(td, "my-ladder.json"), wantName: "my-ladder"},
		{name: "built-in wins over a file of the same name", spec: AppleH264, wantName: AppleH264},
		{name: "explicit path to that file", spec: filepath.Join(dir, AppleH264), wantName: "shadow"},
		{
			name:    "auto",
			spec:    "auto",
			wantErr: "the per-title ladder (auto) is built from the source by trial encodes, not resolved by name",
			wantIs:  ErrAutoNeedsSource,
		},
		{
			name:    "unknown name",
			spec:    "apple-av1",
			wantErr: `unknown ladder "apple-av1": not a built-in ladder (apple-h264, apple-hevc) and no such file`,
			wantIs:  ErrUnknownLadder,
		},
		{
			name:    "empty",
			spec:    "",
			wantErr: "unknown ladder: no ladder named; use apple-h264, apple-hevc or a .json ladder file",
			wantIs:  ErrUnknownLadder,
		},
		{
			name:    "missing json file",
			spec:    "missing.json",
			wantErr: "missing.json: no such file or directory",
			wantIs:  fs.ErrNotExist,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(dir) // so "missing.json" is looked up where nothing is
			l, err := Resolve(tc.spec)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Resolve(%q): no error; want %q", tc.spec, tc.wantErr)
				}
				if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				if !errors.Is(err, tc.wantIs) {
					t.Errorf("errors.Is(%v, %v) = false", err, tc.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tc.spec, err)
			}
			if l.Name != tc.wantName {
				t.Errorf("Resolve(%q).Name = %q; want %q", tc.spec, l.Name, tc.wantName)
			}
		})
	}
}

// testdataDir returns the absolute path of this package's testdata, for tests
// that change the working directory.
func testdataDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	return filepath.Join(wd, "testdata")
}
