package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutDir(t *testing.T) {
	entries := func(t *testing.T, dir string) []string {
		t.Helper()
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	write := func(t *testing.T, path string) {
		t.Helper()
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("commit publishes and cleans up", func(t *testing.T) {
		parent := t.TempDir()
		o, err := NewOutDir(filepath.Join(parent, "out"), false)
		if err != nil {
			t.Fatal(err)
		}
		scratch, err := o.Scratch("renditions")
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(scratch, "r.mp4"))
		write(t, filepath.Join(o.Work, "master.m3u8"))
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := entries(t, parent); len(got) != 1 || got[0] != "out" {
			t.Errorf("parent holds %v, want only out", got)
		}
		if got := entries(t, filepath.Join(parent, "out")); len(got) != 1 || got[0] != "master.m3u8" {
			t.Errorf("out holds %v", got)
		}
		if err := o.Abort(); err != nil { // no-op after Commit
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(parent, "out", "master.m3u8")); err != nil {
			t.Errorf("Abort after Commit removed the result: %v", err)
		}
	})

	t.Run("abort leaves nothing", func(t *testing.T) {
		parent := t.TempDir()
		o, err := NewOutDir(filepath.Join(parent, "out"), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Scratch("renditions"); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(o.Work, "seg.m4s"))
		if err := o.Abort(); err != nil {
			t.Fatal(err)
		}
		if got := entries(t, parent); len(got) != 0 {
			t.Errorf("parent holds %v after Abort", got)
		}
	})

	t.Run("existing output refused without force", func(t *testing.T) {
		parent := t.TempDir()
		final := filepath.Join(parent, "out")
		if err := os.Mkdir(final, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := NewOutDir(final, false)
		if !errors.Is(err, ErrOutputExists) || !strings.HasPrefix(err.Error(), final+": ") {
			t.Fatalf("err = %v, want ErrOutputExists naming %s", err, final)
		}
		if got := entries(t, parent); len(got) != 1 {
			t.Errorf("parent holds %v", got)
		}
	})

	t.Run("force replaces only at commit", func(t *testing.T) {
		parent := t.TempDir()
		final := filepath.Join(parent, "out")
		if err := os.Mkdir(final, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(final, "old.m3u8"))
		o, err := NewOutDir(final, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(final, "old.m3u8")); err != nil {
			t.Fatalf("old output gone before Commit: %v", err)
		}
		write(t, filepath.Join(o.Work, "new.m3u8"))
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := entries(t, final); len(got) != 1 || got[0] != "new.m3u8" {
			t.Errorf("out holds %v, want new.m3u8", got)
		}
		if got := entries(t, parent); len(got) != 1 {
			t.Errorf("parent holds %v, want only out", got)
		}
	})

	t.Run("a file where the folder should be", func(t *testing.T) {
		parent := t.TempDir()
		final := filepath.Join(parent, "out")
		write(t, final)
		if _, err := NewOutDir(final, true); err == nil || !strings.Contains(err.Error(), "not a folder") {
			t.Fatalf("err = %v", err)
		}
	})
}
