package validate

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/subtitle"
)

// The fuzz tests feed the validator's readers of outside input, the HLS
// playlist scanner, the MPD reader, the box walker and the readers of
// text and thumbnail files, and check that they
// never panic or hang: every problem must be a finding. They are seeded
// from testdata/hls, testdata/dash and synthetic CMAF tracks built with
// mp4ff. Crashers found so far are fixed and kept as regression inputs
// under testdata/fuzz/<FuzzX>/, listed with each fuzz function.

func seedFiles(f *testing.F, glob string) [][]byte {
	f.Helper()
	names, err := filepath.Glob(glob)
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds in %s", glob)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzReadHLS validates a fuzzed playlist as a multivariant playlist and
// as a media playlist. Crashers: none.
func FuzzReadHLS(f *testing.F) {
	seeds := seedFiles(f, "testdata/hls/*.m3u8")
	for _, s := range seeds {
		f.Add(s)
	}
	media, _ := os.ReadFile("testdata/hls/media.m3u8")
	f.Fuzz(func(t *testing.T, data []byte) {
		files := map[string]string{
			"master.m3u8":                string(data),
			"index.m3u8":                 string(data),
			"video/180p-646k/index.m3u8": string(media),
		}
		r := runMem(t, files, "master.m3u8", "index.m3u8")
		for _, fd := range r.Findings {
			if fd.Rule == rInternal {
				t.Fatalf("internal error: %s", fd)
			}
		}
	})
}

// FuzzReadDASH validates a fuzzed MPD. Crashers: none.
func FuzzReadDASH(f *testing.F) {
	for _, s := range seedFiles(f, "testdata/dash/*.mpd") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := runMem(t, map[string]string{"manifest.mpd": string(data)}, "manifest.mpd")
		for _, fd := range r.Findings {
			if fd.Rule == rInternal {
				t.Fatalf("internal error: %s", fd)
			}
		}
	})
}

// FuzzBoxes walks a fuzzed init segment and a fuzzed media segment as the
// two files of a one-segment HLS track (and its I-frame playlist), with
// decryption keys, so that init parsing, moof parsing, the CENC checks and
// the NAL checks all see them. Crashers (fixed, kept in
// testdata/fuzz/FuzzBoxes): 17d401bc725706e2, an encv entry whose sinf
// has no frma, on which mp4ff's DecryptInit panicked (now recovered and
// reported as CENC-DECRYPT, and decryption skipped for unknown schemes).
func FuzzBoxes(f *testing.F) {
	for _, scheme := range []string{"", "cenc", "cbcs"} {
		init, seg := syntheticTrack(f, scheme)
		f.Add(init, seg)
	}
	playlist := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
	iframes := "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:2\n#EXT-X-I-FRAMES-ONLY\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-BYTERANGE:200@24\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
	master := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,CODECS=\"avc1.42c00c\",RESOLUTION=320x180\nindex.m3u8\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI=\"iframes.m3u8\"\n"
	f.Fuzz(func(t *testing.T, init, seg []byte) {
		src := memSource{"master.m3u8": []byte(master), "index.m3u8": []byte(playlist), "iframes.m3u8": []byte(iframes), "init.mp4": init, "seg.m4s": seg}
		opts := Options{Keys: []Key{{KID: testKID, Key: testKey}}}.withDefaults(false)
		c := newChecker(t.Context(), src, opts)
		r, err := c.run("fuzz", []string{"master.m3u8"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range r.Findings {
			if fd.Rule == rInternal {
				t.Fatalf("internal error: %s", fd)
			}
		}
	})
}

var (
	testKID = [16]byte(mustHex("0123456789abcdef0123456789abcdef"))
	testKey = [16]byte(mustHex("00112233445566778899aabbccddeeff"))
)

// syntheticTrack builds a tiny H.264 CMAF track with mp4ff: an init
// segment and a media segment of 50 fake samples (an IDR first) in one
// fragment, clear or encrypted with scheme. The samples are not pictures:
// only their NAL framing is real.
func syntheticTrack(tb testing.TB, scheme string) (initSeg, mediaSeg []byte) {
	tb.Helper()
	sps, _ := hex.DecodeString("6742c00cda05067e7c0440000003004000000c83c50aa8")
	pps, _ := hex.DecodeString("68ce0fc8")
	init := mp4.CreateEmptyInit()
	init.AddEmptyTrack(12800, "video", "und")
	if err := init.Moov.Trak.SetAVCDescriptor("avc1", [][]byte{sps}, [][]byte{pps}, true); err != nil {
		tb.Fatal(err)
	}
	var ipd *mp4.InitProtectData
	iv, _ := hex.DecodeString("0102030405060708")
	if scheme == "cbcs" {
		iv = mustHex("0102030405060708090a0b0c0d0e0f10")
	}
	if scheme != "" {
		var err error
		ipd, err = mp4.InitProtect(init, testKey[:], iv, scheme, mp4.UUID(testKID[:]), nil)
		if err != nil {
			tb.Fatal(err)
		}
	}
	var ib bytes.Buffer
	if err := init.Encode(&ib); err != nil {
		tb.Fatal(err)
	}
	frag, err := mp4.CreateFragment(1, init.Moov.Trak.Tkhd.TrackID)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		// A slice NAL whose header parses against the SPS/PPS above:
		// first_mb_in_slice 0, slice_type I (7) or P (5), pps_id 0.
		nal := []byte{0x65, 0x88, 0x84}
		flags := mp4.SyncSampleFlags
		if i > 0 {
			nal = []byte{0x41, 0x9a, 0x02}
			flags = mp4.NonSyncSampleFlags
		}
		for len(nal) < 200 {
			nal = append(nal, byte(len(nal)|0x10))
		}
		data := append([]byte{0, 0, 0, byte(len(nal))}, nal...)
		frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: flags, Dur: 512, Size: uint32(len(data))}, DecodeTime: uint64(i) * 512, Data: data})
	}
	if ipd != nil {
		if _, err := mp4.EncryptFragment(frag, testKey[:], iv, ipd); err != nil {
			tb.Fatal(err)
		}
	}
	seg := mp4.NewMediaSegment()
	seg.AddFragment(frag)
	seg.Styp = mp4.NewStyp("msdh", 0, []string{"msdh", "cmfs"})
	var sb bytes.Buffer
	if err := seg.Encode(&sb); err != nil {
		tb.Fatal(err)
	}
	return ib.Bytes(), sb.Bytes()
}

// TestSyntheticTrack checks that the fuzz seeds are clean tracks, so that
// the fuzzer starts from valid input.
func TestSyntheticTrack(t *testing.T) {
	for _, scheme := range []string{"", "cenc", "cbcs"} {
		init, seg := syntheticTrack(t, scheme)
		playlist := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
		if scheme != "" {
			method := map[string]string{"cenc": "SAMPLE-AES-CTR", "cbcs": "SAMPLE-AES"}[scheme]
			playlist = playlist[:len(playlist)-len("#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n")] +
				"#EXT-X-KEY:METHOD=" + method + ",URI=\"skd://k\",KEYID=0x" + hex.EncodeToString(testKID[:]) + "\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
		}
		src := memSource{"index.m3u8": []byte(playlist), "init.mp4": init, "seg.m4s": seg}
		c := newChecker(t.Context(), src, Options{Keys: []Key{{KID: testKID, Key: testKey}}}.withDefaults(false))
		r, err := c.run("synthetic", []string{"index.m3u8"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, fd := range r.Findings {
			if fd.Rule != rCENCPsshMissing && fd.Rule != rCMAFBrand {
				got = append(got, fd.String())
			}
		}
		if len(got) > 0 {
			t.Errorf("%s track: %q", scheme, got)
		}
	}
}

// FuzzParseKeys parses fuzzed key files: no panic, and no error message
// may quote the file's text (it may hold keys). Crashers: none.
func FuzzParseKeys(f *testing.F) {
	for _, s := range seedFiles(f, "testdata/keys/*.json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseKeys(data)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no keys")
		}
		for _, k := range keys {
			if s := k.String(); bytes.Contains([]byte(s), []byte(hex.EncodeToString(k.Key[:]))) {
				t.Fatalf("String shows the key: %s", s)
			}
		}
	})
}

// TestSampleGroups adds a seig sample group that points at a group
// description the fragment does not have.
func TestSampleGroups(t *testing.T) {
	init, seg := syntheticTrack(t, "cenc")
	f, err := mp4.DecodeFile(bytes.NewReader(seg))
	if err != nil {
		t.Fatal(err)
	}
	frag := f.Segments[0].Fragments[0]
	frag.Moof.Traf.AddChild(&mp4.SbgpBox{GroupingType: "seig", SampleCounts: []uint32{10}, GroupDescriptionIndices: []uint32{0x10001 + 3}})
	var b bytes.Buffer
	if err := f.Segments[0].Encode(&b); err != nil {
		t.Fatal(err)
	}
	playlist := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
	c := newChecker(t.Context(), memSource{"index.m3u8": []byte(playlist), "init.mp4": init, "seg.m4s": b.Bytes()}, Options{}.withDefaults(false))
	r, err := c.run("x", []string{"index.m3u8"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ByRule(rCENCSampleGroup)) == 0 {
		var w strings.Builder
		r.WriteText(&w)
		t.Errorf("no %s finding:\n%s", rCENCSampleGroup, w.String())
	}
}

// FuzzPlainFiles validates a fuzzed file as an HLS WebVTT segment (of a
// two-segment playlist beside an fMP4 track), as a side-car WebVTT file of
// a DASH text Representation and as a JPEG thumbnail tile of both
// manifests. Crashers: none.
func FuzzPlainFiles(f *testing.F) {
	f.Add([]byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:00:00.500 --> 00:00:02.500 line:0\nHello.\n"))
	f.Add([]byte("WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:01.000,MPEGTS:900000\n\nNOTE x\n\nid\n01:00:00.000 --> 01:00:01.000\n<b>a</b>\n"))
	f.Add([]byte("\xff\xd8\xff\xdb\x00\x43\x00"))
	init, seg := syntheticTrack(f, "")
	vtt := "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000,\na.vtt\n#EXTINF:2.000,\nb.vtt\n#EXT-X-ENDLIST\n"
	images := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-IMAGES-ONLY\n#EXT-X-TARGETDURATION:4\n#EXT-X-TILES:RESOLUTION=64x36,LAYOUT=2x2,DURATION=1.000\n#EXTINF:4.000,\ntile.jpg\n#EXT-X-ENDLIST\n"
	master := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"en\",LANGUAGE=\"en\",URI=\"vtt.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=100000,CODECS=\"avc1.42c00c\",RESOLUTION=320x180,SUBTITLES=\"s\"\nindex.m3u8\n" +
		"#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=1000,RESOLUTION=64x36,CODECS=\"jpeg\",URI=\"images.m3u8\"\n"
	playlist := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
	mpd := `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S"><Period>` +
		`<AdaptationSet contentType="text" mimeType="text/vtt" lang="en"><Representation id="fr" bandwidth="100"><BaseURL>a.vtt</BaseURL></Representation></AdaptationSet>` +
		`<AdaptationSet contentType="image" mimeType="image/jpeg"><SegmentTemplate media="tile.jpg" duration="4" timescale="1"/>` +
		`<Representation id="t" bandwidth="1000" width="128" height="72"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x2"/></Representation></AdaptationSet>` +
		`</Period></MPD>`
	f.Fuzz(func(t *testing.T, data []byte) {
		src := memSource{"master.m3u8": []byte(master), "index.m3u8": []byte(playlist), "init.mp4": init, "seg.m4s": seg,
			"vtt.m3u8": []byte(vtt), "a.vtt": data, "b.vtt": data, "images.m3u8": []byte(images), "tile.jpg": data,
			"manifest.mpd": []byte(mpd)}
		c := newChecker(t.Context(), src, Options{}.withDefaults(false))
		r, err := c.run("fuzz", []string{"master.m3u8"}, []string{"manifest.mpd"})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range r.Findings {
			if fd.Rule == rInternal {
				t.Fatalf("internal error: %s", fd)
			}
		}
	})
}

// FuzzTextSegment validates a fuzzed media segment of a wvtt and of an
// stpp track, whose samples are decoded and parsed. Crashers (fixed, kept
// in testdata/fuzz/FuzzTextSegment): b6682c0053d41df0, a segment whose
// samples mp4ff panics on (nil pointer), which made parseSegment return
// nil and crash the validator.
func FuzzTextSegment(f *testing.F) {
	doc := &subtitle.Document{Cues: []subtitle.Cue{{Start: 500 * time.Millisecond, End: 2500 * time.Millisecond, Text: "Hello."}}}
	span := subtitle.Span{End: 2 * time.Second}
	wvttInit, err := subtitle.WVTTInit(doc, "en")
	if err != nil {
		f.Fatal(err)
	}
	stppInit, err := subtitle.STPPInit("de")
	if err != nil {
		f.Fatal(err)
	}
	for _, seg := range []func(*subtitle.Document, subtitle.Span, uint32) ([]byte, error){subtitle.WVTTSegment, subtitle.STPPSegment} {
		b, err := seg(doc, span, 1)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	playlist := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg.m4s\n#EXT-X-ENDLIST\n"
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, init := range [][]byte{wvttInit, stppInit} {
			src := memSource{"index.m3u8": []byte(playlist), "init.mp4": init, "seg.m4s": data}
			c := newChecker(t.Context(), src, Options{}.withDefaults(false))
			r, err := c.run("fuzz", []string{"index.m3u8"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, fd := range r.Findings {
				if fd.Rule == rInternal {
					t.Fatalf("internal error: %s", fd)
				}
			}
		}
	})
}
