package validate_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/validate"
)

// TestVpackEncryptedPackage validates packages encrypted by vpack's own
// packager and drm packages (not by the test helpers): cenc with
// Widevine, PlayReady and ClearKey; cbcs with FairPlay too and a clear
// lead (a clear twin sample entry for the first segment). With the keys,
// a sample of segments is decrypted and checked.
func TestVpackEncryptedPackage(t *testing.T) {
	genInputs(t)
	keyFile := []byte(`{"version":1,"keys":[` +
		`{"kid":"0123456789abcdef0123456789abcdef","key":"00112233445566778899aabbccddeeff","tracks":["audio"]},` +
		`{"kid":"fedcba9876543210fedcba9876543210","key":"ffeeddccbbaa99887766554433221100","tracks":["sd","hd","uhd"]}]}`)
	keys, err := validate.ParseKeys(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scheme, systems string
		clearLead       time.Duration
	}{
		{"cenc", "widevine,playready,clearkey", 0},
		{"cbcs", "widevine,playready,fairplay,clearkey", 2 * time.Second},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			ks, err := drm.ParseKeyFile(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			scheme, err := drm.ParseScheme(tc.scheme)
			if err != nil {
				t.Fatal(err)
			}
			systems, err := drm.ParseSystems(tc.systems)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "out")
			_, err = packager.Run(context.Background(), packager.Config{
				Inputs:          []packager.Input{{Path: inputs.v180}, {Path: inputs.v90}, {Path: inputs.audio, Language: "en"}},
				OutDir:          dir,
				SegmentDuration: 2 * time.Second,
				HLS:             &manifest.HLSOptions{},
				DASH:            &manifest.DASHOptions{},
				Encryption: &packager.Encryption{Scheme: scheme, Keys: ks, Systems: systems, ClearLead: tc.clearLead,
					Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16))},
			})
			if err != nil {
				t.Fatal(err)
			}
			requireSpotless(t, validateDir(t, dir, validate.Options{Keys: keys, DecryptSegments: 3}))
		})
	}
}
