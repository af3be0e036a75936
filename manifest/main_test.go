package manifest

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

// golden compares got with the golden file at path (under
// testdata/golden), or rewrites it under -update. Line endings are
// normalised, so a checkout with CRLF still compares equal.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "golden", filepath.FromSlash(path))
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// validateMPD checks an MPD against the DASH schema with xmllint.
func validateMPD(t *testing.T, mpd []byte) {
	t.Helper()
	xmllint := mediatest.RequireTool(t, "xmllint")
	schema := filepath.Join(mediatest.SharedDir(t), "schemas", "DASH-MPD.xsd")
	file := filepath.Join(t.TempDir(), "manifest.mpd")
	if err := os.WriteFile(file, mpd, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, file).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint --schema DASH-MPD.xsd: %v\n%s\n%s", err, out, mpd)
	}
}
