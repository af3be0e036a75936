// Package mediatest generates small media files with ffmpeg's lavfi sources
// for tests, and decides whether a test that needs ffmpeg runs or skips.
//
// Tests call RequireFFmpeg(t) first. It skips when ffmpeg/ffprobe are not on
// PATH or under -short; with VPACK_REQUIRE_FFMPEG=1 (set in CI) a missing
// tool fails the test instead, so CI can never pass by skipping.
package mediatest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireFFmpeg skips (or, with VPACK_REQUIRE_FFMPEG=1, fails) the test when
// ffmpeg or ffprobe cannot be run.
func RequireFFmpeg(t testing.TB) {
	t.Helper()
	required := os.Getenv("VPACK_REQUIRE_FFMPEG") == "1"
	if testing.Short() && !required {
		t.Skip("needs ffmpeg; skipped under -short")
	}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if required {
				t.Fatalf("VPACK_REQUIRE_FFMPEG=1 but %s is not on PATH", tool)
			}
			t.Skipf("%s not on PATH", tool)
		}
	}
}

// Generate runs ffmpeg with args (everything after the global options) to
// write dir/name and returns the path. Typical args:
//
//	"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3",
//	"-f", "lavfi", "-i", "sine=frequency=440:duration=3",
//	"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"
func Generate(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	full := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)
	full = append(full, out)
	cmd := exec.Command("ffmpeg", full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("generate %s: ffmpeg %v: %v\n%s", name, full, err, stderr.String())
	}
	return out
}

// Clip writes a small H.264 + AAC MP4 (320x180, 25 fps, given seconds) and
// returns its path: the default input for tests that need "some video".
func Clip(t testing.TB, dir string, seconds string) string {
	t.Helper()
	return Generate(t, dir, "clip.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration="+seconds,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+seconds,
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
		"-c:a", "aac", "-b:a", "96k", "-shortest")
}

// RequireTool skips (or fails under VPACK_REQUIRE_FFMPEG=1, i.e. in CI) when
// the named program is not on PATH. Use it for xmllint, nginx and friends
// that the set-up scripts install.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VPACK_REQUIRE_FFMPEG") == "1" {
			t.Fatalf("%s is not on PATH (make test installs it)", name)
		}
		t.Skipf("%s not on PATH", name)
	}
	return p
}

// SharedDir returns the project's shared folder (schemas, VMAF models): the
// "shared" folder beside the repository, or $VPACK_SHARED. Those files are
// read from there, never copied into the repository.
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("VPACK_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if _, err := os.Stat(filepath.Join(shared, "schemas", "DASH-MPD.xsd")); err != nil {
				t.Fatalf("shared folder not found at %s (set VPACK_SHARED): %v", shared, err)
			}
			return shared
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
	}
}
