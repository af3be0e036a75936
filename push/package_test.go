package push_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// TestReadPackage classifies the files of a synthetic and a real package
// and assigns each to its track from the manifests and package.json.
func TestReadPackage(t *testing.T) {
	dirs := map[string]string{"synthetic": synthetic(t)}
	if !testing.Short() {
		dirs["real"] = pushtest.RealPackage(t)
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			pkg, err := push.ReadPackage(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer pkg.Close()
			if n := len(pushtest.Files(t, dir)); len(pkg.Files) != n {
				t.Fatalf("%d files, want %d", len(pkg.Files), n)
			}
			var last push.Class
			for _, f := range pkg.Files {
				if f.Class < last {
					t.Errorf("%s (%s) after a %s", f.Key, f.Class, last)
				}
				last = f.Class
				var wantClass push.Class
				switch {
				case f.Key == "master.m3u8", f.Key == "manifest.mpd", f.Key == "package.json":
					wantClass = push.ClassManifest
				case strings.HasSuffix(f.Key, ".m3u8"):
					wantClass = push.ClassPlaylist
				}
				if f.Class != wantClass {
					t.Errorf("%s: class %s, want %s", f.Key, f.Class, wantClass)
				}
				// Files under video/<id>/ and audio/<id>/ belong to <id>.
				parts := strings.Split(f.Key, "/")
				wantTrack := ""
				if len(parts) == 3 {
					wantTrack = parts[1]
				}
				if f.Track != wantTrack {
					t.Errorf("%s: track %q, want %q", f.Key, f.Track, wantTrack)
				}
				data, _ := os.ReadFile(filepath.Join(dir, f.Key))
				if f.SHA256 != pushtest.SHA256(data) || f.Size != int64(len(data)) {
					t.Errorf("%s: size/hash wrong", f.Key)
				}
			}
			var total int64
			for _, tr := range pkg.Tracks {
				total += tr.Bytes
				if tr.BandwidthBps <= 0 || tr.Objects == 0 {
					t.Errorf("track %+v", tr)
				}
			}
			if total == 0 || total >= pkg.Bytes() {
				t.Errorf("tracks own %d of %d bytes", total, pkg.Bytes())
			}
		})
	}
}

// TestSummaryCompatible: what push reads of package.json is what the
// packager writes.
func TestSummaryCompatible(t *testing.T) {
	in := packager.Summary{Version: packager.SummaryVersion, Tracks: []packager.TrackSummary{{
		ID: "720p", Type: "video", BandwidthBps: 3_000_000, Segments: 3, Init: "video/720p/init.mp4",
		Playlist: "video/720p/index.m3u8", FirstSegment: "video/720p/seg-00001.m4s", SegmentFormat: "video/720p/seg-%05d.m4s",
	}}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var got push.Summary
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := push.Summary{Version: 1, Tracks: []push.SummaryTrack{{
		ID: "720p", Type: "video", BandwidthBps: 3_000_000, Segments: 3, Init: "video/720p/init.mp4",
		Playlist: "video/720p/index.m3u8", FirstSegment: "video/720p/seg-00001.m4s", SegmentFormat: "video/720p/seg-%05d.m4s",
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("package.json as push reads it (-want +got):\n%s", diff)
	}
	if push.SummaryFile != packager.SummaryFile {
		t.Errorf("SummaryFile %q, packager writes %q", push.SummaryFile, packager.SummaryFile)
	}
}

// TestReadPackageBad: folders that must not be published, each a
// *PackageError naming the folder.
func TestReadPackageBad(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(t *testing.T, dir string) string // returns the dir to read
		wantErr string
		is      error
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") }, "no such folder", nil},
		{"file", func(t *testing.T, dir string) string { return filepath.Join(dir, "package.json") }, "not a folder", nil},
		{"no package.json", func(t *testing.T, dir string) string {
			os.Remove(filepath.Join(dir, "package.json"))
			return dir
		}, "no package.json", push.ErrIncomplete},
		{"segment missing", func(t *testing.T, dir string) string {
			os.Remove(filepath.Join(dir, "video", "540p-2000k", "seg-00003.m4s"))
			return dir
		}, "video/540p-2000k/seg-00003.m4s, which is missing", push.ErrIncomplete},
		{"bad package.json", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "package.json"), []byte("{"), 0o644)
			return dir
		}, "package.json: unexpected end of JSON input", nil},
		{"symlink out", func(t *testing.T, dir string) string {
			secret := filepath.Join(t.TempDir(), "secret.txt")
			os.WriteFile(secret, []byte("secret"), 0o600)
			os.Symlink(secret, filepath.Join(dir, "video", "leak.m4s"))
			return dir
		}, "video/leak.m4s: symlink leads out of the package", nil},
		{"manifest escapes", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "video", "360p-730k", "index.m3u8")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(data), "seg-00001.m4s", "../../../../etc/passwd", 1)), 0o644)
			return dir
		}, "leaves the root", push.ErrIncomplete},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.mutate(t, synthetic(t))
			_, err := push.ReadPackage(context.Background(), dir)
			var pe *push.PackageError
			if !errors.As(err, &pe) || pe.InputFile() != dir {
				t.Fatalf("err = %v, want a *PackageError for %s", err, dir)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("err = %q, want it to contain %q (and wrap %v)", err, tc.wantErr, tc.is)
			}
		})
	}
}

// TestReadPackageLinksInside: a symlink to a file inside the package is
// published as that file's content; hidden files are left out.
func TestReadPackageLinksInside(t *testing.T) {
	dir := synthetic(t)
	if err := os.Symlink("seg-00001.m4s", filepath.Join(dir, "video", "360p-730k", "alias.m4s")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".master.m3u8.123.tmp"), []byte("half"), 0o644)
	pkg, err := push.ReadPackage(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.Close()
	var alias, seg string
	for _, f := range pkg.Files {
		switch f.Key {
		case "video/360p-730k/alias.m4s":
			alias = f.SHA256
		case "video/360p-730k/seg-00001.m4s":
			seg = f.SHA256
		case ".master.m3u8.123.tmp":
			t.Error("hidden temporary file listed")
		}
	}
	if alias == "" || alias != seg {
		t.Errorf("alias hash %q, segment %q", alias, seg)
	}
}
