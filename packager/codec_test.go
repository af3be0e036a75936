package packager

import (
	"bytes"
	"errors"
	"testing"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
)

func TestHEVCCodecs(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		rec  hevc.DecConfRec
		want string
	}{
		{"main", "hvc1", hevc.DecConfRec{GeneralProfileIDC: 1, GeneralProfileCompatibilityFlags: 0x60000000,
			GeneralLevelIDC: 93, GeneralConstraintIndicatorFlags: 0xb00000000000}, "hvc1.1.6.L93.B0"},
		{"main10 high tier", "hev1", hevc.DecConfRec{GeneralProfileIDC: 2, GeneralProfileCompatibilityFlags: 0x20000000,
			GeneralTierFlag: true, GeneralLevelIDC: 150, GeneralConstraintIndicatorFlags: 0x900000000000}, "hev1.2.4.H150.90"},
		{"no constraint flags keeps one byte", "hvc1", hevc.DecConfRec{GeneralProfileIDC: 1,
			GeneralProfileCompatibilityFlags: 0x40000000, GeneralLevelIDC: 120}, "hvc1.1.2.L120.0"},
		{"profile space and two constraint bytes", "hvc1", hevc.DecConfRec{GeneralProfileSpace: 1, GeneralProfileIDC: 4,
			GeneralProfileCompatibilityFlags: 0x08000000, GeneralLevelIDC: 90, GeneralConstraintIndicatorFlags: 0x801000000000},
			"hvc1.A4.10.L90.80.10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hevcCodecs(tc.typ, &mp4.HvcCBox{DecConfRec: tc.rec}); got != tc.want {
				t.Errorf("hevcCodecs = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	asc := func(c aac.AudioSpecificConfig) []byte {
		var b bytes.Buffer
		if err := c.Encode(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	mp4a := func(conf []byte, channels uint16) *mp4.AudioSampleEntryBox {
		return mp4.CreateAudioSampleEntryBox("mp4a", channels, 16, 48000, mp4.CreateEsdsBox(conf))
	}
	avc1 := mp4.CreateVisualSampleEntryBox("avc1", 1920, 1080,
		&mp4.AvcCBox{DecConfRec: avc.DecConfRec{AVCProfileIndication: 100, AVCLevelIndication: 40}})
	avc1.AddChild(&mp4.PaspBox{HSpacing: 4, VSpacing: 3})
	tests := []struct {
		name  string
		kind  manifest.TrackType
		entry mp4.Box
		want  mediaInfo
		err   error
	}{
		{"h264 with pasp", manifest.Video, avc1, mediaInfo{codecs: "avc1.640028", codecToken: "h264", codecLabel: "H.264",
			width: 1920, height: 1080, sarNum: 4, sarDen: 3}, nil},
		{"aac-lc stereo", manifest.Audio, mp4a(asc(aac.AudioSpecificConfig{ObjectType: aac.AAClc, ChannelConfiguration: 2,
			SamplingFrequency: 48000}), 2), mediaInfo{codecs: "mp4a.40.2", codecToken: "aac", codecLabel: "AAC",
			channels: 2, sampleRate: 48000}, nil},
		{"aac 5.1 in a 2-channel entry", manifest.Audio, mp4a(asc(aac.AudioSpecificConfig{ObjectType: aac.AAClc,
			ChannelConfiguration: 6, SamplingFrequency: 48000}), 2), mediaInfo{codecs: "mp4a.40.2", codecToken: "aac",
			codecLabel: "AAC", channels: 6, sampleRate: 48000}, nil},
		{"he-aac", manifest.Audio, mp4a(asc(aac.AudioSpecificConfig{ObjectType: aac.HEAACv1, ChannelConfiguration: 2,
			SamplingFrequency: 24000, ExtensionFrequency: 48000, SBRPresentFlag: true}), 2),
			mediaInfo{codecs: "mp4a.40.5", codecToken: "heaac", codecLabel: "HE-AAC", channels: 2, sampleRate: 48000}, nil},
		{"encrypted video", manifest.Video, mp4.CreateVisualSampleEntryBox("encv", 640, 360, nil), mediaInfo{}, ErrUnsupported},
		{"unknown audio", manifest.Audio, mp4.CreateAudioSampleEntryBox("alaw", 1, 16, 8000, nil), mediaInfo{}, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := describe(tc.kind, tc.entry)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(mediaInfo{})); diff != "" {
				t.Errorf("describe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeLanguage(t *testing.T) {
	tests := map[string]string{
		"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "EN": "en", "": "und", "und": "und",
		"en-US": "en-US", "pt-BR": "pt-BR", "tlh": "tlh", "zho": "zh", "nob": "nb",
	}
	for in, want := range tests {
		if got := normalizeLanguage(in); got != want {
			t.Errorf("normalizeLanguage(%q) = %q, want %q", in, got, want)
		}
	}
	if got := languageName("de"); got != "German" {
		t.Errorf("languageName(de) = %q", got)
	}
}

func TestEditShift(t *testing.T) {
	tests := []struct {
		name    string
		entries []mp4.ElstEntry
		want    int64
	}{
		{"aac priming", []mp4.ElstEntry{{SegmentDuration: 5000, MediaTime: 1024, MediaRateInteger: 1}}, -1024},
		{"start delay of 100 ms", []mp4.ElstEntry{{SegmentDuration: 100, MediaTime: -1},
			{SegmentDuration: 5000, MediaTime: 0, MediaRateInteger: 1}}, 4800},
		{"delay and priming", []mp4.ElstEntry{{SegmentDuration: 100, MediaTime: -1},
			{SegmentDuration: 5000, MediaTime: 1024, MediaRateInteger: 1}}, 3776},
		{"identity", []mp4.ElstEntry{{SegmentDuration: 5000, MediaTime: 0, MediaRateInteger: 1}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := editShift(&mp4.ElstBox{Entries: tc.entries}, 1000, 48000)
			if err != nil || got != tc.want {
				t.Errorf("editShift = %d, %v, want %d", got, err, tc.want)
			}
		})
	}
	if _, err := editShift(&mp4.ElstBox{Entries: []mp4.ElstEntry{{SegmentDuration: 1, MediaTime: 0, MediaRateInteger: 2}}}, 1000, 48000); !errors.Is(err, ErrUnsupported) {
		t.Errorf("fast-forward edit: err = %v, want ErrUnsupported", err)
	}
}
