package encode

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// probeFuzzSeeds adds the fixtures in testdata/probe that keep accepts.
func probeFuzzSeeds(f *testing.F, keep func(name string) bool) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "probe", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/probe: %v", err)
	}
	for _, file := range files {
		if !keep(filepath.Base(file)) {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseProbe feeds ParseProbe mutated ffprobe reports. Besides never
// panicking, a report it accepts must hold only interpreted values: a
// rotation that is a quarter turn, no negative sizes, a known aspect ratio
// for every picture with a size.
//
// Crashers found so far: none (testdata/fuzz/FuzzParseProbe holds any that
// turn up, so they rerun with every go test).
func FuzzParseProbe(f *testing.F) {
	probeFuzzSeeds(f, func(name string) bool { return !strings.HasSuffix(name, ".packets.json") })
	// Small reports give the mutator less JSON to break and more values
	// to change.
	for _, s := range []string{
		`{"streams":[{"index":0,"codec_type":"video","width":720,"height":576,"sample_aspect_ratio":"64:45","r_frame_rate":"25/1","avg_frame_rate":"0/0","pix_fmt":"yuv420p10le","side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]}],"format":{"duration":"1.5"}}`,
		`{"streams":[{"index":1,"codec_type":"audio","channels":"6","channel_layout":"5.1","tags":{"language":"und","DURATION":"01:02:03.5"},"disposition":{"default":1}}],"format":{"size":"10","bit_rate":"N/A"}}`,
		`{"streams":[{"codec_type":"video","tags":{"rotate":"-270"},"color_transfer":"smpte2084","disposition":{"attached_pic":0}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProbe("in.mp4", b)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) && strings.Contains(ie.Error(), "\n") {
				t.Errorf("InputError spans lines: %q", ie.Error())
			}
			return
		}
		if len(p.Video) == 0 && len(p.Audio) == 0 {
			t.Error("accepted a report with no audio or video")
		}
		if p.Duration < 0 || p.SizeBytes < 0 || p.BitrateKbps < 0 {
			t.Errorf("negative duration/size/bitrate: %v %d %d", p.Duration, p.SizeBytes, p.BitrateKbps)
		}
		for _, v := range p.Video {
			switch v.Rotation {
			case 0, 90, 180, 270:
			default:
				t.Errorf("rotation %d", v.Rotation)
			}
			if v.SAR.Num <= 0 || v.SAR.Den <= 0 {
				t.Errorf("SAR %v, want positive", v.SAR)
			}
			if v.Width > 0 && v.Height > 0 && (v.DAR.Num <= 0 || v.DAR.Den <= 0) {
				t.Errorf("%dx%d with DAR %v", v.Width, v.Height, v.DAR)
			}
			if v.FrameRate.Den < 0 || v.FrameRate.Num < 0 {
				t.Errorf("frame rate %v", v.FrameRate)
			}
			if w, h := v.DisplaySize(); w < 0 || h < 0 {
				t.Errorf("display size %dx%d", w, h)
			}
			if v.HDR != (v.ColorTransfer == "smpte2084" || v.ColorTransfer == "arib-std-b67") {
				t.Errorf("HDR %v with transfer %q", v.HDR, v.ColorTransfer)
			}
		}
		if _, err := p.PrimaryVideo(); (err == nil) != (len(p.Video) > 0) {
			t.Errorf("PrimaryVideo error %v with %d video streams", err, len(p.Video))
		}
	})
}

// FuzzVariableFrameRate feeds the frame-timing reader mutated packet lists.
func FuzzVariableFrameRate(f *testing.F) {
	probeFuzzSeeds(f, func(name string) bool { return strings.HasSuffix(name, ".packets.json") })
	f.Add([]byte(`{"packets":[{"pts":-9223372036854775808},{"pts":9223372036854775807},{"pts":0},{"pts":1},{"pts":2}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = variableFrameRate(b)
	})
}
