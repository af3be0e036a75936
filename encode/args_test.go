package encode_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
)

// TestArgs pins the whole command for a two-rung, two-track H.264 ladder:
// it is the contract with ffmpeg that the media tests verify.
func TestArgs(t *testing.T) {
	got, err := encode.Args(fakeConfig("/out"))
	if err != nil {
		t.Fatal(err)
	}
	x264 := func(kbps, maxrate, bufsize, file string) []string {
		return []string{"-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "medium",
			"-b:v", kbps, "-maxrate", maxrate, "-bufsize", bufsize,
			"-x264-params", "keyint=50:min-keyint=50:scenecut=0:open-gop=0",
			"-force_key_frames:v", "expr:gte(t,n_forced*2-1/50)", "-forced-idr", "1",
			"-map_metadata", "-1", "-map_chapters", "-1", "-f", "mp4", "file:/out/" + file}
	}
	aac := func(index, lang, file string) []string {
		return []string{"-map", "0:" + index, "-c:a", "aac", "-profile:a", "aac_low",
			"-b:a", "128k", "-ac", "2", "-ar", "48000",
			"-af", "aresample=async=1:first_pts=0,apad=whole_dur=10.000000",
			"-map_metadata", "-1", "-map_chapters", "-1", "-metadata:s:a:0", "language=" + lang,
			"-f", "mp4", "file:/out/" + file}
	}
	want := slices.Concat(
		[]string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1", "-nostats",
			"-i", "file:in.mov",
			"-filter_complex", "[0:0]split=2[s0][s1]" +
				";[s0]fps=25:start_time=0,scale=1280:720:flags=lanczos,setsar=1,format=yuv420p[v0]" +
				";[s1]fps=25:start_time=0,scale=640:360:flags=lanczos,setsar=1,format=yuv420p[v1]",
			"-map", "[v0]"},
		x264("3000k", "4500k", "6000k", "720p.mp4"),
		[]string{"-map", "[v1]"},
		x264("730k", "1095k", "1460k", "360p.mp4"),
		aac("1", "eng", "audio-eng-aac.mp4"),
		aac("2", "und", "audio-und-aac.mp4"),
	)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Args (-want +got):\n%s", diff)
	}
}

// TestArgsCases checks the parts of the command that vary: codecs, frame
// rates, bit depth, HDR, presets, rate control and audio.
func TestArgsCases(t *testing.T) {
	r25 := ladder.Rate{Num: 25, Den: 1}
	tests := []struct {
		name   string
		edit   func(c *encode.Config)
		graph  string     // -filter_complex, when not ""
		output [][]string // option runs expected in output i's arguments (video, then audio)
		absent [][]string // option runs expected in no output
		files  []string   // output files, when not nil
	}{
		{
			name: "halved frame rate rung from 50 fps",
			edit: func(c *encode.Config) {
				c.Probe.Video[0].FrameRate = encode.Rational{Num: 50, Den: 1}
				c.Video[0].FrameRate = ladder.Rate{Num: 50, Den: 1}
				c.Video[1].FrameRate = r25
			},
			graph: "[0:0]split=2[s0][s1]" +
				";[s0]fps=50:start_time=0,scale=1280:720:flags=lanczos,setsar=1,format=yuv420p[v0]" +
				";[s1]fps=25:start_time=0,scale=640:360:flags=lanczos,setsar=1,format=yuv420p[v1]",
			output: [][]string{
				{"-x264-params", "keyint=100:min-keyint=100:scenecut=0:open-gop=0", "-force_key_frames:v", "expr:gte(t,n_forced*2-1/100)"},
				{"-x264-params", "keyint=50:min-keyint=50:scenecut=0:open-gop=0", "-force_key_frames:v", "expr:gte(t,n_forced*2-1/50)"},
			},
		},
		{
			name: "29.97 fps: GOP of 60 frames, 4.004 s segments",
			edit: func(c *encode.Config) {
				for i := range c.Video {
					c.Video[i].FrameRate = ladder.Rate{Num: 30000, Den: 1001}
				}
			},
			output: [][]string{
				{"-x264-params", "keyint=60:min-keyint=60:scenecut=0:open-gop=0", "-force_key_frames:v", "expr:gte(t,n_forced*1001/500-1001/60000)"},
			},
		},
		{
			name: "hevc from a 10-bit HDR source keeps 10 bits and the colour description",
			edit: func(c *encode.Config) {
				v := &c.Probe.Video[0]
				v.PixFmt, v.BitDepth, v.HDR = "yuv420p10le", 10, true
				v.ColorTransfer, v.ColorPrimaries, v.ColorSpace = "smpte2084", "bt2020", "bt2020nc"
				c.Video = c.Video[:1]
				c.Video[0].Codec = ladder.HEVC
				c.Preset = "slow"
			},
			graph: "[0:0]fps=25:start_time=0,scale=1280:720:flags=lanczos,setsar=1,format=yuv420p10le[v0]",
			output: [][]string{{"-c:v", "libx265", "-preset", "slow", "-b:v", "3000k", "-maxrate", "4500k", "-bufsize", "6000k",
				"-x265-params", "keyint=50:min-keyint=50:scenecut=0:open-gop=0:log-level=error",
				"-force_key_frames:v", "expr:gte(t,n_forced*2-1/50)", "-forced-idr", "1", "-tag:v", "hvc1",
				"-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc"}},
		},
		{
			name: "h264 from a 10-bit HLG source is tone-mapped to 8-bit BT.709",
			edit: func(c *encode.Config) {
				v := &c.Probe.Video[0]
				v.PixFmt, v.BitDepth, v.HDR, v.ColorTransfer = "yuv420p10le", 10, true, "arib-std-b67"
				c.Video = c.Video[:1]
			},
			graph: "[0:0]fps=25:start_time=0,scale=1280:720:flags=lanczos," +
				"zscale=tin=arib-std-b67:min=bt2020nc:pin=bt2020:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709," +
				"tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,setsar=1,format=yuv420p[v0]",
			output: [][]string{{"-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"}},
		},
		{
			name: "10-bit SDR source: hevc and av1 10-bit, h264 8-bit, no colour options",
			edit: func(c *encode.Config) {
				c.Probe.Video[0].PixFmt, c.Probe.Video[0].BitDepth = "yuv422p10le", 10
				c.Video = append(c.Video, ladder.Rung{Name: "av1", Width: 640, Height: 360, Codec: ladder.AV1, BitrateKbps: 500})
				c.Video[0].Codec = ladder.HEVC
			},
			graph: "[0:0]split=3[s0][s1][s2]" +
				";[s0]fps=25:start_time=0,scale=1280:720:flags=lanczos,setsar=1,format=yuv420p10le[v0]" +
				";[s1]fps=25:start_time=0,scale=640:360:flags=lanczos,setsar=1,format=yuv420p[v1]" +
				";[s2]fps=25:start_time=0,scale=640:360:flags=lanczos,setsar=1,format=yuv420p10le[v2]",
			absent: [][]string{{"-color_primaries"}, {"-colorspace"}},
		},
		{
			name: "av1: fixed closed GOP, VBR without VBV, SVT preset number",
			edit: func(c *encode.Config) {
				c.Video = c.Video[:1]
				c.Video[0].Codec = ladder.AV1
				c.Preset = "veryfast"
				c.Audio = []ladder.Audio{{Codec: ladder.Opus, BitrateKbps: 96, Channels: 2}}
			},
			output: [][]string{
				{"-map", "[v0]", "-fps_mode", "passthrough", "-c:v", "libsvtav1", "-preset", "12", "-b:v", "3000k",
					"-svtav1-params", "keyint=50:scd=0:irefresh-type=2", "-map_metadata", "-1"},
				{"-c:a", "libopus", "-b:a", "96k", "-ac", "2", "-ar", "48000"},
			},
			absent: [][]string{{"-maxrate"}, {"-bufsize"}, {"-force_key_frames:v"}},
			files:  []string{"720p", "audio-eng-opus.mp4", "audio-und-opus.mp4"},
		},
		{
			name: "capped crf",
			edit: func(c *encode.Config) {
				c.Video = append(c.Video[:1], ladder.Rung{Name: "crf-av1", Width: 640, Height: 360, Codec: ladder.AV1,
					CRF: 34.6, MaxrateKbps: 900})
				c.Video[0].CRF, c.Video[0].BitrateKbps = 21.5, 0
				c.Video[0].MaxrateKbps, c.Video[0].BufsizeKbps = 4000, 8000
			},
			output: [][]string{
				{"-crf", "21.5", "-maxrate", "4000k", "-bufsize", "8000k", "-x264-params"},
				{"-crf", "35", "-maxrate", "900k", "-svtav1-params"},
			},
			absent: [][]string{{"-b:v"}},
		},
		{
			name: "prefilter once before the split, ultrafast",
			edit: func(c *encode.Config) {
				c.Prefilter = "yadif"
				c.Preset = "ultrafast"
			},
			graph:  "[0:0]yadif,split=2[s0][s1];",
			output: [][]string{{"-preset", "ultrafast"}, {"-preset", "ultrafast"}},
		},
		{
			name: "primary video is the default stream, not the first",
			edit: func(c *encode.Config) {
				c.Probe.Video = append(c.Probe.Video, c.Probe.Video[0])
				c.Probe.Video[1].Index, c.Probe.Video[1].Default = 3, true
			},
			graph: "[0:3]split=2",
		},
		{
			name: "5.1 and mono tracks: E-AC-3 only for 5.1, mono AAC stays mono, names repeat per language",
			edit: func(c *encode.Config) {
				c.Probe.Audio = []encode.AudioStream{
					{Index: 1, Channels: 6, Language: "eng"},
					{Index: 2, Channels: 1, Language: "eng"},
				}
				c.Audio = []ladder.Audio{{Codec: ladder.AAC, BitrateKbps: 128, Channels: 2}, {Codec: ladder.EAC3, Channels: 6}}
			},
			output: [][]string{
				{}, {},
				{"-map", "0:1", "-c:a", "aac", "-profile:a", "aac_low", "-b:a", "128k", "-ac", "2"},
				{"-map", "0:1", "-c:a", "eac3", "-b:a", "384k", "-ac", "6"},
				{"-map", "0:2", "-c:a", "aac", "-profile:a", "aac_low", "-b:a", "64k", "-ac", "1"},
			},
			files: []string{"720p", "360p", "audio-eng-aac.mp4", "audio-eng-eac3.mp4", "audio-eng-aac-2.mp4"},
		},
		{
			name:  "no audio",
			edit:  func(c *encode.Config) { c.Probe.Audio = nil },
			files: []string{"720p", "360p"},
		},
		{
			name:   "unknown duration: no end padding",
			edit:   func(c *encode.Config) { c.Probe.Duration = 0 },
			output: [][]string{{}, {}, {"-af", "aresample=async=1:first_pts=0"}},
		},
		{
			name: "segment of 5 s at 25 fps: 1 s GOPs",
			edit: func(c *encode.Config) { c.SegmentDuration = 5 * time.Second },
			output: [][]string{{"-x264-params", "keyint=25:min-keyint=25:scenecut=0:open-gop=0",
				"-force_key_frames:v", "expr:gte(t,n_forced*1-1/50)"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig("/out")
			tc.edit(&cfg)
			args, err := encode.Args(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.graph != "" {
				graph := args[slices.Index(args, "-filter_complex")+1]
				if !strings.HasPrefix(graph, tc.graph) {
					t.Errorf("filter graph\n %s\nwant it to start with\n %s", graph, tc.graph)
				}
			}
			outs := splitOutputs(args)
			for i, run := range tc.output {
				if i >= len(outs) {
					t.Fatalf("only %d outputs, want output %d with %q", len(outs), i, run)
				}
				if !containsRun(outs[i], run) {
					t.Errorf("output %d:\n %q\nwant the run\n %q", i, outs[i], run)
				}
			}
			for _, run := range tc.absent {
				for i, o := range outs {
					if containsRun(o, run) {
						t.Errorf("output %d has %q:\n %q", i, run, o)
					}
				}
			}
			if tc.files != nil {
				var files []string
				for _, o := range outs {
					files = append(files, strings.TrimSuffix(strings.TrimPrefix(o[len(o)-1], "file:/out/"), ".mp4"))
				}
				for i := range tc.files {
					tc.files[i] = strings.TrimSuffix(tc.files[i], ".mp4")
				}
				if diff := cmp.Diff(tc.files, files); diff != "" {
					t.Errorf("output files (-want +got):\n%s", diff)
				}
			}

			// Each rung alone has the same filters and options.
			for i := range cfg.Video {
				one, err := encode.RungArgs(cfg, i)
				if err != nil {
					t.Fatal(err)
				}
				oneOuts := splitOutputs(one)
				if len(oneOuts) != 1 {
					t.Fatalf("RungArgs(%d) has %d outputs", i, len(oneOuts))
				}
				if diff := cmp.Diff(outs[i], oneOuts[0]); diff != "" {
					t.Errorf("RungArgs(%d) output (-Args +RungArgs):\n%s", i, diff)
				}
				graph := one[slices.Index(one, "-filter_complex")+1]
				full := args[slices.Index(args, "-filter_complex")+1]
				chain := graph[strings.Index(graph, "]")+1:]
				if cfg.Prefilter != "" {
					chain = strings.TrimPrefix(chain, cfg.Prefilter+",")
				}
				if !strings.Contains(full, chain) {
					t.Errorf("RungArgs(%d) chain %s is not in the ladder's graph %s", i, chain, full)
				}
			}
		})
	}
}

// splitOutputs cuts an ffmpeg command after -filter_complex into its
// outputs, each starting at -map and ending with its file.
func splitOutputs(args []string) [][]string {
	start := slices.Index(args, "-filter_complex") + 2
	var outs [][]string
	cur := []string{}
	for _, a := range args[start:] {
		cur = append(cur, a)
		if strings.HasPrefix(a, "file:") {
			outs = append(outs, cur)
			cur = []string{}
		}
	}
	return outs
}

// containsRun reports whether run appears in args as consecutive elements.
func containsRun(args, run []string) bool {
	if len(run) == 0 {
		return true
	}
	for i := 0; i+len(run) <= len(args); i++ {
		if slices.Equal(args[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

func TestArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *encode.Config)
		want string
	}{
		{"no input", func(c *encode.Config) { c.Input = "" }, "no input file"},
		{"no probe", func(c *encode.Config) { c.Probe = nil }, "not probed"},
		{"audio only", func(c *encode.Config) { c.Probe.Video = nil }, "no video stream"},
		{"no rungs", func(c *encode.Config) { c.Video = nil }, "no video rungs"},
		{"preset", func(c *encode.Config) { c.Preset = "placebo" }, `preset "placebo"`},
		{"odd size", func(c *encode.Config) { c.Video[0].Width = 641 }, "even"},
		{"bad name", func(c *encode.Config) { c.Video[0].Name = "../x" }, `name "../x"`},
		{"same name", func(c *encode.Config) { c.Video[1].Name = c.Video[0].Name }, "used twice"},
		{"vp9", func(c *encode.Config) { c.Video[0].Codec = "vp9" }, `codec "vp9"`},
		{"no rate", func(c *encode.Config) { c.Video[0].BitrateKbps = 0 }, "neither bitrate_kbps nor crf"},
		{"crf without cap", func(c *encode.Config) { c.Video[0].BitrateKbps, c.Video[0].CRF = 0, 23 }, "crf needs"},
		{"peak above 2x", func(c *encode.Config) { c.Video[0].MaxrateKbps = 6001 }, "above twice"},
		{"unknown frame rate", func(c *encode.Config) {
			c.Video[0].FrameRate = ladder.Rate{}
			c.Probe.Video[0].FrameRate = encode.Rational{}
		}, "no frame rate"},
		{"unrelated frame rates", func(c *encode.Config) { c.Video[1].FrameRate = ladder.Rate{Num: 30000, Den: 1001} },
			"keyframes cannot be aligned"},
		{"audio codec", func(c *encode.Config) { c.Audio = []ladder.Audio{{Codec: "mp3"}} }, `audio codec "mp3"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig("/out")
			tc.edit(&cfg)
			_, err := encode.Args(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Args = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
