package validate_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
)

// Test packages are built once per test binary from renditions generated
// with ffmpeg (lavfi, tiny, aligned 2 s GOPs) and packaged by the real
// packager: a clean package, and encrypted copies made with mp4ff.

// built is a package on disk and the presentation its manifests describe.
type built struct {
	dir  string
	pres *manifest.Presentation
	err  error
	once sync.Once
}

var (
	clean  built
	inputs struct {
		once             sync.Once
		v180, v90, audio string
		v90Shifted       string
	}
	encrypted = map[string]*built{"cenc": {}, "cbcs": {}}
)

// x264 with a keyframe every 2 s exactly and nowhere else.
var alignedGOP = []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
	"-force_key_frames", "expr:gte(t,n_forced*2)", "-x264-params", "keyint=50:min-keyint=50:scenecut=0", "-an"}

func genInputs(t *testing.T) {
	t.Helper()
	mediatest.RequireFFmpeg(t)
	inputs.once.Do(func() {
		dir := filepath.Join(scratch, "inputs")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		inputs.v180 = mediatest.Generate(t, dir, "v180.mp4", append([]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=5"}, alignedGOP...)...)
		inputs.v90 = mediatest.Generate(t, dir, "v90.mp4", append([]string{"-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=5"}, alignedGOP...)...)
		inputs.audio = mediatest.Generate(t, dir, "audio.mp4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5",
			"-c:a", "aac", "-b:a", "64k", "-ac", "2")
		// Keyframes at 0, 2.4 and 4.4 s: cut at 2.4 and 4.4 instead of 2 and 4.
		inputs.v90Shifted = mediatest.Generate(t, dir, "v90-shifted.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=5",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-force_key_frames", "0,2.4,4.4",
			"-x264-params", "keyint=1000:min-keyint=1000:scenecut=0", "-an")
	})
	if inputs.v180 == "" {
		t.Fatal("inputs were not generated (an earlier test failed)")
	}
}

// cleanPackage returns the folder of the clean package: two video rungs
// (320x180, 160x90) and AAC audio, 5 s in 2 s segments, HLS and DASH.
func cleanPackage(t *testing.T) (string, *manifest.Presentation) {
	t.Helper()
	genInputs(t)
	clean.once.Do(func() {
		clean.dir = filepath.Join(scratch, "clean")
		res, err := packager.Run(context.Background(), packager.Config{
			Inputs:          []packager.Input{{Path: inputs.v180}, {Path: inputs.v90}, {Path: inputs.audio, Language: "en"}},
			OutDir:          clean.dir,
			SegmentDuration: 2 * time.Second,
			HLS:             &manifest.HLSOptions{},
			DASH:            &manifest.DASHOptions{},
		})
		if err != nil {
			clean.err = err
			return
		}
		clean.pres = res.Presentation
	})
	if clean.err != nil || clean.pres == nil {
		t.Fatalf("clean package: %v", clean.err)
	}
	return clean.dir, clean.pres
}

// copyPackage copies a package into a fresh folder for a test to mutate.
func copyPackage(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeManifests writes the HLS playlists and the MPD of p into dir.
func writeManifests(t *testing.T, dir string, p *manifest.Presentation) {
	t.Helper()
	files, err := manifest.WriteHLS(p, manifest.HLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mpd, err := manifest.WriteDASH(p, manifest.DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, manifest.File{Name: "manifest.mpd", Data: mpd})
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Test keys: fixed, so that failures are reproducible.
var (
	videoKID = mustHex("0123456789abcdef0123456789abcdef")
	videoKey = mustHex("00112233445566778899aabbccddeeff")
	audioKID = mustHex("fedcba9876543210fedcba9876543210")
	audioKey = mustHex("ffeeddccbbaa99887766554433221100")
	widevine = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func uuid(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// widevinePssh builds a Widevine pssh (version 0) whose WidevinePsshData
// names kid (field 2, key_id).
func widevinePssh(t *testing.T, kid []byte) *mp4.PsshBox {
	t.Helper()
	data := append([]byte{0x12, 16}, kid...)
	p, err := mp4.NewPsshBox(widevine, nil, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func psshBase64(t *testing.T, p *mp4.PsshBox) string {
	t.Helper()
	var b strings.Builder
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	if err := p.Encode(enc); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	return b.String()
}

// encryptedPackage returns the clean package encrypted with mp4ff (scheme
// cenc or cbcs; video and audio under different keys), with Widevine pssh
// boxes in the init segments, EXT-X-KEY tags (KEYID, data URI with the
// pssh, KEYFORMAT) in the media playlists and ContentProtection
// (mp4protection with cenc:default_KID, Widevine with cenc:pssh) in the
// MPD.
func encryptedPackage(t *testing.T, scheme string) (string, *manifest.Presentation) {
	t.Helper()
	src, pres := cleanPackage(t)
	b := encrypted[scheme]
	b.once.Do(func() {
		b.dir = filepath.Join(scratch, "encrypted-"+scheme)
		b.pres, b.err = encryptCopy(t, src, b.dir, pres, scheme)
	})
	if b.err != nil {
		t.Fatalf("encrypted package: %v", b.err)
	}
	return b.dir, b.pres
}

func encryptCopy(t *testing.T, src, dst string, pres *manifest.Presentation, scheme string) (*manifest.Presentation, error) {
	p := *pres
	p.Tracks = append([]manifest.Track(nil), pres.Tracks...)
	for ti := range p.Tracks {
		tr := &p.Tracks[ti]
		kid, key := videoKID, videoKey
		if tr.Type == manifest.Audio {
			kid, key = audioKID, audioKey
		}
		iv := mustHex("0102030405060708")
		if scheme == "cbcs" {
			iv = mustHex("0102030405060708090a0b0c0d0e0f10")
		}
		initFile, err := mp4.ReadMP4File(filepath.Join(src, filepath.FromSlash(tr.InitURI)))
		if err != nil {
			return nil, err
		}
		ipd, err := mp4.InitProtect(initFile.Init, key, iv, scheme, mp4.UUID(kid), []*mp4.PsshBox{widevinePssh(t, kid)})
		if err != nil {
			return nil, fmt.Errorf("init protect %s: %w", tr.ID, err)
		}
		if err := writeMP4(filepath.Join(dst, filepath.FromSlash(tr.InitURI)), initFile.Init.Encode); err != nil {
			return nil, err
		}
		tr.Segments = append([]manifest.Segment(nil), tr.Segments...)
		tr.IFrames = nil
		var bits, peak float64
		var total uint64
		for si := range tr.Segments {
			s := &tr.Segments[si]
			sf, err := mp4.ReadMP4File(filepath.Join(src, filepath.FromSlash(s.URI)))
			if err != nil {
				return nil, err
			}
			if _, err := mp4.EncryptFragments(sf.Segments[0].Fragments, key, iv, ipd); err != nil {
				return nil, fmt.Errorf("encrypt %s: %w", s.URI, err)
			}
			path := filepath.Join(dst, filepath.FromSlash(s.URI))
			if err := writeMP4(path, sf.Segments[0].Encode); err != nil {
				return nil, err
			}
			st, err := os.Stat(path)
			if err != nil {
				return nil, err
			}
			s.SizeBytes = st.Size()
			sec := float64(s.DurTicks) / float64(tr.Timescale)
			bits += float64(s.SizeBytes) * 8
			peak = max(peak, float64(s.SizeBytes)*8/sec)
			total += s.DurTicks
			if tr.Type == manifest.Video {
				off := int64(sf.Segments[0].Styp.Size())
				for _, f := range sf.Segments[0].Fragments {
					size := int64(f.Moof.Size()) + 8 + int64(f.Moof.Traf.Trun.Samples[0].Size)
					tr.IFrames = append(tr.IFrames, manifest.IFrame{URI: s.URI, Range: manifest.ByteRange{Offset: off, Length: size}, DurTicks: s.DurTicks})
					off += int64(f.Size())
				}
			}
		}
		tr.BandwidthBps = int64(peak) + 1
		tr.AverageBandwidthBps = int64(bits/(float64(total)/float64(tr.Timescale))) + 1
	}
	writeManifests(t, dst, &p)
	if err := signalKeys(t, dst, &p, scheme); err != nil {
		return nil, err
	}
	return &p, nil
}

func writeMP4(path string, encode func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := encode(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// signalKeys adds the key signalling the manifest writer does not (yet)
// write: EXT-X-KEY before EXT-X-MAP in every media playlist, and
// ContentProtection first in every AdaptationSet.
func signalKeys(t *testing.T, dir string, p *manifest.Presentation, scheme string) error {
	method := map[string]string{"cenc": "SAMPLE-AES-CTR", "cbcs": "SAMPLE-AES"}[scheme]
	for _, tr := range p.Tracks {
		kid := videoKID
		if tr.Type == manifest.Audio {
			kid = audioKID
		}
		key := fmt.Sprintf(`#EXT-X-KEY:METHOD=%s,URI="data:text/plain;base64,%s",KEYID=0x%x,KEYFORMAT="urn:uuid:%s",KEYFORMATVERSIONS="1"`,
			method, psshBase64(t, widevinePssh(t, kid)), kid, widevine)
		for _, pl := range []string{tr.PlaylistURI, tr.IFramePlaylistURI} {
			if pl == "" {
				continue
			}
			if err := editFile(filepath.Join(dir, filepath.FromSlash(pl)), func(s string) string {
				return strings.Replace(s, "#EXT-X-MAP:", key+"\n#EXT-X-MAP:", 1)
			}); err != nil {
				return err
			}
		}
	}
	return editFile(filepath.Join(dir, "manifest.mpd"), func(s string) string {
		s = strings.Replace(s, `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"`, `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013"`, 1)
		var out strings.Builder
		for _, line := range strings.SplitAfter(s, "\n") {
			out.WriteString(line)
			if strings.Contains(line, "<AdaptationSet ") {
				kid := videoKID
				if strings.Contains(line, `contentType="audio"`) {
					kid = audioKID
				}
				fmt.Fprintf(&out, "      <ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"%s\" cenc:default_KID=\"%s\"></ContentProtection>\n", scheme, uuid(kid))
				fmt.Fprintf(&out, "      <ContentProtection schemeIdUri=\"urn:uuid:%s\"><cenc:pssh>%s</cenc:pssh></ContentProtection>\n", widevine, psshBase64(t, widevinePssh(t, kid)))
			}
		}
		return out.String()
	})
}

func editFile(path string, edit func(string) string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(edit(string(b))), 0o644)
}

// patchBox finds the n-th (1-based) box at path (e.g. "moof/traf/trun")
// in a media file and lets patch change its body in place.
func patchBox(t *testing.T, file, path string, n int, patch func(body []byte)) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	var walk func(b []byte, want []string) bool
	walk = func(b []byte, want []string) bool {
		for len(b) >= 8 {
			size := int(binary.BigEndian.Uint32(b))
			if size < 8 || size > len(b) {
				return false
			}
			if string(b[4:8]) == want[0] {
				if len(want) == 1 {
					if found++; found == n {
						patch(b[8:size])
						return true
					}
				} else if walk(b[8:size], want[1:]) {
					return true
				}
			}
			b = b[size:]
		}
		return false
	}
	if !walk(data, strings.Split(path, "/")) {
		t.Fatalf("%s: box %s #%d not found", file, path, n)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
