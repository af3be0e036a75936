package pushtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/push"
)

// Rendition is one track of a synthetic package.
type Rendition struct {
	ID           string
	Width        int   // video only
	BandwidthBps int64 // declared peak bit rate
	SegmentBytes int64 // size of each media segment
}

// Synthetic describes a package made without media: random bytes for init
// and media segments, real manifests (manifest.WriteHLS and WriteDASH over
// a made-up Presentation) and package.json. Publish and Fill treat it like
// any package; tests control every size.
type Synthetic struct {
	Video    []Rendition
	Audio    []Rendition
	Segments int    // per track; zero means 4
	Seed     uint64 // content of the random bytes
}

// DefaultSynthetic is three video renditions (about 160, 320 and 640 kB
// each) and one audio track (about 32 kB): about 1.2 MB in 30 files.
var DefaultSynthetic = Synthetic{
	Video: []Rendition{
		{ID: "360p-730k", Width: 640, BandwidthBps: 800_000, SegmentBytes: 40 << 10},
		{ID: "540p-2000k", Width: 960, BandwidthBps: 2_200_000, SegmentBytes: 80 << 10},
		{ID: "720p-3000k", Width: 1280, BandwidthBps: 3_300_000, SegmentBytes: 160 << 10},
	},
	Audio: []Rendition{{ID: "audio-en-aac", BandwidthBps: 130_000, SegmentBytes: 8 << 10}},
}

const (
	synthTimescale = 12800
	synthSegTicks  = 25600 // 2 s
	initBytes      = 900
)

// WriteSynthetic writes the package s describes into dir (created) and
// returns dir.
func WriteSynthetic(t testing.TB, dir string, s Synthetic) string {
	t.Helper()
	if s.Segments == 0 {
		s.Segments = 4
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pres := &manifest.Presentation{
		Duration:        time.Duration(s.Segments) * 2 * time.Second,
		SegmentDuration: 2 * time.Second,
	}
	sum := packager.Summary{Version: packager.SummaryVersion, SegmentDurationMs: 2000, Segments: s.Segments,
		DurationMs: pres.Duration.Milliseconds()}
	seed := s.Seed
	add := func(kind manifest.TrackType, r Rendition) {
		dir := string(kind) + "/" + r.ID
		tr := manifest.Track{
			ID: r.ID, Type: kind, BandwidthBps: r.BandwidthBps, AverageBandwidthBps: r.BandwidthBps * 9 / 10,
			Timescale: synthTimescale, InitURI: dir + "/init.mp4", PlaylistURI: dir + "/index.m3u8",
		}
		ts := packager.TrackSummary{
			ID: r.ID, Type: string(kind), BandwidthBps: r.BandwidthBps, AverageBandwidthBps: tr.AverageBandwidthBps,
			Timescale: synthTimescale, Segments: s.Segments, Init: tr.InitURI, Playlist: tr.PlaylistURI,
			FirstSegment: dir + "/seg-00001.m4s", SegmentFormat: dir + "/seg-%05d.m4s",
			DurationMs: pres.Duration.Milliseconds(), MinSegmentMs: 2000, MaxSegmentMs: 2000,
		}
		if kind == manifest.Video {
			tr.Codecs, tr.Width, tr.Height = "avc1.64001f", r.Width, r.Width*9/16
			tr.FrameRate, tr.SARNum, tr.SARDen = manifest.Rate{Num: 25, Den: 1}, 1, 1
			tr.IFramePlaylistURI = dir + "/iframes.m3u8"
			ts.Codecs, ts.Width, ts.Height, ts.FrameRate, ts.FPS, ts.SAR = tr.Codecs, tr.Width, tr.Height, "25", 25, "1:1"
		} else {
			tr.Codecs, tr.Language, tr.Name, tr.Channels, tr.SampleRate, tr.Default = "mp4a.40.2", "en", "English", 2, 48000, true
			ts.Codecs, ts.Language, ts.Name, ts.Channels, ts.SampleRate, ts.Default = tr.Codecs, "en", "English", 2, 48000, true
		}
		seed++
		write(tr.InitURI, Bytes(initBytes, seed))
		ts.Bytes = initBytes
		for i := range s.Segments {
			seg := manifest.Segment{
				URI:        fmt.Sprintf("%s/seg-%05d.m4s", dir, i+1),
				StartTicks: uint64(i) * synthSegTicks, DurTicks: synthSegTicks, SizeBytes: r.SegmentBytes,
			}
			seed++
			write(seg.URI, Bytes(r.SegmentBytes, seed))
			ts.Bytes += r.SegmentBytes
			tr.Segments = append(tr.Segments, seg)
			if kind == manifest.Video {
				tr.IFrames = append(tr.IFrames, manifest.IFrame{URI: seg.URI,
					Range: manifest.ByteRange{Offset: 0, Length: r.SegmentBytes / 4}, DurTicks: synthSegTicks})
			}
		}
		pres.Tracks = append(pres.Tracks, tr)
		sum.Tracks = append(sum.Tracks, ts)
		sum.TotalBytes += ts.Bytes
	}
	for _, r := range s.Video {
		add(manifest.Video, r)
	}
	for _, r := range s.Audio {
		add(manifest.Audio, r)
	}
	files, err := manifest.WriteHLS(pres, manifest.HLSOptions{})
	if err != nil {
		t.Fatalf("synthetic package: %v", err)
	}
	for _, f := range files {
		write(f.Name, f.Data)
	}
	mpd, err := manifest.WriteDASH(pres, manifest.DASHOptions{})
	if err != nil {
		t.Fatalf("synthetic package: %v", err)
	}
	write(packager.DefaultMPDName, mpd)
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	write(packager.SummaryFile, append(data, '\n'))
	return dir
}

var (
	realOnce sync.Once
	realDir  string
	realErr  error
	realTmp  string
)

// Cleanup removes what RealPackage made.
func Cleanup() {
	if realTmp != "" {
		os.RemoveAll(realTmp)
	}
}

// RealPackage returns a package made the way vpack makes one: two H.264
// renditions (320x180, 160x90) and an AAC track generated with ffmpeg,
// packaged with packager.Run with HLS and DASH. It is made once per test
// binary, in a temporary folder that Cleanup removes (call it from
// TestMain); treat it as read only and CopyDir it to change it. The test
// skips (fails in CI) without ffmpeg.
func RealPackage(t testing.TB) string {
	t.Helper()
	mediatest.RequireFFmpeg(t)
	realOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "pushtest-real-")
		if err != nil {
			realErr = err
			return
		}
		realTmp = tmp
		realDir = filepath.Join(tmp, "pkg")
		realErr = makeReal(t, tmp, realDir)
	})
	if realErr != nil {
		t.Fatalf("real package: %v", realErr)
	}
	return realDir
}

func makeReal(t testing.TB, tmp, out string) error {
	keys := []string{"-force_key_frames", "expr:gte(t,n_forced*1)", "-x264-params", "keyint=25:min-keyint=25:scenecut=0"}
	video := func(name, size string) string {
		args := []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25:duration=3",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
		return mediatest.Generate(t, tmp, name, append(args, keys...)...)
	}
	v1 := video("v180.mp4", "320x180")
	v2 := video("v90.mp4", "160x90")
	a := mediatest.Generate(t, tmp, "audio.mp4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3",
		"-ac", "2", "-c:a", "aac", "-b:a", "64k", "-metadata:s:a:0", "language=eng")
	_, err := packager.Run(context.Background(), packager.Config{
		Inputs:          []packager.Input{{Path: v1}, {Path: v2}, {Path: a, Language: "en"}},
		OutDir:          out,
		SegmentDuration: time.Second,
		HLS:             &manifest.HLSOptions{},
		DASH:            &manifest.DASHOptions{},
	})
	return err
}

// CopyDir copies the package folder src to dst (created).
func CopyDir(t testing.TB, src, dst string) string {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
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
		t.Fatalf("copy %s: %v", src, err)
	}
	return dst
}

// Files lists the package files of dir as keys (hidden files left out,
// as Publish leaves them out).
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var keys []string
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			keys = append(keys, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

// AssertMirror fails t unless s holds every file of the package folder
// dir, byte for byte: each object is read back and hashed.
func AssertMirror(t testing.TB, dir string, s push.Store) {
	t.Helper()
	var bad []string
	for _, key := range Files(t, dir) {
		want, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadAll(s, key)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s (%v)", key, err))
			continue
		}
		if SHA256(got) != SHA256(want) {
			bad = append(bad, fmt.Sprintf("%s (%d bytes, want %d)", key, len(got), len(want)))
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%s does not mirror %s: %d objects differ or are missing: %s", s, dir, len(bad), keyList(bad))
	}
}

// ReadAll reads the object at key.
func ReadAll(s push.Store, key string) ([]byte, error) {
	rc, _, err := s.Get(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
