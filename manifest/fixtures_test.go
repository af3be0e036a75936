package manifest

import (
	"fmt"
	"strings"
	"time"
)

// Synthetic presentations for goldens and round trips: every number is
// made up but consistent (durations in ticks, sizes, byte ranges), so no
// media is needed. The URIs follow the naming contract in doc.go.

const (
	videoTimescale = 12800
	audioTimescale = 48000
)

// Segment durations shared by all video tracks (2 s GOPs, a short last
// segment) and all audio tracks (whole AAC frames of 1024 samples, so the
// boundaries drift around the video ones as real audio does).
var (
	videoDurs = []uint64{25600, 25600, 25600, 19456}  // 2.000 2.000 2.000 1.520
	audioDurs = []uint64{96256, 95232, 96256, 72704}  // 2.005333 1.984 2.005333 1.514667
	ntscDurs  = []uint64{180180, 180180, 90090, 3003} // at 90 kHz: 2.002 2.002 1.001 0.033367
)

type videoSpec struct {
	id            string
	codecs        string
	width, height int
	rate          Rate
	peak, avg     int64
}

type audioSpec struct {
	id, codecs, lang, name string
	channels               int
	peak, avg              int64
	def                    bool
}

func videoTrack(s videoSpec, single, iframes bool) Track {
	t := Track{
		ID: s.id, Type: Video, Codecs: s.codecs,
		BandwidthBps: s.peak, AverageBandwidthBps: s.avg,
		Width: s.width, Height: s.height, FrameRate: s.rate, SARNum: 1, SARDen: 1,
		Timescale:   videoTimescale,
		PlaylistURI: "video/" + s.id + "/index.m3u8",
	}
	durs := videoDurs
	if s.rate.Den == 1001 {
		t.Timescale = 90000
		durs = ntscDurs
	}
	fillSegments(&t, "video", durs, s.peak, single)
	if iframes {
		t.IFramePlaylistURI = "video/" + s.id + "/iframes.m3u8"
		for _, seg := range t.Segments {
			f := IFrame{URI: seg.URI, Range: ByteRange{Offset: 0, Length: seg.SizeBytes / 5}, DurTicks: seg.DurTicks}
			if single {
				f.URI = t.MediaURI
				f.Range.Offset = seg.Range.Offset
			}
			t.IFrames = append(t.IFrames, f)
		}
	}
	return t
}

func audioTrack(s audioSpec, single bool) Track {
	t := Track{
		ID: s.id, Type: Audio, Codecs: s.codecs,
		BandwidthBps: s.peak, AverageBandwidthBps: s.avg,
		Language: s.lang, Name: s.name, Channels: s.channels, SampleRate: 48000, Default: s.def,
		Timescale:   audioTimescale,
		PlaylistURI: "audio/" + s.id + "/index.m3u8",
	}
	fillSegments(&t, "audio", audioDurs, s.peak, single)
	return t
}

// textSpec describes a subtitle track of the golden presentations.
type textSpec struct {
	id, codecs, lang, name string
	mime                   string   // "" for fMP4, MimeTypeWebVTT
	only                   Manifest // Track.Only
	forced, def            bool
	characteristics        string
}

// textDurs are the segments of fMP4 and segmented WebVTT text tracks, at
// 1 kHz: cut where the video is, ending with it (7.52 s).
var textDurs = []uint64{2000, 2000, 2000, 1520}

// textTrack builds a subtitle track of one of the forms the packager
// writes: fMP4 (wvtt, stpp), segmented WebVTT (text/vtt, Only hls, one
// .vtt per segment) or a side-car WebVTT file (text/vtt in DASH, one file
// lasting the whole presentation, as Track.MediaURI).
func textTrack(s textSpec) Track {
	t := Track{
		ID: s.id, Type: Text, Codecs: s.codecs, MimeType: s.mime, Only: s.only,
		BandwidthBps: 4_000, AverageBandwidthBps: 2_000,
		Language: s.lang, Name: s.name, Default: s.def, Forced: s.forced, Characteristics: s.characteristics,
		Timescale:   1000,
		PlaylistURI: "text/" + s.id + "/index.m3u8",
	}
	switch {
	case s.mime == "":
		fillSegments(&t, "text", textDurs, t.BandwidthBps, false)
	case t.sideCar():
		t.MediaURI = "text/" + s.id + "/" + s.id + ".vtt"
		t.Segments = []Segment{{DurTicks: 7520, SizeBytes: 3_000}}
	default:
		var start uint64
		for i, d := range textDurs {
			t.Segments = append(t.Segments, Segment{
				URI: fmt.Sprintf("text/%s/seg-%05d.vtt", s.id, i+1), StartTicks: start, DurTicks: d, SizeBytes: 500,
			})
			start += d
		}
	}
	return t
}

// imageTrack builds a thumbnail track: cols×rows thumbnails of w×h per
// JPEG tile, one thumbnail a second, tiles ending with the video (7.52 s).
func imageTrack(id string, w, h, cols, rows int, peakBps int64) Track {
	t := Track{
		ID: id, Type: Image, MimeType: MimeTypeJPEG, Codecs: "jpeg",
		BandwidthBps: peakBps, AverageBandwidthBps: peakBps * 8 / 10,
		Width: w * cols, Height: h * rows, TileCols: cols, TileRows: rows, ThumbnailDurTicks: 1000,
		Timescale:   1000,
		PlaylistURI: "image/" + id + "/index.m3u8",
	}
	tile := uint64(1000 * cols * rows)
	var start uint64
	for i := 1; start < 7520; i++ {
		d := min(tile, 7520-start)
		t.Segments = append(t.Segments, Segment{
			URI: fmt.Sprintf("image/%s/tile-%05d.jpg", id, i), StartTicks: start, DurTicks: d,
			SizeBytes: peakBps / 8 * int64(d) / 1000,
		})
		start += d
	}
	return t
}

// subtitleTracks are one subtitle of each form: English as segmented
// WebVTT for HLS and fMP4 wvtt for DASH (default), forced English the
// same way, German IMSC1 (stpp) in both, and a French side-car file for
// the deaf and hard of hearing in both.
func subtitleTracks() []Track {
	return []Track{
		textTrack(textSpec{id: "subs-en-vtt", lang: "en", name: "English", mime: MimeTypeWebVTT, only: HLS, def: true}),
		textTrack(textSpec{id: "subs-en-wvtt", codecs: "wvtt", lang: "en", name: "English", only: DASH, def: true}),
		textTrack(textSpec{id: "forced-en-vtt", codecs: "wvtt", lang: "en", name: "English (forced)", mime: MimeTypeWebVTT, only: HLS, forced: true}),
		textTrack(textSpec{id: "forced-en-wvtt", codecs: "wvtt", lang: "en", name: "English (forced)", only: DASH, forced: true}),
		textTrack(textSpec{id: "subs-de-stpp", codecs: "stpp.ttml.im1t", lang: "de", name: "Deutsch"}),
		textTrack(textSpec{id: "sdh-fr", lang: "fr", name: "Français SDH", mime: MimeTypeWebVTT,
			characteristics: "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"}),
	}
}

// fillSegments adds segments of the given durations whose sizes follow the
// peak bit rate (a little less for all but the largest one).
func fillSegments(t *Track, kind string, durs []uint64, peakBps int64, single bool) {
	dir := kind + "/" + t.ID + "/"
	var start uint64
	offset := int64(900) // ftyp+moov
	if single {
		t.MediaURI = dir + "media.mp4"
		t.InitRange = ByteRange{Offset: 0, Length: 900}
		t.IndexRange = ByteRange{Offset: 900, Length: 12 + 32 + 12*int64(len(durs))}
		offset = t.IndexRange.Offset + t.IndexRange.Length
	} else {
		t.InitURI = dir + "init.mp4"
	}
	for i, d := range durs {
		size := peakBps / 8 * int64(d) / int64(t.Timescale)
		if i != 1 {
			size = size * 9 / 10
		}
		s := Segment{StartTicks: start, DurTicks: d, SizeBytes: size}
		if single {
			s.Range = ByteRange{Offset: offset, Length: size}
			offset += size
		} else {
			s.URI = fmt.Sprintf("%sseg-%05d.m4s", dir, i+1)
		}
		t.Segments = append(t.Segments, s)
		start += d
	}
}

// presentationOf wraps tracks; its Duration is the longest track's, to the
// nanosecond, as the packager measures it.
func presentationOf(single bool, tracks ...Track) *Presentation {
	var longest time.Duration
	for _, t := range tracks {
		var ticks uint64
		for _, s := range t.Segments {
			ticks += s.DurTicks
		}
		d := time.Duration((ticks*uint64(time.Second) + uint64(t.Timescale)/2) / uint64(t.Timescale))
		longest = max(longest, d)
	}
	return &Presentation{
		Duration:        longest,
		SegmentDuration: 2 * time.Second,
		SingleFile:      single,
		Tracks:          tracks,
	}
}

var (
	h264Ladder = []videoSpec{
		{"360p-730k", "avc1.64001e", 640, 360, Rate{25, 1}, 900_000, 730_000},
		{"540p-2000k", "avc1.64001f", 960, 540, Rate{25, 1}, 2_500_000, 2_000_000},
		{"720p-3000k", "avc1.64001f", 1280, 720, Rate{25, 1}, 3_700_000, 3_000_000},
		{"1080p-6000k", "avc1.640028", 1920, 1080, Rate{25, 1}, 7_400_000, 6_000_000},
	}
	hevcLadder = []videoSpec{
		{"540p-hevc-1600k", "hvc1.1.6.L93.B0", 960, 540, Rate{25, 1}, 2_000_000, 1_600_000},
		{"1080p-hevc-4500k", "hvc1.1.6.L120.B0", 1920, 1080, Rate{25, 1}, 5_600_000, 4_500_000},
	}
	audioEN  = audioSpec{"audio-en-aac", "mp4a.40.2", "en", "English", 2, 132_000, 128_000, true}
	audioDE  = audioSpec{"audio-de-aac", "mp4a.40.2", "de", "Deutsch", 2, 132_000, 128_000, false}
	audioEC3 = audioSpec{"audio-en-ec3", "ec-3", "en", "English 5.1", 6, 390_000, 384_000, true}
)

// goldenPresentations are the synthetic presentations with golden files.
func goldenPresentations() map[string]*Presentation {
	ladder := func(specs []videoSpec, single, iframes bool) []Track {
		var ts []Track
		for _, s := range specs {
			ts = append(ts, videoTrack(s, single, iframes))
		}
		return ts
	}
	return map[string]*Presentation{
		// Multi-rung H.264, two AAC languages and E-AC-3 5.1, I-frame playlists.
		"ladder": presentationOf(false, append(ladder(h264Ladder, false, true),
			audioTrack(audioEN, false), audioTrack(audioDE, false), audioTrack(audioEC3, false))...),
		// One file per track, addressed by byte ranges.
		"singlefile": presentationOf(true, append(ladder(h264Ladder[:2], true, true),
			audioTrack(audioEN, true), audioTrack(audioDE, true))...),
		// H.264 and HEVC variants side by side.
		"mixed": presentationOf(false, append(append(ladder(h264Ladder[1:3], false, false), ladder(hevcLadder, false, false)...),
			audioTrack(audioEN, false))...),
		// cenc with one key for every track, Widevine, PlayReady and ClearKey,
		// the first segment clear.
		"encrypted": presentationOf(false, protect(append(ladder(h264Ladder[:2], false, true), audioTrack(audioEN, false)),
			"cenc", 1, func(Track) string { return "00112233-4455-6677-8899-aabbccddeeff" },
			widevineSystem, playReadySystem, clearKeySystem, dashIFClearKeySystem)...),
		// cbcs with keys for audio, SD and HD, and FairPlay as well: video sets
		// split by key in DASH, one key per media playlist in HLS.
		"multikey": presentationOf(false, protect(append(ladder(h264Ladder, false, true), audioTrack(audioEN, false)),
			"cbcs", 0, func(t Track) string {
				switch {
				case t.Type == Audio:
					return "a0a0a0a0-a0a0-a0a0-a0a0-a0a0a0a0a0a0"
				case t.Height < 720:
					return "b0b0b0b0-b0b0-b0b0-b0b0-b0b0b0b0b0b0"
				}
				return "c0c0c0c0-c0c0-c0c0-c0c0-c0c0c0c0c0c0"
			}, widevineSystem, playReadySystem, fairPlaySystem)...),
		// Every form of subtitle track (see subtitleTracks).
		"subtitles": presentationOf(false, append(append(ladder(h264Ladder[:2], false, false), audioTrack(audioEN, false)),
			subtitleTracks()...)...),
		// Thumbnail tiles in two sizes: 5x1 of 64x36 and 4x2 of 128x72.
		"thumbnails": presentationOf(false, append(ladder(h264Ladder[:2], false, true), audioTrack(audioEN, false),
			imageTrack("thumbs-64x36", 64, 36, 5, 1, 40_000), imageTrack("thumbs-128x72", 128, 72, 4, 2, 120_000))...),
		// Video only (no audio), 29.97 fps at 90 kHz.
		"videoonly": presentationOf(false, ladder([]videoSpec{
			{"360p-ntsc", "avc1.64001e", 640, 360, Rate{30000, 1001}, 1_000_000, 800_000},
			{"720p-ntsc", "avc1.64001f", 1280, 720, Rate{30000, 1001}, 3_500_000, 2_800_000},
		}, false, false)...),
	}
}

// Synthetic DRM signalling: the bytes are placeholders (the packager makes
// real pssh boxes), the attributes are as the packager writes them.
var (
	widevineSystem = func(kid string) ProtectionSystem {
		return ProtectionSystem{SystemID: "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", Name: "Widevine",
			PSSH: []byte("widevine pssh " + kid), KeyFormat: "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
			KeyFormatVersions: "1", KeyURI: "data:text/plain;base64,d2lkZXZpbmU=" + kid}
	}
	playReadySystem = func(kid string) ProtectionSystem {
		return ProtectionSystem{SystemID: "9a04f079-9840-4286-ab92-e65be0885f95", Name: "MSPR 2.0",
			PSSH: []byte("playready pssh " + kid), PlayReadyPRO: []byte("playready object " + kid),
			KeyFormat: "com.microsoft.playready", KeyFormatVersions: "1", KeyURI: "data:text/plain;charset=UTF-16;base64,cHJv" + kid}
	}
	fairPlaySystem = func(kid string) ProtectionSystem {
		return ProtectionSystem{SystemID: "94ce86fb-07ff-4f43-adb8-93d2fa968ca2", Name: "FairPlay",
			KeyFormat: "com.apple.streamingkeydelivery", KeyFormatVersions: "1", KeyURI: "skd://" + strings.ReplaceAll(kid, "-", "")}
	}
	clearKeySystem = func(kid string) ProtectionSystem {
		return ProtectionSystem{SystemID: "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b", PSSH: []byte("common pssh " + kid),
			KeyFormat: "urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b", KeyFormatVersions: "1", KeyURI: "data:text/plain;base64,Y29tbW9u" + kid, HLSOnly: true}
	}
	dashIFClearKeySystem = func(string) ProtectionSystem {
		return ProtectionSystem{SystemID: "e2719d58-a985-b3c9-781a-b030af78d30e", Name: "ClearKey1.0",
			LicenseURL: "https://ck.example/license", DASHOnly: true}
	}
)

// protect encrypts tracks with the key kidOf picks and the given systems.
func protect(tracks []Track, scheme string, clear int, kidOf func(Track) string, systems ...func(string) ProtectionSystem) []Track {
	for i := range tracks {
		kid := kidOf(tracks[i])
		pr := &Protection{Scheme: scheme, DefaultKID: kid, ClearSegments: clear}
		for _, sys := range systems {
			pr.Systems = append(pr.Systems, sys(kid))
		}
		tracks[i].Protection = pr
	}
	return tracks
}
