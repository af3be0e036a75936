package encode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

// probeH264 is the video stream of most generated media: testsrc2 at
// 320x180, 25 fps, 2 s, x264 ultrafast in MP4.
func probeH264(edit func(v *VideoStream)) VideoStream {
	v := VideoStream{
		Index: 0, Codec: "h264", Profile: "Constrained Baseline", Width: 320, Height: 180,
		SAR: Rational{1, 1}, DAR: Rational{16, 9}, FrameRate: Rational{25, 1},
		PixFmt: "yuv420p", BitDepth: 8, Frames: 50, BitrateKbps: 599, Default: true,
	}
	if edit != nil {
		edit(&v)
	}
	return v
}

// probeMono is the sine tone of the generated media: 48 kHz mono AAC-LC.
func probeMono(edit func(a *AudioStream)) AudioStream {
	a := AudioStream{Index: 1, Codec: "aac", Profile: "LC", SampleRate: 48000, Channels: 1,
		ChannelLayout: "mono", BitrateKbps: 65, Default: true}
	if edit != nil {
		edit(&a)
	}
	return a
}

const probeMP4 = "mov,mp4,m4a,3gp,3g2,mj2"

// probeWants is what ParseProbe must make of each fixture in testdata/probe
// (Path is the fixture's file name). ProbeFile must find the same in
// freshly generated media, except for sizes and bitrates, and with
// VariableFrameRate measured.
func probeWants() map[string]*Probe {
	return map[string]*Probe{
		"plain": {Path: "plain.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 168741, BitrateKbps: 675,
			Video: []VideoStream{probeH264(nil)},
			Audio: []AudioStream{probeMono(nil)}},
		// Display matrix "rotation": -90, counter-clockwise: turn 90° clockwise.
		"rotated_cw90": {Path: "rotated_cw90.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 150811, BitrateKbps: 603,
			Video: []VideoStream{probeH264(func(v *VideoStream) { v.Rotation = 90 })}},
		"rotated_cw270": {Path: "rotated_cw270.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 150811, BitrateKbps: 603,
			Video: []VideoStream{probeH264(func(v *VideoStream) { v.Rotation = 270 })}},
		"anamorphic": {Path: "anamorphic.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 150811, BitrateKbps: 603,
			Video: []VideoStream{probeH264(func(v *VideoStream) { v.SAR, v.DAR = Rational{4, 3}, Rational{64, 27} })}},
		"tenbit": {Path: "tenbit.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 50684, BitrateKbps: 203,
			Video: []VideoStream{probeH264(func(v *VideoStream) {
				v.Codec, v.Profile, v.PixFmt, v.BitDepth, v.BitrateKbps = "hevc", "Main 10", "yuv420p10le", 10, 187
			})}},
		"hdr10": {Path: "hdr10.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 50707, BitrateKbps: 203,
			Video: []VideoStream{probeH264(func(v *VideoStream) {
				v.Codec, v.Profile, v.PixFmt, v.BitDepth, v.BitrateKbps = "hevc", "Main 10", "yuv420p10le", 10, 187
				v.ColorTransfer, v.ColorPrimaries, v.ColorSpace, v.HDR = "smpte2084", "bt2020", "bt2020nc", true
			})}},
		"surround": {Path: "surround.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 163095, BitrateKbps: 652,
			Video: []VideoStream{probeH264(nil)},
			Audio: []AudioStream{probeMono(func(a *AudioStream) { a.Channels, a.ChannelLayout, a.BitrateKbps = 6, "5.1", 43 })}},
		// Matroska: no per-stream bitrate or frame count, and ffmpeg 5.1
		// leaves the video track's default flag off.
		"two_audio": {Path: "two_audio.mkv", Container: "matroska,webm", Duration: 2023 * time.Millisecond, SizeBytes: 185213, BitrateKbps: 732,
			Video: []VideoStream{probeH264(func(v *VideoStream) { v.Frames, v.BitrateKbps, v.Default = 0, 0, false })},
			Audio: []AudioStream{
				probeMono(func(a *AudioStream) { a.Language, a.Title, a.BitrateKbps = "eng", "English", 0 }),
				probeMono(func(a *AudioStream) {
					a.Index, a.SampleRate, a.Language, a.Title, a.BitrateKbps, a.Default = 2, 44100, "fra", "Français", 0, false
				}),
			}},
		"no_audio": {Path: "no_audio.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 150811, BitrateKbps: 603,
			Video: []VideoStream{probeH264(nil)}},
		// The nominal rate stays 25/1 in r_frame_rate; the average is what
		// the file really holds: 33 frames in 1.96 s.
		"vfr": {Path: "vfr.mp4", Container: probeMP4, Duration: 1960 * time.Millisecond, SizeBytes: 109059, BitrateKbps: 445,
			Video: []VideoStream{probeH264(func(v *VideoStream) { v.FrameRate, v.Frames, v.BitrateKbps = Rational{825, 49}, 33, 441 })}},
		"ntsc": {Path: "ntsc.mkv", Container: "matroska,webm", Duration: 2002 * time.Millisecond, SizeBytes: 178368, BitrateKbps: 713,
			Video: []VideoStream{probeH264(func(v *VideoStream) {
				v.FrameRate, v.Frames, v.BitrateKbps, v.Default = Rational{30000, 1001}, 0, 0, false
			})}},
		"odd_size": {Path: "odd_size.mp4", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 814622, BitrateKbps: 3258,
			Video: []VideoStream{probeH264(func(v *VideoStream) {
				v.Profile, v.Width, v.Height, v.DAR, v.PixFmt, v.BitrateKbps = "High 4:4:4 Predictive", 641, 361, Rational{641, 361}, "yuv444p", 3254
			})}},
		"audio_only": {Path: "audio_only.m4a", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 17616, BitrateKbps: 70,
			Audio: []AudioStream{probeMono(func(a *AudioStream) { a.Index = 0 })}},
		// The PNG cover is stream 1 with attached_pic set: not video.
		"cover_art": {Path: "cover_art.m4a", Container: probeMP4, Duration: 2 * time.Second, SizeBytes: 19327, BitrateKbps: 77,
			Audio: []AudioStream{probeMono(func(a *AudioStream) { a.Index = 0 })}},
	}
}

// probeCmpOpts treat nil and empty stream lists alike.
var probeCmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func TestParseProbe(t *testing.T) {
	if *updateProbeFixtures {
		captureProbeFixtures(t)
	}
	for name, want := range probeWants() {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "probe", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseProbe(want.Path, b)
			if err != nil {
				t.Fatalf("ParseProbe: %v", err)
			}
			if diff := cmp.Diff(want, got, probeCmpOpts...); diff != "" {
				t.Errorf("ParseProbe(%s) mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestParseProbeCases covers what the generated fixtures cannot: other
// ffprobe versions' spellings, legacy tags and damaged reports.
func TestParseProbeCases(t *testing.T) {
	video := func(fields string) string {
		return `{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080` + fields +
			`,"disposition":{"default":1}}],"format":{"format_name":"mp4","duration":"10.5","size":"1000","bit_rate":"800"}}`
	}
	base := func(edit func(v *VideoStream)) *Probe {
		v := VideoStream{Codec: "h264", Width: 1920, Height: 1080, SAR: Rational{1, 1}, DAR: Rational{16, 9}, Default: true}
		if edit != nil {
			edit(&v)
		}
		return &Probe{Path: "in.mp4", Container: "mp4", Duration: 10500 * time.Millisecond, SizeBytes: 1000, BitrateKbps: 1,
			Video: []VideoStream{v}}
	}
	tests := []struct {
		name       string
		json       string
		want       *Probe
		wantReason string // an *InputError with this Reason
		wantErr    bool   // another error
	}{
		{name: "minimal", json: video(""), want: base(nil)},
		{name: "matrix rotation -90 is 90 clockwise",
			json: video(`,"side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]`),
			want: base(func(v *VideoStream) { v.Rotation = 90 })},
		{name: "matrix rotation 90 is 270 clockwise",
			json: video(`,"side_data_list":[{"side_data_type":"Display Matrix","rotation":90}]`),
			want: base(func(v *VideoStream) { v.Rotation = 270 })},
		{name: "matrix rotation -180",
			json: video(`,"side_data_list":[{"side_data_type":"Display Matrix","rotation":-180}]`),
			want: base(func(v *VideoStream) { v.Rotation = 180 })},
		{name: "matrix rotation printed as decimal string",
			json: video(`,"side_data_list":[{"side_data_type":"Display Matrix","rotation":"-90.000000"}]`),
			want: base(func(v *VideoStream) { v.Rotation = 90 })},
		{name: "matrix rotation off a quarter snaps",
			json: video(`,"side_data_list":[{"side_data_type":"Display Matrix","rotation":-268.5}]`),
			want: base(func(v *VideoStream) { v.Rotation = 270 })},
		{name: "legacy rotate tag counts clockwise",
			json: video(`,"tags":{"rotate":"90"}`),
			want: base(func(v *VideoStream) { v.Rotation = 90 })},
		{name: "matrix wins over the tag",
			json: video(`,"tags":{"rotate":"90"},"side_data_list":[{"side_data_type":"Stereo 3D"},{"side_data_type":"Display Matrix","rotation":180}]`),
			want: base(func(v *VideoStream) { v.Rotation = 180 })},
		{name: "unknown SAR is square and DAR is computed",
			json: video(`,"sample_aspect_ratio":"0:1","display_aspect_ratio":"0:1"`),
			want: base(nil)},
		{name: "anamorphic DVD without DAR",
			json: `{"streams":[{"index":0,"codec_type":"video","width":720,"height":576,"sample_aspect_ratio":"64:45"}]}`,
			want: &Probe{Path: "in.mp4", Video: []VideoStream{{Width: 720, Height: 576, SAR: Rational{64, 45}, DAR: Rational{16, 9}}}}},
		{name: "avg rate missing uses r_frame_rate",
			json: video(`,"r_frame_rate":"24000/1001","avg_frame_rate":"0/0"`),
			want: base(func(v *VideoStream) { v.FrameRate = Rational{24000, 1001} })},
		{name: "avg rate close to r_frame_rate takes the exact form",
			json: video(`,"r_frame_rate":"30000/1001","avg_frame_rate":"2997/100"`),
			want: base(func(v *VideoStream) { v.FrameRate = Rational{30000, 1001} })},
		{name: "time base as r_frame_rate is ignored",
			json: video(`,"r_frame_rate":"90000/1","avg_frame_rate":"50/2"`),
			want: base(func(v *VideoStream) { v.FrameRate = Rational{25, 1} })},
		{name: "no sane rate",
			json: video(`,"r_frame_rate":"90000/1","avg_frame_rate":"1/0"`),
			want: base(nil)},
		{name: "bit depth from bits_per_raw_sample",
			json: video(`,"pix_fmt":"yuv420p","bits_per_raw_sample":"10"`),
			want: base(func(v *VideoStream) { v.PixFmt, v.BitDepth = "yuv420p", 10 })},
		{name: "bit depth from p010le",
			json: video(`,"pix_fmt":"p010le","bits_per_raw_sample":"N/A"`),
			want: base(func(v *VideoStream) { v.PixFmt, v.BitDepth = "p010le", 10 })},
		{name: "bit depth from yuv422p12be",
			json: video(`,"pix_fmt":"yuv422p12be"`),
			want: base(func(v *VideoStream) { v.PixFmt, v.BitDepth = "yuv422p12be", 12 })},
		{name: "HLG is HDR",
			json: video(`,"color_transfer":"arib-std-b67","color_primaries":"bt2020","color_space":"unknown"`),
			want: base(func(v *VideoStream) { v.ColorTransfer, v.ColorPrimaries, v.HDR = "arib-std-b67", "bt2020", true })},
		{name: "bt709 is not HDR",
			json: video(`,"color_transfer":"bt709","profile":"unknown"`),
			want: base(func(v *VideoStream) { v.ColorTransfer = "bt709" })},
		{name: "duration from the longest stream, Matroska tags included",
			json: `{"streams":[
				{"index":0,"codec_type":"video","tags":{"DURATION":"00:01:02.500000000"}},
				{"index":1,"codec_type":"audio","duration":"61.0","channel_layout":"stereo","tags":{"language":"und","TITLE":"Main"}},
				{"index":2,"codec_type":"subtitle","codec_name":"subrip","tags":{"language":"ger"}}],
				"format":{"format_name":"matroska,webm","duration":"N/A"}}`,
			want: &Probe{Path: "in.mp4", Container: "matroska,webm", Duration: 62500 * time.Millisecond,
				Video:     []VideoStream{{SAR: Rational{1, 1}}},
				Audio:     []AudioStream{{Index: 1, Channels: 2, ChannelLayout: "stereo", Title: "Main"}},
				Subtitles: []SubtitleStream{{Index: 2, Codec: "subrip", Language: "ger"}}}},
		{name: "cover art alone is audio-only",
			json: `{"streams":[{"index":0,"codec_type":"audio","codec_name":"mp3","channels":2},
				{"index":1,"codec_type":"video","codec_name":"mjpeg","disposition":{"attached_pic":1}}]}`,
			want: &Probe{Path: "in.mp4", Audio: []AudioStream{{Codec: "mp3", Channels: 2}}}},
		{name: "nonsense numbers are unknown",
			json: `{"streams":[{"index":"x","codec_type":"video","width":-5,"height":1e300,"nb_frames":"many","bit_rate":"-1",
				"sample_aspect_ratio":"-1:0","r_frame_rate":"a/b"}],"format":{"duration":"inf","size":"-3"}}`,
			want: &Probe{Path: "in.mp4", Video: []VideoStream{{SAR: Rational{1, 1}}}}},
		{name: "subtitles only", wantReason: "no audio or video streams",
			json: `{"streams":[{"index":0,"codec_type":"subtitle","codec_name":"subrip"}],"format":{"format_name":"srt"}}`},
		{name: "empty report", json: `{}`, wantReason: "no audio or video streams"},
		{name: "not JSON", json: `moov atom not found`, wantErr: true},
		{name: "wrong type", json: `{"streams":[{"width":true}]}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProbe("in.mp4", []byte(tc.json))
			var ie *InputError
			switch {
			case tc.wantReason != "":
				if !errors.As(err, &ie) || ie.Reason != tc.wantReason || ie.Path != "in.mp4" {
					t.Fatalf("err = %v, want *InputError %q", err, tc.wantReason)
				}
				return
			case tc.wantErr:
				if err == nil || errors.As(err, &ie) {
					t.Fatalf("err = %v, want a non-input error", err)
				}
				return
			case err != nil:
				t.Fatalf("ParseProbe: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, probeCmpOpts...); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProbeDisplaySize(t *testing.T) {
	tests := []struct {
		name         string
		v            VideoStream
		wantW, wantH int
	}{
		{"square", VideoStream{Width: 320, Height: 180, SAR: Rational{1, 1}}, 320, 180},
		{"unknown SAR", VideoStream{Width: 320, Height: 180}, 320, 180},
		{"anamorphic", VideoStream{Width: 320, Height: 180, SAR: Rational{4, 3}}, 427, 180},
		{"portrait phone", VideoStream{Width: 1920, Height: 1080, SAR: Rational{1, 1}, Rotation: 90}, 1080, 1920},
		// SAR belongs to the stored picture, so it stretches the stored
		// width, which becomes the displayed height.
		{"anamorphic rotated", VideoStream{Width: 720, Height: 576, SAR: Rational{64, 45}, Rotation: 270}, 576, 1024},
		{"upside down", VideoStream{Width: 320, Height: 180, SAR: Rational{1, 1}, Rotation: 180}, 320, 180},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, h := tc.v.DisplaySize()
			if w != tc.wantW || h != tc.wantH {
				t.Errorf("DisplaySize() = %dx%d, want %dx%d", w, h, tc.wantW, tc.wantH)
			}
		})
	}
}

func TestProbePrimaryVideo(t *testing.T) {
	tests := []struct {
		name      string
		video     []VideoStream
		wantIndex int
		wantErr   bool
	}{
		{name: "default wins", video: []VideoStream{{Index: 0}, {Index: 3, Default: true}}, wantIndex: 3},
		{name: "else the first", video: []VideoStream{{Index: 1}, {Index: 2}}, wantIndex: 1},
		{name: "audio only", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Probe{Path: "in.m4a", Video: tc.video}
			v, err := p.PrimaryVideo()
			if tc.wantErr {
				var ie *InputError
				if !errors.As(err, &ie) || ie.Path != "in.m4a" || ie.Reason != "no video stream (audio-only input)" {
					t.Fatalf("err = %v, want *InputError no video stream", err)
				}
				return
			}
			if err != nil || v.Index != tc.wantIndex {
				t.Fatalf("PrimaryVideo() = stream %d, %v; want stream %d", v.Index, err, tc.wantIndex)
			}
		})
	}
}

func TestProbeVariableFrameRate(t *testing.T) {
	fixture := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "probe", name+".packets.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	pts := func(values ...string) string {
		var parts []string
		for _, v := range values {
			parts = append(parts, `{"pts":`+v+`}`)
		}
		return `{"packets":[` + strings.Join(parts, ",") + `]}`
	}
	tests := []struct {
		name string
		json string
		want bool
	}{
		{"constant 25 fps MP4", fixture("plain"), false},
		{"29.97 fps in milliseconds", fixture("ntsc"), false},
		{"25 fps slowing to 8.3", fixture("vfr"), true},
		{"B-frames out of order", pts("0", "1536", "512", "1024", "3584", "2048", "2560", "3072"), false},
		{"one dropped frame", pts("0", "40", "80", "120", "200", "240", "280", "320"), false},
		{"alternating durations", pts("0", "40", "100", "140", "200", "240", "300", "340"), true},
		{"missing timestamps are skipped", pts(`"N/A"`, "0", "40", "80", "120", "160"), false},
		{"too few to tell", pts("0", "40", "200"), false},
		{"none", `{"packets":[]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := variableFrameRate([]byte(tc.json))
			if err != nil || got != tc.want {
				t.Errorf("variableFrameRate() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestProbeInputFailureReason(t *testing.T) {
	const in = "file:/m/a.mp4"
	tests := []struct {
		name, stderr, want string
		wantOK             bool
	}{
		{"demuxer detail wins",
			"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55566ea3b1c0] moov atom not found\n" + in + ": Invalid data found when processing input\n",
			"not a media file ffmpeg can read (moov atom not found)", true},
		{"strerror alone",
			in + ": Invalid data found when processing input\n",
			"not a media file ffmpeg can read (invalid data found when processing input)", true},
		{"acronym keeps its case",
			"[matroska,webm @ 0x1] EBML header parsing failed.\n" + in + ": Invalid data found when processing input\n",
			"not a media file ffmpeg can read (EBML header parsing failed)", true},
		{"vanished", in + ": No such file or directory\n", "no such file", true},
		{"unreadable", in + ": Permission denied\n", "permission denied", true},
		{"not about the input", "Unrecognized option 'x'.\nError splitting the argument list: Option not found\n", "", false},
		{"empty", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := inputFailureReason(tc.stderr, in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("inputFailureReason() = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// probeRunnerFunc is a Runner made of a function, for the error paths real
// ffprobe cannot be made to take.
type probeRunnerFunc func(ctx context.Context, tool Tool, args []string, stdout io.Writer) error

func (f probeRunnerFunc) Run(ctx context.Context, tool Tool, args []string, stdout io.Writer) error {
	return f(ctx, tool, args, stdout)
}

// probeWriteFile writes a small non-empty file that passes the pre-checks.
func probeWriteFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.mp4")
	if err := os.WriteFile(p, []byte("not really media"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProbeFileRunnerErrors(t *testing.T) {
	path := probeWriteFile(t)
	report, err := os.ReadFile(filepath.Join("testdata", "probe", "plain.json"))
	if err != nil {
		t.Fatal(err)
	}
	toolErr := func(stderr string) *ToolError {
		return &ToolError{Tool: FFprobe, ExitCode: 1, StderrTail: stderr}
	}
	tests := []struct {
		name       string
		first      error // result of the format/streams call
		second     error // result of the packet-timing call
		wantReason string
		wantIs     error
		wantTool   bool // passes a *ToolError on, not as an InputError
	}{
		{name: "not media", first: toolErr("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\nfile:" + path + ": Invalid data found when processing input\n"),
			wantReason: "not a media file ffmpeg can read (moov atom not found)"},
		{name: "ffprobe broken, not the file", first: toolErr("Unrecognized option 'show_streams'.\n"), wantTool: true},
		{name: "ffprobe missing", first: fmt.Errorf("ffprobe %w on PATH", ErrToolMissing), wantIs: ErrToolMissing},
		{name: "cancelled", first: fmt.Errorf("ffprobe: %w", context.Canceled), wantIs: context.Canceled},
		{name: "timing read fails on the file", second: toolErr("file:" + path + ": Invalid data found when processing input\n")},
		{name: "ffprobe vanishes between calls", second: fmt.Errorf("ffprobe %w on PATH", ErrToolMissing), wantIs: ErrToolMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			r := probeRunnerFunc(func(ctx context.Context, tool Tool, args []string, stdout io.Writer) error {
				calls++
				if tool != FFprobe || args[len(args)-1] != "file:"+path {
					t.Errorf("ran %s %q, want ffprobe on file:%s", tool, args, path)
				}
				if calls == 1 {
					if tc.first != nil {
						return tc.first
					}
					_, err := stdout.Write(report)
					return err
				}
				if tc.second != nil {
					return tc.second
				}
				_, err := io.WriteString(stdout, `{"packets":[{"pts":0},{"pts":512},{"pts":1024},{"pts":1536},{"pts":2048}]}`)
				return err
			})
			p, err := ProbeFile(context.Background(), r, path)
			var ie *InputError
			var te *ToolError
			switch {
			case tc.wantReason != "":
				if !errors.As(err, &ie) || ie.Reason != tc.wantReason || !errors.As(err, &te) {
					t.Fatalf("err = %v, want *InputError %q wrapping the *ToolError", err, tc.wantReason)
				}
			case tc.wantIs != nil:
				if !errors.Is(err, tc.wantIs) || errors.As(err, &ie) {
					t.Fatalf("err = %v, want errors.Is %v and no *InputError", err, tc.wantIs)
				}
			case tc.wantTool:
				if !errors.As(err, &te) || errors.As(err, &ie) {
					t.Fatalf("err = %v, want a *ToolError and no *InputError", err)
				}
			default:
				if err != nil {
					t.Fatalf("ProbeFile: %v", err)
				}
				if p.Video[0].VariableFrameRate {
					t.Error("VariableFrameRate = true after a failed timing read, want false")
				}
			}
		})
	}
}

// TestProbeFile probes freshly generated media and expects what
// TestParseProbe expects of the fixtures, apart from byte counts, which
// another ffmpeg build may change, and with frame timing measured.
func TestProbeFile(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	wants := probeWants()
	r := NewExecRunner(nil)
	for _, m := range probeMediaSet {
		want, ok := wants[m.name]
		if !ok {
			continue // an input error, see TestProbeFileBadInput
		}
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := m.make(t, t.TempDir())
			got, err := ProbeFile(context.Background(), r, path)
			if err != nil {
				t.Fatalf("ProbeFile: %v", err)
			}
			want.Path = path
			if m.name == "vfr" {
				want.Video[0].VariableFrameRate = true
			}
			opts := append([]cmp.Option{
				cmpopts.IgnoreFields(Probe{}, "SizeBytes", "BitrateKbps"),
				cmpopts.IgnoreFields(VideoStream{}, "BitrateKbps"),
				cmpopts.IgnoreFields(AudioStream{}, "BitrateKbps"),
			}, probeCmpOpts...)
			if diff := cmp.Diff(want, got, opts...); diff != "" {
				t.Errorf("ProbeFile(%s) mismatch (-want +got):\n%s", m.file, diff)
			}
			if got.SizeBytes <= 0 || got.BitrateKbps <= 0 {
				t.Errorf("size %d bytes, bitrate %d kbps; want both > 0", got.SizeBytes, got.BitrateKbps)
			}
		})
	}
}

// TestProbeFileAudioOnly: probing succeeds, but there is nothing to encode.
func TestProbeFileAudioOnly(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	path := probeMediaByName(t, "audio_only").make(t, t.TempDir())
	p, err := ProbeFile(context.Background(), NewExecRunner(nil), path)
	if err != nil {
		t.Fatalf("ProbeFile: %v", err)
	}
	_, err = p.PrimaryVideo()
	var ie *InputError
	if !errors.As(err, &ie) || ie.Reason != "no video stream (audio-only input)" || ie.Path != path {
		t.Fatalf("PrimaryVideo() error = %v, want *InputError no video stream for %s", err, path)
	}
}

func TestProbeFileBadInput(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	plain := probeMediaByName(t, "plain").make(t, dir)
	media, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const notMedia = "not a media file ffmpeg can read"
	tests := []struct {
		name       string
		path       string
		wantReason string
	}{
		{"missing", filepath.Join(dir, "nope.mp4"), "no such file"},
		{"missing directory on the way", filepath.Join(plain, "x.mp4"), "cannot access (not a directory)"},
		{"directory", dir, "is a directory, not a media file"},
		{"zero bytes", write("empty.mp4", nil), "empty file (0 bytes)"},
		// ffmpeg writes moov last, so any cut loses it.
		{"first 1000 bytes", write("cut1000.mp4", media[:1000]), notMedia + " (moov atom not found)"},
		{"cut in half", write("half.mp4", media[:len(media)/2]), notMedia + " (moov atom not found)"},
		{"text named .mp4", write("notes.mp4", []byte("hello, this is not a video\n")), notMedia + " (moov atom not found)"},
		{"text file", write("notes.txt", []byte("hello, this is not a video\n")),
			notMedia + " (invalid data found when processing input)"},
		{"text without extension", write("notes", []byte("hello, this is not a video\n")),
			notMedia + " (invalid data found when processing input)"},
		// .dat is a Video CD extension: the MPEG-PS demuxer takes the file
		// and runs out of it.
		{"text named .dat", write("notes.dat", []byte("hello, this is not a video\n")), notMedia + " (end of file)"},
		{"subtitles only", probeMediaByName(t, "subtitles_only").make(t, dir), "no audio or video streams"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ProbeFile(context.Background(), NewExecRunner(nil), tc.path)
			probeCheckInputError(t, err, tc.path, tc.wantReason)
		})
	}
}

// probeCheckInputError checks err is an *InputError for path with the
// reason, and that its message is one line naming the path.
func probeCheckInputError(t *testing.T, err error, path, reason string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want *InputError", err, err)
	}
	if ie.Path != path || ie.Reason != reason {
		t.Errorf("InputError{Path: %q, Reason: %q}, want {%q, %q}", ie.Path, ie.Reason, path, reason)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
		t.Errorf("Error() = %q, want one line naming %s", msg, path)
	}
}

// TestProbeFileTruncatedAfterMoov documents a limit: with the index first
// (+faststart), a file cut in the middle of mdat still probes, duration
// and all, because ffprobe only reads the index. The cut shows when ffmpeg
// decodes it.
func TestProbeFileTruncatedAfterMoov(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	plain := probeMediaByName(t, "plain").make(t, dir)
	fast := mediatest.Generate(t, dir, "fast.mp4", "-i", plain, "-c", "copy", "-movflags", "+faststart")
	b, err := os.ReadFile(fast)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.mp4")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ProbeFile(context.Background(), NewExecRunner(nil), cut)
	if err != nil {
		t.Fatalf("ProbeFile: %v", err)
	}
	if p.Duration != 2*time.Second {
		t.Errorf("Duration = %v, want the 2s the index claims", p.Duration)
	}
}

// TestProbeFileAwkwardNames: a name starting with "-" is not an option to
// ffprobe, and "name:" is not a protocol.
func TestProbeFileAwkwardNames(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	src := probeMediaByName(t, "no_audio").make(t, dir)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "-take:1.mp4"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	p, err := ProbeFile(context.Background(), NewExecRunner(nil), "-take:1.mp4")
	if err != nil {
		t.Fatalf("ProbeFile: %v", err)
	}
	if len(p.Video) != 1 || p.Video[0].Width != 320 {
		t.Errorf("probed %+v, want one 320-wide video stream", p.Video)
	}
}

func TestProbeFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	path := probeWriteFile(t)
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	r := probeRunnerFunc(func(context.Context, Tool, []string, io.Writer) error {
		t.Error("ffprobe ran on an unreadable file")
		return nil
	})
	_, err := ProbeFile(context.Background(), r, path)
	probeCheckInputError(t, err, path, "permission denied")
}

func TestProbeFileToolMissing(t *testing.T) {
	path := probeWriteFile(t)
	_, err := ProbeFile(context.Background(), &ExecRunner{FFprobePath: "/nonexistent/ffprobe"}, path)
	var ie *InputError
	if !errors.Is(err, ErrToolMissing) || errors.As(err, &ie) {
		t.Fatalf("err = %v, want ErrToolMissing and no *InputError", err)
	}
}

func TestProbeFileCancelled(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	path := probeMediaByName(t, "no_audio").make(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ProbeFile(ctx, NewExecRunner(nil), path)
	var ie *InputError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ie) {
		t.Fatalf("err = %v, want context.Canceled and no *InputError", err)
	}
}
