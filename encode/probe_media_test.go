package encode

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

// updateProbeFixtures regenerates testdata/probe/*.json from media made with
// the installed ffmpeg: go test ./encode -run TestParseProbe -update-probe.
// The expectations in TestParseProbe must then be reviewed by hand: they
// are the point of the test.
var updateProbeFixtures = flag.Bool("update-probe", false, "regenerate testdata/probe from ffmpeg-generated media")

// probeMedia is one kind of input vpack must understand, made with lavfi.
type probeMedia struct {
	name string   // fixture base name in testdata/probe
	file string   // generated file name; the extension picks the muxer
	args []string // ffmpeg arguments before the output name
	// remux, when set, is a second ffmpeg pass over the first output with
	// "-c copy" (ffmpeg 5.1 drops a rotate tag when it encodes, and keeps it
	// as a display matrix when it copies).
	remux []string
	// text, when set, is written as the file instead of running ffmpeg.
	text string
	// packets also captures the frame-timing read as <name>.packets.json.
	packets bool
}

// Short lavfi sources shared by the media below: 320x180, 2 s.
var (
	probeTestsrc = []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2"}
	probeSine    = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"}
	probeX264    = []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
	probeX265    = []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"}
	probeAAC     = []string{"-c:a", "aac", "-b:a", "64k"}
)

func probeArgs(parts ...[]string) []string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

var probeMediaSet = []probeMedia{
	{name: "plain", file: "plain.mp4", packets: true,
		args: probeArgs(probeTestsrc, probeSine, probeX264, probeAAC, []string{"-shortest"})},
	// A phone held upright: the rotate tag ffmpeg 5.1 turns into a display
	// matrix counts counter-clockwise, so 270 here is 90° clockwise.
	{name: "rotated_cw90", file: "rotated_cw90.mp4",
		args:  probeArgs(probeTestsrc, probeX264),
		remux: []string{"-metadata:s:v:0", "rotate=270"}},
	{name: "rotated_cw270", file: "rotated_cw270.mp4",
		args:  probeArgs(probeTestsrc, probeX264),
		remux: []string{"-metadata:s:v:0", "rotate=90"}},
	{name: "anamorphic", file: "anamorphic.mp4",
		args: probeArgs(probeTestsrc, []string{"-vf", "setsar=4/3"}, probeX264)},
	// Debian's libx264 is 8-bit only; libx265 does main10.
	{name: "tenbit", file: "tenbit.mp4",
		args: probeArgs(probeTestsrc, probeX265, []string{"-pix_fmt", "yuv420p10le"})},
	{name: "hdr10", file: "hdr10.mp4",
		args: probeArgs(probeTestsrc, probeX265, []string{"-pix_fmt", "yuv420p10le",
			"-color_trc", "smpte2084", "-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-tag:v", "hvc1"})},
	{name: "surround", file: "surround.mp4",
		args: probeArgs(probeTestsrc, probeSine, probeX264, probeAAC, []string{"-ac", "6", "-shortest"})},
	// MP4 in ffmpeg 5.1 keeps no track titles, so this one is Matroska,
	// which also states durations only in DURATION tags.
	{name: "two_audio", file: "two_audio.mkv",
		args: probeArgs(probeTestsrc, probeSine,
			[]string{"-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=2", "-map", "0", "-map", "1", "-map", "2"},
			probeX264, probeAAC, []string{
				"-metadata:s:a:0", "language=eng", "-metadata:s:a:0", "title=English",
				"-metadata:s:a:1", "language=fra", "-metadata:s:a:1", "title=Français",
				"-disposition:a:0", "default", "-disposition:a:1", "0"})},
	{name: "no_audio", file: "no_audio.mp4", args: probeArgs(probeTestsrc, probeX264)},
	// A screen recording that slows down: 25 fps for 1 s, then every third
	// frame, kept as is by -fps_mode passthrough.
	{name: "vfr", file: "vfr.mp4", packets: true,
		args: probeArgs([]string{"-f", "lavfi", "-i", `testsrc2=size=320x180:rate=25:duration=2,select=lt(t\,1)+not(mod(n\,3))`},
			probeX264, []string{"-fps_mode", "passthrough"})},
	// 29.97 fps in Matroska's millisecond time base: frames of 33 and 34 ms
	// that must read as constant rate.
	{name: "ntsc", file: "ntsc.mkv", packets: true,
		args: probeArgs([]string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30000/1001:duration=2"}, probeX264)},
	// testsrc2 rounds 4:2:0 sizes down to even, so odd sizes need 4:4:4.
	{name: "odd_size", file: "odd_size.mp4",
		args: []string{"-f", "lavfi", "-i", "testsrc2=size=641x361:rate=25:duration=2,format=yuv444p",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"}},
	{name: "audio_only", file: "audio_only.m4a", args: probeArgs(probeSine, probeAAC)},
	{name: "cover_art", file: "cover_art.m4a",
		args: probeArgs(probeSine, []string{"-f", "lavfi", "-i", "testsrc2=size=64x64:rate=1:duration=1",
			"-map", "0", "-map", "1"}, probeAAC, []string{"-c:v", "png", "-frames:v", "1", "-disposition:v:0", "attached_pic"})},
	{name: "subtitles_only", file: "subtitles_only.srt",
		text: "1\n00:00:00,000 --> 00:00:01,000\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\nworld\n"},
}

// probeMediaByName finds a medium of probeMediaSet.
func probeMediaByName(t *testing.T, name string) probeMedia {
	t.Helper()
	for _, m := range probeMediaSet {
		if m.name == name {
			return m
		}
	}
	t.Fatalf("no probe medium %q", name)
	return probeMedia{}
}

// make writes the medium into dir and returns its path.
func (m probeMedia) make(t *testing.T, dir string) string {
	t.Helper()
	if m.text != "" {
		p := filepath.Join(dir, m.file)
		if err := os.WriteFile(p, []byte(m.text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if m.remux == nil {
		return mediatest.Generate(t, dir, m.file, m.args...)
	}
	first := mediatest.Generate(t, dir, "pre-"+m.file, m.args...)
	return mediatest.Generate(t, dir, m.file, append([]string{"-i", first, "-c", "copy"}, m.remux...)...)
}

// captureProbeFixtures rewrites testdata/probe from freshly generated media,
// with the same ffprobe arguments ProbeFile uses. The temporary directory
// is cut from the recorded filename so fixtures do not change run to run.
func captureProbeFixtures(t *testing.T) {
	t.Helper()
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join("testdata", "probe"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &ExecRunner{}
	for _, m := range probeMediaSet {
		path := m.make(t, dir)
		input := "file:" + path
		capture := func(suffix string, args ...string) {
			var out bytes.Buffer
			if err := r.Run(context.Background(), FFprobe, append(args, input), &out); err != nil {
				t.Fatalf("capture %s: %v", m.name, err)
			}
			b := bytes.ReplaceAll(out.Bytes(), []byte(input), []byte(m.file))
			if err := os.WriteFile(filepath.Join("testdata", "probe", m.name+suffix), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		capture(".json", "-v", "error", "-print_format", "json", "-show_format", "-show_streams")
		if m.packets {
			capture(".packets.json", "-v", "error", "-print_format", "json", "-select_streams", "0",
				"-show_entries", "packet=pts", "-read_intervals", "%+#300")
		}
	}
}
