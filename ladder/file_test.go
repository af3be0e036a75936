package ladder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		path string
		want Ladder
	}{
		{
			path: filepath.Join("testdata", "my-ladder.json"),
			want: Ladder{
				Name:  "my-ladder",
				Codec: H264,
				Video: []Rung{
					{Width: 1920, Height: 1080, Codec: H264, BitrateKbps: 6000, MaxrateKbps: 9000, BufsizeKbps: 12000},
					{Width: 1920, Height: 1080, Codec: HEVC, BitrateKbps: 4500, HDRBitrateKbps: 5400, MaxrateKbps: 6750, BufsizeKbps: 9000},
					{Width: 1280, Height: 720, Codec: H264, BitrateKbps: 3000, MaxrateKbps: 4500, BufsizeKbps: 6000, CRF: 23},
					{Name: "mobile", Width: 640, Height: 360, Codec: H264, BitrateKbps: 365, MaxrateKbps: 548, BufsizeKbps: 730, MaxFrameRate: 30},
				},
				Audio: []Audio{
					{Codec: AAC, BitrateKbps: 128, Channels: 2},
					{Codec: EAC3, BitrateKbps: 384, Channels: 6},
				},
			},
		},
		{
			// Name from the file name, codec h264, default VBV and audio.
			path: filepath.Join("testdata", "minimal.json"),
			want: Ladder{
				Name:  "minimal",
				Codec: H264,
				Video: []Rung{{Width: 1280, Height: 720, Codec: H264, BitrateKbps: 3000, MaxrateKbps: 4500, BufsizeKbps: 6000}},
				Audio: DefaultAudio(),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := Load(tc.path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Ladder
	}{
		{
			name: "empty audio list means no audio",
			in:   `{"name": "silent", "codec": "av1", "video": [{"width": 640, "height": 360, "bitrate_kbps": 500}], "audio": []}`,
			want: Ladder{
				Name:  "silent",
				Codec: AV1,
				Video: []Rung{{Width: 640, Height: 360, Codec: AV1, BitrateKbps: 500, MaxrateKbps: 750, BufsizeKbps: 1000}},
				Audio: []Audio{},
			},
		},
		{
			name: "audio codec and channels default to aac stereo",
			in:   `{"video": [{"width": 640, "height": 360, "bitrate_kbps": 145}], "audio": [{"bitrate_kbps": 96}]}`,
			want: Ladder{
				Name:  "x",
				Codec: H264,
				Video: []Rung{{Width: 640, Height: 360, Codec: H264, BitrateKbps: 145, MaxrateKbps: 218, BufsizeKbps: 290}},
				Audio: []Audio{{Codec: AAC, BitrateKbps: 96, Channels: 2}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in), "dir/x.json")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	// rung wraps one video rung in an otherwise valid file.
	rung := func(r string) string {
		return `{"video": [` + r + `]}`
	}
	const ok = `{"width": 1280, "height": 720, "bitrate_kbps": 3000}`
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty file", "", "my-ladder.json: is empty; want a JSON ladder object"},
		{"not JSON", "video:\n  - 1080p\n", "my-ladder.json:1:1: invalid JSON: invalid character 'v' looking for beginning of value"},
		{"trailing comma", "{\"video\": [\n  " + ok + ",\n]}", "my-ladder.json:3:1: invalid JSON: invalid character ']' looking for beginning of value"},
		{"truncated", "{\"video\": [\n  " + ok, "my-ladder.json:2:55: invalid JSON: unexpected end of file"},
		{"unknown field", "{\"video\": [\n  {\"width\": 1280, \"height\": 720, \"bitrate\": 3000}\n]}", `my-ladder.json:2:34: unknown field "bitrate"`},
		{"frame_rate is not a file field", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "frame_rate": {"num": 25, "den": 1}}`), `my-ladder.json:1:65: unknown field "frame_rate"`},
		{"wrong type", "{\"video\": [\n  {\"width\": \"1280\", \"height\": 720, \"bitrate_kbps\": 3000}\n]}", "my-ladder.json:2:13: video.width: want an integer, got string"},
		{"fraction", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 2999.5}`), "my-ladder.json:1:59: video.bitrate_kbps: want an integer, got number 2999.5"},
		{"trailing data", `{"video": [` + ok + `]} {}`, "my-ladder.json:1:67: unexpected data after the ladder object"},
		{"no video key", `{"name": "x"}`, "my-ladder.json: video: must have at least one rung"},
		{"no rungs", `{"video": []}`, "my-ladder.json: video: must have at least one rung"},
		{"unknown ladder codec", `{"codec": "vp9", "video": [` + ok + `]}`, `my-ladder.json: codec: codec "vp9" is not a video codec vpack encodes (h264, hevc, av1)`},
		{"unknown rung codec", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "codec": "H.264"}`), `my-ladder.json: video[0]: codec "H.264" is not a video codec vpack encodes (h264, hevc, av1)`},
		{"zero width", rung(`{"height": 720, "bitrate_kbps": 3000}`), "my-ladder.json: video[0]: width must be > 0"},
		{"negative height", rung(`{"width": 1280, "height": -720, "bitrate_kbps": 3000}`), "my-ladder.json: video[0]: height must be > 0"},
		{"odd width", rung(`{"width": 1279, "height": 720, "bitrate_kbps": 3000}`), "my-ladder.json: video[0]: width 1279 must be even (4:2:0 chroma needs even sizes)"},
		{"odd height", rung(`{"width": 1280, "height": 719, "bitrate_kbps": 3000}`), "my-ladder.json: video[0]: height 719 must be even (4:2:0 chroma needs even sizes)"},
		{"too wide", rung(`{"width": 16384, "height": 720, "bitrate_kbps": 3000}`), "my-ladder.json: video[0]: width 16384 is more than 8192"},
		{"portrait box", rung(`{"width": 1080, "height": 1920, "bitrate_kbps": 6000}`), "my-ladder.json: video[0]: 1080x1920 is portrait: write rungs as landscape boxes, Adapt turns them for portrait sources"},
		{"zero bit rate", `{"video": [` + ok + `, ` + ok + `, {"width": 640, "height": 360}]}`, "my-ladder.json: video[2]: bitrate_kbps must be > 0"},
		{"negative HDR rate", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "hdr_bitrate_kbps": -1}`), "my-ladder.json: video[0]: hdr_bitrate_kbps must be >= 0 (0 means bitrate_kbps)"},
		{"peak above 2x", rung(`{"width": 1920, "height": 1080, "bitrate_kbps": 6000, "maxrate_kbps": 20000}`), "my-ladder.json: video[0]: maxrate_kbps 20000 is more than 2x bitrate_kbps 6000 (peak must stay <= 2x average)"},
		{"peak below average", rung(`{"width": 1920, "height": 1080, "bitrate_kbps": 6000, "maxrate_kbps": 3000}`), "my-ladder.json: video[0]: maxrate_kbps 3000 is less than bitrate_kbps 6000 (peak cannot be below average)"},
		{"negative peak", rung(`{"width": 1920, "height": 1080, "bitrate_kbps": 6000, "maxrate_kbps": -1}`), "my-ladder.json: video[0]: maxrate_kbps must be >= 0 (0 means 1.5x bitrate_kbps)"},
		{"negative buffer", rung(`{"width": 1920, "height": 1080, "bitrate_kbps": 6000, "bufsize_kbps": -1}`), "my-ladder.json: video[0]: bufsize_kbps must be >= 0 (0 means 2x bitrate_kbps)"},
		{"crf too high", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "crf": 52}`), "my-ladder.json: video[0]: crf 52 is out of range 0-51 for h264 (0 means no CRF)"},
		{"crf fine for av1", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "codec": "av1", "crf": 64}`), "my-ladder.json: video[0]: crf 64 is out of range 0-63 for av1 (0 means no CRF)"},
		{"max_fps below 1", rung(`{"width": 1280, "height": 720, "bitrate_kbps": 3000, "max_fps": 0.5}`), "my-ladder.json: video[0]: max_fps 0.5 must be 0 (the source frame rate) or between 1 and 300"},
		{"duplicate name", `{"video": [{"width": 1280, "height": 720, "bitrate_kbps": 3000, "name": "hd"}, {"width": 1920, "height": 1080, "bitrate_kbps": 6000, "name": "hd"}]}`, `my-ladder.json: video[1]: name "hd" is already used by video[0]`},
		{"unknown audio codec", `{"video": [` + ok + `], "audio": [{"codec": "aac", "bitrate_kbps": 128}, {"codec": "mp3", "bitrate_kbps": 128}]}`, `my-ladder.json: audio[1]: codec "mp3" is not an audio codec vpack encodes (aac, eac3, opus)`},
		{"audio without bit rate", `{"video": [` + ok + `], "audio": [{"codec": "aac"}]}`, "my-ladder.json: audio[0]: bitrate_kbps must be > 0"},
		{"too many channels", `{"video": [` + ok + `], "audio": [{"codec": "eac3", "bitrate_kbps": 640, "channels": 12}]}`, "my-ladder.json: audio[0]: channels 12 must be between 1 and 8 (0 means 2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in), "my-ladder.json")
			if err == nil {
				t.Fatalf("Parse: no error; want %q", tc.want)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FileError", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	in := `{"name": "` + strings.Repeat("x", maxFileBytes) + `"}`
	_, err := Parse(strings.NewReader(in), "big.json")
	want := "big.json: is larger than 1048576 bytes; a ladder file is a small JSON object"
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v; want %q", err, want)
	}
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := Load(path)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != path {
		t.Fatalf("Load = %v; want a *FileError for %s", err, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
	if want := path + ": no such file or directory"; err.Error() != want {
		t.Errorf("error = %q; want %q", err, want)
	}
}

// FuzzParse checks that no input makes Parse panic, and that what it accepts
// is a ladder Adapt takes.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"my-ladder.json", "minimal.json"} {
		data, err := fs.ReadFile(testdataFS, p)
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(string(data))
	}
	f.Add(`{"video": [{"width": 2, "height": 2, "bitrate_kbps": 1, "max_fps": 1}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		l, err := Parse(strings.NewReader(in), "fuzz.json")
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FileError: %v", err, err)
			}
			return
		}
		src := Source{Width: 1920, Height: 1080, FrameRate: fps50}
		if _, err := Adapt(l, src, AdaptOptions{}); err != nil {
			t.Fatalf("Adapt of a parsed ladder: %v", err)
		}
	})
}

var testdataFS = os.DirFS("testdata")
