package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/encode"
)

// mkfiles creates files (with their folders) under dir.
func mkfiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type found struct {
	ID, Input string
	Probe     bool
}

func discovered(t *testing.T, dir string, include, exclude []string, skip ...string) []found {
	t.Helper()
	titles, err := Discover(context.Background(), dir, include, exclude, skip...)
	if err != nil {
		t.Fatal(err)
	}
	var out []found
	for _, ti := range titles {
		if ti.Path != filepath.Join(dir, filepath.FromSlash(ti.Input)) {
			t.Errorf("%s: Path = %s", ti.ID, ti.Path)
		}
		out = append(out, found{ti.ID, ti.Input, ti.NeedsProbe})
	}
	return out
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir,
		"Movie One.mov", "shows/S01/ep 1.MXF", "shows/S01/ep 1.srt", "notes.txt", "poster.jpg",
		"stem.wav", "README", "clip.weird", ".hidden.mp4", ".cache/x.mp4",
		"packages/old/master.mp4", // the output folder inside the input
		"dup/a.mov", "dup/a.mp4", "Case.mp4", "case.mkv", "-- odd ~name!.mp4")
	got := discovered(t, dir, nil, nil, filepath.Join(dir, "packages"))
	want := []found{
		{"Case_mp4", "Case.mp4", false},
		{"Movie-One", "Movie One.mov", false},
		{"README", "README", true},
		{"case_mkv", "case.mkv", false},
		{"clip", "clip.weird", true},
		{"dup__a_mov", "dup/a.mov", false},
		{"dup__a_mp4", "dup/a.mp4", false},
		{"odd-name", "-- odd ~name!.mp4", false},
		{"shows__S01__ep-1", "shows/S01/ep 1.MXF", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
}

func TestDiscoverGlobs(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir, "a.mov", "b.mp4", "shows/s1/ep1.mov", "shows/s1/ep2.mp4", "shows/trailer.mov", "extras/x.mov")
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{name: "all", want: []string{"a.mov", "b.mp4", "extras/x.mov", "shows/s1/ep1.mov", "shows/s1/ep2.mp4", "shows/trailer.mov"}},
		{name: "name pattern at any depth", include: []string{"*.mov"}, want: []string{"a.mov", "extras/x.mov", "shows/s1/ep1.mov", "shows/trailer.mov"}},
		{name: "double star", include: []string{"shows/**/ep*"}, want: []string{"shows/s1/ep1.mov", "shows/s1/ep2.mp4"}},
		{name: "double star matches no folder", include: []string{"shows/**/trailer.mov"}, want: []string{"shows/trailer.mov"}},
		{name: "single star stays in a folder", include: []string{"shows/*"}, want: []string{"shows/trailer.mov"}},
		{name: "exclude wins", include: []string{"*.mov"}, exclude: []string{"extras/**", "?.mov"}, want: []string{"shows/s1/ep1.mov", "shows/trailer.mov"}},
		{name: "class", include: []string{"ep[!1].*"}, want: []string{"shows/s1/ep2.mp4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range discovered(t, dir, tc.include, tc.exclude) {
				got = append(got, f.Input)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Discover(context.Background(), dir, []string{"[abc"}, nil); !errors.Is(err, ErrBadGlob) {
		t.Errorf("unclosed class: err = %v, want ErrBadGlob", err)
	}
}

func TestDiscoverErrors(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir, "file.mp4")
	for _, p := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "file.mp4")} {
		_, err := Discover(context.Background(), p, nil, nil)
		var ie *encode.InputError
		if !errors.As(err, &ie) {
			t.Errorf("Discover(%s) = %v, want an InputError", p, err)
		}
	}
}

func TestTitleIDLength(t *testing.T) {
	long := ""
	for range 40 {
		long += "abcdefgh/"
	}
	id := titleID(long+"x.mov", false)
	if len(id) > maxIDLen {
		t.Errorf("len(id) = %d, want <= %d", len(id), maxIDLen)
	}
	if id == titleID(long+"y.mov", false) {
		t.Error("two long paths gave one ID")
	}
}
