package packager

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
)

// fixtureDir holds media generated once per test binary and shared by
// tests (read only).
var (
	fixtureDir  string
	fixtureOnce sync.Map // name → *sync.Once
	fixtureErr  sync.Map // name → error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "packager-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	fixtureSeconds = "5"
	testTarget     = 2 * time.Second
)

// alignedKeys makes libx264 put a keyframe exactly every 2 s and nowhere
// else, the way the encode stage does.
var alignedKeys = []string{
	"-force_key_frames", "expr:gte(t,n_forced*2)",
	"-x264-params", "keyint=50:min-keyint=50:scenecut=0",
}

// fixtures names every file tests use and how ffmpeg makes it. veryfast
// keeps B-frames, so video has composition offsets and ffmpeg's edit list.
var fixtures = map[string][]string{
	// 320x180 rung muxed with AAC: interleaved samples.
	"v180.mp4": concat(
		[]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=" + fixtureSeconds,
			"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + fixtureSeconds,
			"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"},
		alignedKeys,
		[]string{"-ac", "2", "-c:a", "aac", "-b:a", "64k", "-metadata:s:a:0", "language=eng"}),
	"v144.mp4": videoArgs("256x144", "25", alignedKeys),
	"v90.mp4":  videoArgs("160x90", "25", alignedKeys),
	"audio_en.mp4": {"-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000:duration=" + fixtureSeconds,
		"-ac", "2", "-c:a", "aac", "-b:a", "96k", "-metadata:s:a:0", "language=eng"},
	// Half the frame rate, keyframes still every 2 s: aligned.
	"v90-12fps.mp4": videoArgs("160x90", "25/2", []string{
		"-force_key_frames", "expr:gte(t,n_forced*2)", "-x264-params", "keyint=25:min-keyint=25:scenecut=0"}),
	// Bad renditions.
	"v90-keyint37.mp4": videoArgs("160x90", "25", []string{"-x264-params", "keyint=37:min-keyint=37:scenecut=0"}),
	"v90-24fps.mp4":    videoArgs("160x90", "24", []string{"-x264-params", "keyint=50:min-keyint=50:scenecut=0"}),
	"faststart.mp4":    concat(videoArgs("320x180", "25", alignedKeys), []string{"-movflags", "+faststart"}),
	"empty.mp4": {"-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1", "-t", "0",
		"-c:v", "libx264"},
	"empty-frag.mp4": {"-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1", "-frames:v", "0",
		"-c:v", "libx264", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"},
}

// remuxed fixtures are made from another fixture with -c copy.
var remuxed = map[string]struct {
	from string
	args []string
}{
	"v180-frag.mp4": {"v180.mp4", []string{"-movflags", "+frag_keyframe+empty_moov+default_base_moof"}},
	"v144-frag.mp4": {"v144.mp4", []string{"-movflags", "+frag_keyframe+empty_moov+default_base_moof"}},
}

func videoArgs(size, rate string, keys []string) []string {
	return concat([]string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + rate + ":duration=" + fixtureSeconds,
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an"}, keys)
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// fixture returns the path of a generated fixture, making it on first use.
func fixture(t testing.TB, name string) string {
	t.Helper()
	mediatest.RequireFFmpeg(t)
	o, _ := fixtureOnce.LoadOrStore(name, &sync.Once{})
	o.(*sync.Once).Do(func() {
		defer func() {
			if r := recover(); r != nil {
				fixtureErr.Store(name, fmt.Errorf("%v", r))
			}
		}()
		if r, ok := remuxed[name]; ok {
			src := fixture(t, r.from)
			mediatest.Generate(t, fixtureDir, name, concat([]string{"-i", src, "-c", "copy"}, r.args)...)
			return
		}
		args, ok := fixtures[name]
		if !ok {
			panic("unknown fixture " + name)
		}
		mediatest.Generate(t, fixtureDir, name, args...)
	})
	if err, ok := fixtureErr.Load(name); ok {
		t.Fatalf("fixture %s: %v", name, err)
	}
	p := filepath.Join(fixtureDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return p
}

// runPackager packages inputs into a fresh folder and returns the result and
// the folder.
func runPackager(t *testing.T, cfg Config, inputs ...string) (*Result, string) {
	t.Helper()
	cfg.OutDir = filepath.Join(t.TempDir(), "out")
	if cfg.SegmentDuration == 0 {
		cfg.SegmentDuration = testTarget
	}
	for _, in := range inputs {
		cfg.Inputs = append(cfg.Inputs, Input{Path: in})
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, cfg.OutDir
}

// srcSample is one sample of a source file as mp4ff reads it: the oracle
// the packager's output is compared with.
type srcSample struct {
	dts  uint64
	dur  uint32
	cto  int32
	sync bool
	data []byte
}

// sourceSamples reads every sample of every track of an MP4 with mp4ff
// (progressive through the sample tables, fragmented through trun), keyed
// by handler type ("vide", "soun").
func sourceSamples(t *testing.T, path string) map[string][]srcSample {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	out := map[string][]srcSample{}
	if !f.IsFragmented() {
		for _, trak := range f.Moov.Traks {
			n := trak.GetNrSamples()
			meta, err := trak.GetSampleData(1, n)
			if err != nil {
				t.Fatal(err)
			}
			var dts uint64
			var list []srcSample
			for i := uint32(1); i <= n; i++ {
				r, err := trak.GetRangesForSampleInterval(i, i)
				if err != nil || len(r) != 1 {
					t.Fatalf("ranges of sample %d: %v", i, err)
				}
				m := meta[i-1]
				stss := trak.Mdia.Minf.Stbl.Stss
				list = append(list, srcSample{dts: dts, dur: m.Dur, cto: m.CompositionTimeOffset, sync: stss == nil || stss.IsSyncSample(i),
					data: data[r[0].Offset : r[0].Offset+r[0].Size]})
				dts += uint64(m.Dur)
			}
			out[trak.Mdia.Hdlr.HandlerType] = list
		}
		return out
	}
	for _, trak := range f.Init.Moov.Traks {
		var trex *mp4.TrexBox
		for _, x := range f.Init.Moov.Mvex.Trexs {
			if x.TrackID == trak.Tkhd.TrackID {
				trex = x
			}
		}
		var list []srcSample
		for _, seg := range f.Segments {
			for _, frag := range seg.Fragments {
				fs, err := frag.GetFullSamples(trex)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range fs {
					list = append(list, srcSample{dts: s.DecodeTime, dur: s.Dur, cto: s.CompositionTimeOffset,
						sync: !mp4.DecodeSampleFlags(s.Flags).SampleIsNonSync, data: s.Data})
				}
			}
		}
		out[trak.Mdia.Hdlr.HandlerType] = list
	}
	return out
}

// outTrackFiles is one output track decoded back with mp4ff.
type outTrackFiles struct {
	init     *mp4.InitSegment
	segments [][]outFragment // per segment, its fragments
}

type outFragment struct {
	tfdt    uint64
	samples []mp4.FullSample
	frag    *mp4.Fragment
}

// decodeTrack decodes the init segment and every media segment of tr,
// each segment file on its own (multi-segment mode) or the byte ranges of
// the single file.
func decodeTrack(t *testing.T, outDir string, tr manifest.Track) outTrackFiles {
	t.Helper()
	read := func(uri string) []byte {
		b, err := os.ReadFile(filepath.Join(outDir, filepath.FromSlash(uri)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var initBytes []byte
	var single []byte
	if tr.MediaURI != "" {
		single = read(tr.MediaURI)
		initBytes = single[tr.InitRange.Offset : tr.InitRange.Offset+tr.InitRange.Length]
	} else {
		initBytes = read(tr.InitURI)
	}
	initFile, err := mp4.DecodeFile(bytes.NewReader(initBytes))
	if err != nil || initFile.Init == nil {
		t.Fatalf("%s: decode init: %v", tr.ID, err)
	}
	var res outTrackFiles
	res.init = initFile.Init
	trex := initFile.Init.Moov.Mvex.Trex
	for i, seg := range tr.Segments {
		var b []byte
		if single != nil {
			b = single[seg.Range.Offset : seg.Range.Offset+seg.Range.Length]
		} else {
			b = read(seg.URI)
		}
		if int64(len(b)) != seg.SizeBytes {
			t.Errorf("%s segment %d: %d bytes, model says %d", tr.ID, i+1, len(b), seg.SizeBytes)
		}
		f, err := mp4.DecodeFile(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s segment %d: decode: %v", tr.ID, i+1, err)
		}
		var frags []outFragment
		for _, ms := range f.Segments {
			if single == nil && ms.Styp == nil {
				t.Errorf("%s segment %d: no styp", tr.ID, i+1)
			}
			for _, frag := range ms.Fragments {
				fs, err := frag.GetFullSamples(trex)
				if err != nil {
					t.Fatalf("%s segment %d: samples: %v", tr.ID, i+1, err)
				}
				frags = append(frags, outFragment{tfdt: frag.Moof.Traf.Tfdt.BaseMediaDecodeTime(), samples: fs, frag: frag})
			}
		}
		if single == nil && (len(f.Segments) != 1) {
			t.Errorf("%s segment %d: %d styp-delimited segments in one file", tr.ID, i+1, len(f.Segments))
		}
		res.segments = append(res.segments, frags)
	}
	return res
}

// trackByType returns the tracks of a presentation of one type.
func tracksOf(p *manifest.Presentation, typ manifest.TrackType) []manifest.Track {
	var out []manifest.Track
	for _, tr := range p.Tracks {
		if tr.Type == typ {
			out = append(out, tr)
		}
	}
	return out
}

// dirEntries lists the names under dir (recursively); a missing dir is empty.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return filepath.SkipAll
			}
			return err
		}
		if p != dir {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}
